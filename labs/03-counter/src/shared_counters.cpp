// Lab 03, task 3: counters in shared memory.
// Read the handout and include/parlab/lab03/shared_counters.hpp.
#include "parlab/lab03/shared_counters.hpp"

#include <atomic>
#include <cerrno>
#include <new>
#include <system_error>

#include <pthread.h>

#include "parlab/todo.hpp"

namespace parlab::lab03 {

// TODO (task 3): define the state that lives in shared memory, e.g.
//   struct SharedAtomicCounter::State { std::atomic<std::uint64_t> value{0}; };
// and build it in mapping_ with placement new: state_ = ::new (mapping_.data()) State{};

SharedAtomicCounter::SharedAtomicCounter() { todo("SharedAtomicCounter (lab 03, task 3)"); }

SharedAtomicCounter::~SharedAtomicCounter() = default;  // TODO (task 3): destroy the State

std::uint64_t SharedAtomicCounter::increment() { todo("SharedAtomicCounter::increment (lab 03, task 3)"); }

std::uint64_t SharedAtomicCounter::value() const { todo("SharedAtomicCounter::value (lab 03, task 3)"); }

// TODO (task 3): a State with a pthread_mutex_t made PTHREAD_PROCESS_SHARED and
// PTHREAD_MUTEX_ROBUST, the count, and a recovery counter. Every lock must handle
// EOWNERDEAD: repair, pthread_mutex_consistent, count the recovery.

RobustCounter::RobustCounter() { todo("RobustCounter (lab 03, task 3)"); }

RobustCounter::~RobustCounter() = default;  // TODO (task 3): pthread_mutex_destroy, destroy the State

std::uint64_t RobustCounter::increment() { todo("RobustCounter::increment (lab 03, task 3)"); }

std::uint64_t RobustCounter::value() const { todo("RobustCounter::value (lab 03, task 3)"); }

std::uint64_t RobustCounter::recoveries() const { todo("RobustCounter::recoveries (lab 03, task 3)"); }

void RobustCounter::with_lock(const std::function<void(std::uint64_t&)>& fn) {
  (void)fn;
  todo("RobustCounter::with_lock (lab 03, task 3)");
}

std::uint64_t run_shared_counter(SharedKind kind, Backend backend, unsigned workers, std::uint64_t increments) {
  // TODO (task 3): make the counter, run_workers with it, return its value.
  (void)kind, (void)backend, (void)workers, (void)increments;
  todo("run_shared_counter (lab 03, task 3)");
}

}  // namespace parlab::lab03
