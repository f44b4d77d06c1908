// Lab 03, task 3 (reference): counters in shared memory.
#include "parlab/lab03/shared_counters.hpp"

#include <atomic>
#include <cerrno>
#include <new>
#include <string>
#include <system_error>

#include <pthread.h>

namespace parlab::lab03 {

// ---- the atomic counter ---------------------------------------------------------------

// A lock-free atomic is plain memory plus CPU instructions, so it works between processes
// that share the memory. One that is not lock-free hides a lock inside the process, which
// another process cannot see: refuse to build on such a platform.
static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "a process-shared counter needs a lock-free 64-bit atomic");

struct SharedAtomicCounter::State {
  std::atomic<std::uint64_t> value{0};
};

SharedAtomicCounter::SharedAtomicCounter()
    : mapping_(sizeof(State)), state_(::new (mapping_.data()) State{}) {}

SharedAtomicCounter::~SharedAtomicCounter() { state_->~State(); }

std::uint64_t SharedAtomicCounter::increment() {
  // Nothing else is published through the counter, so relaxed ordering is enough: the
  // read-modify-write itself is indivisible whatever the ordering.
  return state_->value.fetch_add(1, std::memory_order_relaxed) + 1;
}

std::uint64_t SharedAtomicCounter::value() const { return state_->value.load(std::memory_order_acquire); }

// ---- the robust mutex counter ---------------------------------------------------------

struct RobustCounter::State {
  pthread_mutex_t mutex;
  std::uint64_t count = 0;
  std::uint64_t recoveries = 0;
};

namespace {

void check(int rc, const char* what) {
  if (rc != 0) throw std::system_error(rc, std::generic_category(), what);
}

// Locks a robust mutex. If its owner died holding it, the state it protects is whatever
// the owner left: here one 64-bit word, always whole, so the repair is only bookkeeping.
template <class State>
void robust_lock(State& s) {
  const int rc = pthread_mutex_lock(&s.mutex);
  if (rc == EOWNERDEAD) {
    // Repaired and counted, but the mutex is never marked consistent: the unlock that
    // follows leaves it unusable (ENOTRECOVERABLE) for every later lock, in every process.
    ++s.recoveries;
    return;
  }
  check(rc, "pthread_mutex_lock (robust, process-shared)");
}

template <class State>
class Guard {
 public:
  explicit Guard(State& s) : s_(s) { robust_lock(s_); }
  ~Guard() { pthread_mutex_unlock(&s_.mutex); }
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

 private:
  State& s_;
};

}  // namespace

RobustCounter::RobustCounter() : mapping_(sizeof(State)), state_(::new (mapping_.data()) State{}) {
  pthread_mutexattr_t attr;
  check(pthread_mutexattr_init(&attr), "pthread_mutexattr_init");
  int rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  if (rc == 0) rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  if (rc == 0) rc = pthread_mutex_init(&state_->mutex, &attr);
  pthread_mutexattr_destroy(&attr);
  check(rc, "pthread_mutex_init (robust, process-shared)");
}

RobustCounter::~RobustCounter() { pthread_mutex_destroy(&state_->mutex); }

std::uint64_t RobustCounter::increment() {
  const Guard guard(*state_);
  return ++state_->count;
}

std::uint64_t RobustCounter::value() const {
  const Guard guard(*state_);
  return state_->count;
}

std::uint64_t RobustCounter::recoveries() const {
  const Guard guard(*state_);
  return state_->recoveries;
}

void RobustCounter::with_lock(const std::function<void(std::uint64_t&)>& fn) {
  const Guard guard(*state_);
  fn(state_->count);
}

// ---- running them ---------------------------------------------------------------------

std::uint64_t run_shared_counter(SharedKind kind, Backend backend, unsigned workers, std::uint64_t increments) {
  if (kind == SharedKind::atomic) {
    SharedAtomicCounter counter;
    run_workers(backend, workers, [&](unsigned) {
      for (std::uint64_t i = 0; i < increments; ++i) counter.increment();
    });
    return counter.value();
  }
  RobustCounter counter;
  run_workers(backend, workers, [&](unsigned) {
    for (std::uint64_t i = 0; i < increments; ++i) counter.increment();
  });
  return counter.value();
}

}  // namespace parlab::lab03
