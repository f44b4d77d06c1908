// Lab 04, task 2 (reference): early exit for threads with an atomic flag.
#include <exception>
#include <thread>
#include <vector>

#include "parlab/lab04/early_exit.hpp"

namespace parlab::lab04 {

// Relaxed is enough: the flag carries no data with it. A worker that reads it a little
// late only does a few more divisions; the results travel through join(), which orders
// everything a thread did before everything after the join.
bool AtomicStopFlag::is_set() { return up_.load(std::memory_order_relaxed); }
void AtomicStopFlag::raise() { up_.store(true, std::memory_order_relaxed); }
void AtomicStopFlag::clear() { up_.store(false, std::memory_order_relaxed); }

Verdict is_prime_threads(std::uint64_t n, unsigned workers, std::uint64_t check_every) {
  const SearchPlan plan = plan_search(n, workers);
  if (plan.decided) return conclude(plan, {});

  // One flag for every call: once a search has raised it, it is still up when the next
  // search starts, and that search's workers stop at their first read.
  static AtomicStopFlag flag;
  const std::size_t count = plan.ranges.size();
  std::vector<RangeResult> results(count);
  std::vector<std::exception_ptr> errors(count);
  {
    std::vector<std::jthread> threads;
    threads.reserve(count);
    try {
      for (std::size_t i = 0; i < count; ++i) {
        threads.emplace_back([&, i] {
          try {
            results[i] = check_range(n, plan.ranges[i].lo, plan.ranges[i].hi, flag, check_every);
          } catch (...) {
            errors[i] = std::current_exception();
            flag.raise();  // the answer is lost anyway: let the others stop
          }
        });
      }
    } catch (...) {
      flag.raise();  // a thread failed to start: stop the ones running, join them, rethrow
      throw;
    }
  }  // every jthread joins here
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return conclude(plan, results);
}

}  // namespace parlab::lab04
