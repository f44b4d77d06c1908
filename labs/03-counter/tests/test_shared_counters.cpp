// Lab 03, task 3: visible tests for the shared-memory counters.
#include <chrono>
#include <csignal>
#include <stdexcept>

#include "parlab/child_process.hpp"
#include "parlab/lab03/shared_counters.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab03;
using parlab_test::ContainsSubstring;

TEST_CASE("the shared atomic counter counts across processes", "[lab03][task3]") {
  parlab_test::Watchdog watchdog("run_shared_counter(atomic, 4 processes x 10000)", 60s);
  const parlab_test::ResourceSnapshot before;
  CHECK(run_shared_counter(SharedKind::atomic, Backend::processes, 4, 10000) == 40000);
  CHECK(before.leaks() == "");
}

TEST_CASE("the robust counter counts across threads", "[lab03][task3]") {
  parlab_test::Watchdog watchdog("run_shared_counter(robust-mutex, 4 threads x 10000)", 60s);
  CHECK(run_shared_counter(SharedKind::robust_mutex, Backend::threads, 4, 10000) == 40000);
}

TEST_CASE("the robust counter recovers when its holder is killed", "[lab03][task3]") {
  parlab_test::Watchdog watchdog("RobustCounter::increment after the holder was SIGKILLed", 30s);
  RobustCounter counter;
  auto child = parlab::ChildProcess::fork([&] {
    counter.increment();
    counter.with_lock([](std::uint64_t&) { ::raise(SIGKILL); });  // dies holding the lock
    return 0;
  });
  const auto status = child.wait();
  REQUIRE(status.signal == SIGKILL);
  CHECK(counter.increment() == 2);  // would block forever on an ordinary mutex
  CHECK(counter.recoveries() == 1);
}

TEST_CASE("a SharedAtomicCounter starts at 0 and counts a child's increments", "[lab03][task3]") {
  parlab_test::Watchdog watchdog("SharedAtomicCounter shared with one child", 30s);
  SharedAtomicCounter counter;
  CHECK(counter.value() == 0);
  CHECK(counter.increment() == 1);
  auto child = parlab::ChildProcess::fork([&] {
    counter.increment();
    counter.increment();
    return 0;
  });
  REQUIRE(child.wait().success());
  CHECK(counter.value() == 3);  // a copy in the child's own memory would leave 1 here
}

TEST_CASE("a RobustCounter starts at 0 and with_lock may change the count", "[lab03][task3]") {
  RobustCounter counter;
  CHECK(counter.value() == 0);
  CHECK(counter.recoveries() == 0);
  counter.with_lock([](std::uint64_t& count) { count = 41; });
  CHECK(counter.increment() == 42);
  CHECK(counter.value() == 42);
}

TEST_CASE("with_lock passes fn's exception on and unlocks", "[lab03][task3]") {
  RobustCounter counter;
  CHECK_THROWS_WITH(counter.with_lock([](std::uint64_t&) { throw std::runtime_error("fn gave up"); }),
                    ContainsSubstring("fn gave up"));
  CHECK(counter.increment() == 1);  // hangs if the throw left the mutex locked
  CHECK(counter.recoveries() == 0);
}

TEST_CASE("run_shared_counter counts robust increments of processes and atomic ones of threads", "[lab03][task3]") {
  parlab_test::Watchdog watchdog("run_shared_counter(robust-mutex processes, atomic threads; 3 x 1000)", 60s);
  CHECK(run_shared_counter(SharedKind::robust_mutex, Backend::processes, 3, 1000) == 3000);
  CHECK(run_shared_counter(SharedKind::atomic, Backend::threads, 3, 1000) == 3000);
}

TEST_CASE("run_shared_counter rejects 0 and 257 workers", "[lab03][task3]") {
  for (const SharedKind kind : {SharedKind::atomic, SharedKind::robust_mutex}) {
    CAPTURE(name(kind));
    CHECK_THROWS_AS(run_shared_counter(kind, Backend::threads, 0, 10), std::invalid_argument);
    CHECK_THROWS_WITH(run_shared_counter(kind, Backend::processes, 257, 10), ContainsSubstring("workers"));
  }
}
