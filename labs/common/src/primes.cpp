#include "parlab/primes.hpp"

#include "parlab/trace.hpp"

namespace parlab {

std::vector<std::uint64_t> primes_in(Range r) {
  // One span per range: in a pipeline this is "the worker processed a chunk".
  const trace::Span span("chunk", "work", {"lo", r.lo}, {"hi", r.hi});
  std::vector<std::uint64_t> found;
  // Written as a count of steps rather than `x < r.hi; ++x` so that hi == 2^64 - 1
  // style edges cannot wrap around.
  for (std::uint64_t step = 0; step < r.size(); ++step) {
    const std::uint64_t x = r.lo + step;
    if (is_prime(x)) found.push_back(x);
  }
  return found;
}

}  // namespace parlab
