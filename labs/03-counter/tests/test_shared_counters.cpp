// Lab 03, task 3: visible tests for the shared-memory counters.
#include <chrono>
#include <csignal>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "parlab/child_process.hpp"
#include "parlab/lab03/shared_counters.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab03;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;  // every call into the code under test runs in a child process

TEST_CASE("the shared atomic counter counts across processes", "[lab03][task3]") {
  parlab_test::Watchdog watchdog("run_shared_counter(atomic, 4 processes x 10000)", 60s);
  // The leaks are those of the process that ran the workers.
  const auto [total, leaks] = isolated([] {
    const parlab_test::ResourceSnapshot before;
    const std::uint64_t counted = run_shared_counter(SharedKind::atomic, Backend::processes, 4, 10000);
    return std::pair{counted, before.leaks()};
  });
  CHECK(total == 40000);
  CHECK(leaks == "");
}

TEST_CASE("the robust counter counts across threads", "[lab03][task3]") {
  parlab_test::Watchdog watchdog("run_shared_counter(robust-mutex, 4 threads x 10000)", 60s);
  CHECK(isolated([] { return run_shared_counter(SharedKind::robust_mutex, Backend::threads, 4, 10000); }) == 40000);
}

TEST_CASE("the robust counter recovers when its holder is killed", "[lab03][task3]") {
  parlab_test::Watchdog watchdog("RobustCounter::increment after the holder was SIGKILLed", 30s);
  struct Recovery {
    int holder_signal;
    std::uint64_t increment_after;
    std::uint64_t recoveries;
  };
  const Recovery seen = isolated([] {
    RobustCounter counter;
    auto child = parlab::ChildProcess::fork([&] {
      counter.increment();
      counter.with_lock([](std::uint64_t&) { ::raise(SIGKILL); });  // dies holding the lock
      return 0;
    });
    const int signal = child.wait().signal;
    if (signal != SIGKILL) return Recovery{signal, 0, 0};
    const std::uint64_t after = counter.increment();  // would block forever on an ordinary mutex
    return Recovery{signal, after, counter.recoveries()};
  });
  REQUIRE(seen.holder_signal == SIGKILL);
  CHECK(seen.increment_after == 2);
  CHECK(seen.recoveries == 1);
}

TEST_CASE("a SharedAtomicCounter starts at 0 and counts a child's increments", "[lab03][task3]") {
  parlab_test::Watchdog watchdog("SharedAtomicCounter shared with one child", 30s);
  struct Seen {
    std::uint64_t value_at_start;
    std::uint64_t first_increment;
    bool child_succeeded;
    std::uint64_t value_after_child;
  };
  const Seen seen = isolated([] {
    SharedAtomicCounter counter;
    Seen s{};
    s.value_at_start = counter.value();
    s.first_increment = counter.increment();
    auto child = parlab::ChildProcess::fork([&] {
      counter.increment();
      counter.increment();
      return 0;
    });
    s.child_succeeded = child.wait().success();
    if (s.child_succeeded) s.value_after_child = counter.value();
    return s;
  });
  CHECK(seen.value_at_start == 0);
  CHECK(seen.first_increment == 1);
  REQUIRE(seen.child_succeeded);
  CHECK(seen.value_after_child == 3);  // a copy in the child's own memory would leave 1 here
}

TEST_CASE("a RobustCounter starts at 0 and with_lock may change the count", "[lab03][task3]") {
  struct Seen {
    std::uint64_t value_at_start;
    std::uint64_t recoveries_at_start;
    std::uint64_t increment_after_41;
    std::uint64_t value_at_end;
  };
  const Seen seen = isolated([] {
    RobustCounter counter;
    Seen s{};
    s.value_at_start = counter.value();
    s.recoveries_at_start = counter.recoveries();
    counter.with_lock([](std::uint64_t& count) { count = 41; });
    s.increment_after_41 = counter.increment();
    s.value_at_end = counter.value();
    return s;
  });
  CHECK(seen.value_at_start == 0);
  CHECK(seen.recoveries_at_start == 0);
  CHECK(seen.increment_after_41 == 42);
  CHECK(seen.value_at_end == 42);
}

TEST_CASE("with_lock passes fn's exception on and unlocks", "[lab03][task3]") {
  const auto [thrown, increment_after, recoveries] = isolated([] {
    RobustCounter counter;
    std::string what;
    try {
      counter.with_lock([](std::uint64_t&) { throw std::runtime_error("fn gave up"); });
    } catch (const std::exception& e) {
      what = e.what();
    }
    const std::uint64_t after = counter.increment();  // hangs if the throw left the mutex locked
    return std::tuple{what, after, counter.recoveries()};  // what: "" when with_lock threw nothing
  });
  CHECK_THAT(thrown, ContainsSubstring("fn gave up"));
  CHECK(increment_after == 1);
  CHECK(recoveries == 0);
}

TEST_CASE("run_shared_counter counts robust increments of processes and atomic ones of threads", "[lab03][task3]") {
  parlab_test::Watchdog watchdog("run_shared_counter(robust-mutex processes, atomic threads; 3 x 1000)", 60s);
  CHECK(isolated([] { return run_shared_counter(SharedKind::robust_mutex, Backend::processes, 3, 1000); }) == 3000);
  CHECK(isolated([] { return run_shared_counter(SharedKind::atomic, Backend::threads, 3, 1000); }) == 3000);
}

TEST_CASE("run_shared_counter rejects 0 and 257 workers", "[lab03][task3]") {
  for (const SharedKind kind : {SharedKind::atomic, SharedKind::robust_mutex}) {
    CAPTURE(name(kind));
    CHECK_THROWS_AS(isolated([&] { return run_shared_counter(kind, Backend::threads, 0, 10); }), std::invalid_argument);
    CHECK_THROWS_WITH(isolated([&] { return run_shared_counter(kind, Backend::processes, 257, 10); }),
                      ContainsSubstring("workers"));
  }
}
