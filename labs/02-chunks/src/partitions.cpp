// Lab 02, tasks 4 and 5: an equal-cost partition from a cost model, the guided schedule.
// Read include/parlab/lab02/chunks.hpp for exactly what each function must return.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "parlab/lab02/chunks.hpp"
#include "parlab/todo.hpp"

namespace parlab::lab02 {

Chunks chunks_equal_cost(Range r, std::size_t k, double q) {
  // TODO (task 4): check k and q; min(k, r.size()) chunks whose borders split the total
  // cost W(x) = x^(1+q) into equal parts. Compute each border's distance from r.lo with
  // log1p/expm1 so that it stays exact near 2^63; round; keep every chunk non-empty.
  (void)r, (void)k, (void)q;
  todo("chunks_equal_cost (lab 02, task 4)");
}

Chunks chunks_guided(Range r, unsigned workers, std::uint64_t min) {
  // TODO (task 5): check workers and min; each chunk takes max(min, ceil(remaining /
  // workers)) numbers, cut at what remains. ceil(a / b) as a / b + (a % b != 0): the
  // usual (a + b - 1) / b overflows when a is near 2^64.
  (void)r, (void)workers, (void)min;
  todo("chunks_guided (lab 02, task 5)");
}

}  // namespace parlab::lab02
