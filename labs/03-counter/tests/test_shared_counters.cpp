// Lab 03, task 3: visible tests for the shared-memory counters.
#include <chrono>
#include <csignal>

#include "parlab/child_process.hpp"
#include "parlab/lab03/shared_counters.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab03;

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
