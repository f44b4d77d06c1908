// Lab 02, tasks 1-3: equal chunks, shrinking power-law chunks, the first-size search.
// Read include/parlab/lab02/chunks.hpp for exactly what each function must return.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "parlab/lab02/chunks.hpp"
#include "parlab/todo.hpp"

namespace parlab::lab02 {

Chunks chunks(Range r, std::uint64_t size) {
  // TODO (task 1): reject size 0; cut r into chunks of `size` numbers, the last one
  // shorter. Compute each chunk's length as min(size, hi - lo): lo + size may overflow.
  (void)r, (void)size;
  todo("chunks (lab 02, task 1)");
}

Chunks chunks_power_law(Range r, std::uint64_t first, double p) {
  // TODO (task 2): check first and p; the first chunk holds min(first, r.size())
  // numbers; each next size t solves (b + t)^p - b^p = b^p - a^p for the chunk [a, b)
  // before it. Solve it with ratios (log1p/expm1), not with b^p itself; round to the
  // nearest integer; keep 1 <= t <= b - a; cut at r.hi.
  (void)r, (void)first, (void)p;
  todo("chunks_power_law (lab 02, task 2)");
}

Chunks start_chunks(Range r, unsigned workers, double p) {
  // TODO (task 3): check workers (and p); for i = 1, 2, ... try first = r.size() / i
  // until chunks_power_law gives at least `workers` chunks. Fewer numbers than workers:
  // one chunk per number.
  (void)r, (void)workers, (void)p;
  todo("start_chunks (lab 02, task 3)");
}

}  // namespace parlab::lab02
