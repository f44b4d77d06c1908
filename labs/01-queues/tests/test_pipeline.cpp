// Lab 01, tasks 2-4: visible tests for the prime pipeline.
#include <chrono>
#include <stdexcept>

#include "parlab/lab01/pipeline.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/sieve.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab01;
using parlab::Range;

TEST_CASE("a worker answers each range and stops at its pill", "[lab01][task2]") {
  parlab_test::Watchdog watchdog("prime_worker with two ranges and a pill", 10s);
  BlockingQueue<TaskMessage> tasks;
  BlockingQueue<ResultMessage> results;
  tasks.push(Range{0, 10});
  tasks.push(Range{10, 20});
  tasks.push(PoisonPill{});
  prime_worker(4, tasks, results);

  auto first = results.pop();
  REQUIRE(std::holds_alternative<PrimeBatch>(first));
  CHECK(std::get<PrimeBatch>(first).primes == std::vector<std::uint64_t>{2, 3, 5, 7});
  auto second = results.pop();
  REQUIRE(std::holds_alternative<PrimeBatch>(second));
  CHECK(std::get<PrimeBatch>(second).primes == std::vector<std::uint64_t>{11, 13, 17, 19});
  auto last = results.pop();
  REQUIRE(std::holds_alternative<WorkerFinished>(last));
  CHECK(std::get<WorkerFinished>(last).worker == 4);
}

// A `find` that fails on one range, for the error paths.
std::vector<std::uint64_t> fails_from_50(Range r) {
  if (r.lo >= 50) throw std::runtime_error("find failed on purpose at " + std::to_string(r.lo));
  return parlab::primes_in(r);
}

TEST_CASE("a worker whose find throws reports WorkerFailed with the exception", "[lab01][task2]") {
  BlockingQueue<TaskMessage> tasks;
  BlockingQueue<ResultMessage> results;
  tasks.push(Range{50, 60});
  tasks.push(PoisonPill{});
  prime_worker(2, tasks, results, fails_from_50);

  auto message = results.pop();
  REQUIRE(std::holds_alternative<WorkerFailed>(message));
  const auto& failed = std::get<WorkerFailed>(message);
  CHECK(failed.worker == 2);
  CHECK_THROWS_WITH(std::rethrow_exception(failed.error), parlab_test::ContainsSubstring("failed on purpose at 50"));
  CHECK_FALSE(results.try_pop().has_value());  // nothing after the failure
}

TEST_CASE("primes_threads rethrows a worker's exception after joining", "[lab01][task3]") {
  CHECK_THROWS_WITH(primes_threads(2, 100, 10, fails_from_50), parlab_test::ContainsSubstring("failed on purpose"));
}

TEST_CASE("primes_threads finds the primes below 100", "[lab01][task3]") {
  parlab_test::Watchdog watchdog("primes_threads(2, 100, 10)", 10s);
  const auto got = primes_threads(2, 100, 10);
  CHECK(parlab_test::describe_mismatch(got, parlab_test::sieve_primes_below(100)) == "");
}

TEST_CASE("primes_threads rejects zero workers with a clear message", "[lab01][task3]") {
  CHECK_THROWS_AS(primes_threads(0, 100, 10), std::invalid_argument);
}

TEST_CASE("primes_processes finds the primes below 1000", "[lab01][task4]") {
  parlab_test::Watchdog watchdog("primes_processes(2, 1000, 50)", 20s);
  const auto got = primes_processes(2, 1000, 50);
  CHECK(parlab_test::describe_mismatch(got, parlab_test::sieve_primes_below(1000)) == "");
}

TEST_CASE("primes_processes turns a failed frame into WorkerDied carrying find's message", "[lab01][task4]") {
  const parlab_test::ResourceSnapshot before;
  CHECK_THROWS_WITH(primes_processes(2, 100, 10, fails_from_50), parlab_test::ContainsSubstring("failed on purpose"));
  CHECK_THROWS_AS(primes_processes(2, 100, 10, fails_from_50), WorkerDied);
  CHECK(before.leaks() == "");
}

TEST_CASE("primes_processes leaves no child process and no open pipe behind", "[lab01][task4]") {
  parlab_test::Watchdog watchdog("primes_processes(3, 5000, 100)", 20s);
  const parlab_test::ResourceSnapshot before;
  const auto got = primes_processes(3, 5000, 100);
  CHECK(got.size() == 669);
  CHECK(before.leaks() == "");
}
