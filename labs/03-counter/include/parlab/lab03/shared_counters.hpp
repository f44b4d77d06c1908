#pragma once
// Lab 03, task 3: counters in shared memory. You write src/shared_counters.cpp.
//
// Both counters put their state in a SharedMapping they own, so a counter made before
// fork() is the same counter in the parent and in every child. Threads of one process
// can share one object directly.

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string_view>

#include "parlab/lab03/counter_file.hpp"
#include "parlab/lab03/shared_memory.hpp"

namespace parlab::lab03 {

// A lock-free counter: one std::atomic<std::uint64_t> in shared memory.
class SharedAtomicCounter {
 public:
  SharedAtomicCounter();  // starts at 0
  ~SharedAtomicCounter();
  SharedAtomicCounter(const SharedAtomicCounter&) = delete;
  SharedAtomicCounter& operator=(const SharedAtomicCounter&) = delete;

  std::uint64_t increment();  // adds one; returns the new value
  [[nodiscard]] std::uint64_t value() const;

 private:
  struct State;  // you define it in src/shared_counters.cpp
  SharedMapping mapping_;
  State* state_ = nullptr;
};

// A counter guarded by a process-shared, *robust* pthread mutex. When a process dies
// while it holds the mutex, the next lock() does not block forever: it is told that the
// owner died (EOWNERDEAD), repairs what the mutex protects, marks the mutex consistent
// and carries on.
class RobustCounter {
 public:
  RobustCounter();  // starts at 0; throws std::system_error if the mutex cannot be made
  ~RobustCounter();
  RobustCounter(const RobustCounter&) = delete;
  RobustCounter& operator=(const RobustCounter&) = delete;

  std::uint64_t increment();  // adds one under the lock; returns the new value
  [[nodiscard]] std::uint64_t value() const;
  // How many times a lock() found the previous owner dead and recovered the mutex.
  [[nodiscard]] std::uint64_t recoveries() const;
  // Runs fn(count) while holding the lock; fn may change the count. The lock is released
  // when fn returns or throws; fn's exception reaches the caller. A process that dies inside fn leaves the mutex to be
  // recovered by the next locker (tests use this to die holding the lock).
  void with_lock(const std::function<void(std::uint64_t& count)>& fn);

 private:
  struct State;  // you define it in src/shared_counters.cpp
  SharedMapping mapping_;
  State* state_ = nullptr;
};

enum class SharedKind { atomic, robust_mutex };

[[nodiscard]] constexpr std::string_view name(SharedKind k) noexcept {
  return k == SharedKind::atomic ? "atomic" : "robust-mutex";
}

// `workers` threads or forked processes each increment one fresh counter of the given
// kind `increments` times, all at once; returns the final value (workers * increments).
// Every thread is joined and every child reaped before it returns or throws; a worker
// process that fails becomes WorkerFailed. Throws std::invalid_argument when workers is
// 0 or above 256, as run_workers does.
std::uint64_t run_shared_counter(SharedKind kind, Backend backend, unsigned workers,
                                 std::uint64_t increments);

}  // namespace parlab::lab03
