// Lab 04, task 1: the serial parts of a cooperative primality search.
// Read the handout (labs/04-early-exit/README.md) and the comments in
// include/parlab/lab04/early_exit.hpp first: they say exactly what each function returns.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "parlab/lab04/early_exit.hpp"
#include "parlab/todo.hpp"

namespace parlab::lab04 {

RangeResult check_range(std::uint64_t n, std::uint64_t from, std::uint64_t to, StopFlag& flag,
                        std::uint64_t check_every) {
  // TODO (task 1): validate from and to (std::invalid_argument), then try the odd divisors
  // from|1, from|1 + 2, ... below `to`. Count each division. On a divisor: raise the flag
  // and return found. Read the flag once after every `check_every` divisions (never when
  // check_every == kNeverCheck) and return stopped if it is up.
  (void)n, (void)from, (void)to, (void)flag, (void)check_every;
  todo("check_range (lab 04, task 1)");
}

SearchPlan plan_search(std::uint64_t n, unsigned workers) {
  // TODO (task 1): validate workers; decide n < 4 and even n without dividing; run the
  // serial pre-check (odd divisors below kPrecheckLimit, at most isqrt(n)); then split the
  // odd divisors kFirstParallelDivisor .. isqrt(n) into balanced ranges, one per worker.
  // Use parlab::isqrt, never std::sqrt.
  (void)n, (void)workers;
  todo("plan_search (lab 04, task 1)");
}

Verdict conclude(const SearchPlan& plan, std::span<const RangeResult> results) {
  // TODO (task 1): one WorkerReport per range; composite if any worker found a divisor
  // (the smallest found is the factor); a stopped worker without any found one is an error.
  (void)plan, (void)results;
  todo("conclude (lab 04, task 1)");
}

}  // namespace parlab::lab04
