// Lab 04, task 2: early exit for threads with an atomic flag.
#include <exception>
#include <thread>
#include <vector>

#include "parlab/lab04/early_exit.hpp"
#include "parlab/todo.hpp"

namespace parlab::lab04 {

// TODO (task 2): load and store up_ with std::memory_order_relaxed (the handout explains
// why relaxed is enough for a stop flag, and why `volatile bool` would not be).
bool AtomicStopFlag::is_set() { todo("AtomicStopFlag::is_set (lab 04, task 2)"); }
void AtomicStopFlag::raise() { todo("AtomicStopFlag::raise (lab 04, task 2)"); }
void AtomicStopFlag::clear() { todo("AtomicStopFlag::clear (lab 04, task 2)"); }

Verdict is_prime_threads(std::uint64_t n, unsigned workers, std::uint64_t check_every) {
  // TODO (task 2): plan_search; if decided, return conclude(plan, {}). Otherwise one
  // thread per range, all sharing ONE AtomicStopFlag that belongs to this call; each
  // thread writes its own result slot. Join them all, rethrow a worker's exception, and
  // return conclude(plan, results).
  (void)n, (void)workers, (void)check_every;
  todo("is_prime_threads (lab 04, task 2)");
}

}  // namespace parlab::lab04
