// Lab 03, task 3: hidden tests for the shared-memory counters.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab/lab03/shared_counters.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/explain.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab03;
using parlab_test::ContainsSubstring;

namespace {
std::string describe(SharedKind kind, Backend backend, unsigned workers, std::uint64_t increments) {
  return "run_shared_counter(" + std::string(name(kind)) + ", " + std::to_string(workers) + " " +
         std::string(name(backend)) + " x " + std::to_string(increments) + ")";
}
}  // namespace

TEST_CASE("shared counters give exactly 4 x 10000 on threads and on processes", "[lab03][task3]") {
  const SharedKind kind = GENERATE(SharedKind::atomic, SharedKind::robust_mutex);
  const Backend backend = GENERATE(Backend::threads, Backend::processes);
  CAPTURE(name(kind), name(backend));
  parlab_test::Watchdog watchdog(describe(kind, backend, 4, 10000), 60s);
  const parlab_test::ResourceSnapshot before;
  CHECK(run_shared_counter(kind, backend, 4, 10000) == 40000);
  CHECK(before.leaks() == "");
}

TEST_CASE("shared counters are exact for many worker counts", "[lab03][task3]") {
  const SharedKind kind = GENERATE(SharedKind::atomic, SharedKind::robust_mutex);
  const Backend backend = GENERATE(Backend::threads, Backend::processes);
  const unsigned workers = GENERATE(1u, 3u, 8u);
  const std::uint64_t increments = GENERATE(0u, 1u, 2000u);
  CAPTURE(name(kind), name(backend), workers, increments);
  parlab_test::Watchdog watchdog(describe(kind, backend, workers, increments), 60s);
  CHECK(run_shared_counter(kind, backend, workers, increments) == workers * increments);
}

TEST_CASE("threads of one process share each counter: increments and reads at once", "[lab03][task3]") {
  // The counters are made for processes, and the header promises threads the same. Only
  // here can ThreadSanitizer (the grader's race check) see a count kept in plain memory
  // without the atomic or the lock: it watches the threads of one process, not processes.
  const SharedKind kind = GENERATE(SharedKind::atomic, SharedKind::robust_mutex);
  CAPTURE(name(kind));
  parlab_test::Watchdog watchdog("4 threads incrementing one " + std::string(name(kind)) + " counter beside a reader", 60s);
  PARLAB_EXPLAIN("lost or repeated values between threads: the count must be a std::atomic (fetch_add) or be read and changed only under the mutex, value() included");
  SharedAtomicCounter atomic_counter;
  RobustCounter robust_counter;
  const auto increment = [&] { return kind == SharedKind::atomic ? atomic_counter.increment() : robust_counter.increment(); };
  const auto value = [&] { return kind == SharedKind::atomic ? atomic_counter.value() : robust_counter.value(); };
  constexpr unsigned writers = 4;
  constexpr std::uint64_t increments = 2000;
  std::atomic<unsigned> writers_done{0};
  std::atomic<bool> went_down{false};
  std::atomic<bool> duplicate_result{false};
  {
    std::vector<std::jthread> threads;
    std::vector<std::vector<std::uint64_t>> returned(writers);
    for (unsigned t = 0; t < writers; ++t) {
      threads.emplace_back([&, t] {
        for (std::uint64_t i = 0; i < increments; ++i) returned[t].push_back(increment());
        ++writers_done;
      });
    }
    threads.emplace_back([&] {
      std::uint64_t last = 0;
      while (writers_done.load() < writers) {
        const std::uint64_t now = value();
        if (now < last) went_down = true;
        last = now;
      }
    });
    for (auto& t : threads) t.join();
    // increment() returns the new value: every value from 1 to the total exactly once.
    std::vector<bool> seen(writers * increments + 1, false);
    for (const auto& values : returned) {
      for (const std::uint64_t v : values) {
        if (v == 0 || v >= seen.size() || seen[v]) duplicate_result = true;
        if (v < seen.size()) seen[v] = true;
      }
    }
  }
  CHECK(value() == writers * increments);
  CHECK_FALSE(went_down);
  CHECK_FALSE(duplicate_result);
  if (kind == SharedKind::robust_mutex) CHECK(robust_counter.recoveries() == 0);
}

TEST_CASE("run_shared_counter rejects 0 and more than 256 workers", "[lab03][task3]") {
  const SharedKind kind = GENERATE(SharedKind::atomic, SharedKind::robust_mutex);
  CHECK_THROWS_AS(run_shared_counter(kind, Backend::threads, 0, 10), std::invalid_argument);
  CHECK_THROWS_WITH(run_shared_counter(kind, Backend::processes, 257, 10), ContainsSubstring("workers"));
}

TEST_CASE("a SharedAtomicCounter made before fork is one counter for parent and children", "[lab03][task3]") {
  parlab_test::Watchdog watchdog("SharedAtomicCounter across fork", 20s);
  SharedAtomicCounter counter;
  CHECK(counter.increment() == 1);
  std::vector<parlab::ChildProcess> children;
  for (int c = 0; c < 3; ++c) {
    children.push_back(parlab::ChildProcess::fork([&] {
      for (int i = 0; i < 1000; ++i) counter.increment();
      return 0;
    }));
  }
  for (auto& c : children) CHECK(c.wait().success());
  CHECK(counter.value() == 3001);
  CHECK(counter.increment() == 3002);
}

TEST_CASE("the robust counter recovers a lock whose holder died and keeps every increment", "[lab03][task3]") {
  parlab_test::Watchdog watchdog("RobustCounter after its holder was SIGKILLed", 60s);
  PARLAB_EXPLAIN("after EOWNERDEAD the lock is yours but the mutex is marked inconsistent: call pthread_mutex_consistent before unlocking, or every later lock fails with ENOTRECOVERABLE");
  const parlab_test::ResourceSnapshot before;
  RobustCounter counter;
  {
    auto dying = parlab::ChildProcess::fork([&] {
      for (int i = 0; i < 500; ++i) counter.increment();
      counter.with_lock([](std::uint64_t& count) {
        count += 1;  // a finished update, then death before the unlock
        ::raise(SIGKILL);
      });
      return 0;
    });
    REQUIRE(dying.wait().signal == SIGKILL);
  }
  // Two threads of the parent race for the dead owner's lock: exactly one recovers it.
  run_workers(Backend::threads, 2, [&](unsigned) {
    for (int i = 0; i < 500; ++i) counter.increment();
  });
  CHECK(counter.value() == 1501);
  CHECK(counter.recoveries() == 1);
  // The mutex was marked consistent: other processes can still use it.
  run_workers(Backend::processes, 2, [&](unsigned) {
    for (int i = 0; i < 100; ++i) counter.increment();
  });
  CHECK(counter.value() == 1701);
  CHECK(counter.recoveries() == 1);
  CHECK(before.leaks() == "");
}

TEST_CASE("processes blocked on the robust mutex proceed when its holder is SIGKILLed", "[lab03][task3]") {
  parlab_test::Watchdog watchdog("waiters on a RobustCounter whose holder is SIGKILLed", 60s);
  PARLAB_EXPLAIN("waiters did not get the dead holder's lock: the mutex must be robust and process-shared (pthread_mutexattr_setrobust, setpshared), and EOWNERDEAD must be handled with pthread_mutex_consistent");
  RobustCounter counter;
  auto ready = parlab::Pipe::create();
  auto holder = parlab::ChildProcess::fork([&]() -> int {
    ready.read_end.reset();
    counter.with_lock([&](std::uint64_t&) {
      const char byte = 'H';
      parlab::write_value(ready.write_end.get(), byte);
      while (true) ::pause();
    });
    return 0;
  });
  ready.write_end.reset();
  char byte = 0;
  REQUIRE(parlab::read_value(ready.read_end.get(), byte));
  // These block behind the holder; they can only finish once it is dead and recovered.
  std::vector<parlab::ChildProcess> waiters;
  for (int c = 0; c < 2; ++c) {
    waiters.push_back(parlab::ChildProcess::fork([&] {
      for (int i = 0; i < 200; ++i) counter.increment();
      return 0;
    }));
  }
  std::this_thread::sleep_for(50ms);
  holder.kill(SIGKILL);
  CHECK(holder.wait().signal == SIGKILL);
  for (auto& w : waiters) CHECK(w.wait().success());
  CHECK(counter.value() == 400);
  CHECK(counter.recoveries() == 1);
}

TEST_CASE("with_lock releases the lock when fn throws", "[lab03][task3]") {
  parlab_test::Watchdog watchdog("RobustCounter::with_lock with a throwing fn", 20s);
  RobustCounter counter;
  CHECK_THROWS_WITH(counter.with_lock([](std::uint64_t& c) {
    c = 5;
    throw std::runtime_error("halfway");
  }),
                    ContainsSubstring("halfway"));
  CHECK(counter.increment() == 6);  // a lock left held would deadlock here
  counter.with_lock([](std::uint64_t& c) { c *= 10; });
  CHECK(counter.value() == 60);
  CHECK(counter.recoveries() == 0);
}

TEST_CASE("fresh shared counters start at zero", "[lab03][task3]") {
  const SharedAtomicCounter a;
  const RobustCounter r;
  CHECK(a.value() == 0);
  CHECK(r.value() == 0);
  CHECK(r.recoveries() == 0);
}
