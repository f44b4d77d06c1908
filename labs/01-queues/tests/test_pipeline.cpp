// Lab 01, tasks 2-4: visible tests for the prime pipeline.
//
// Each test runs your code inside parlab_test::isolated(): a forked child that hands back
// what it saw (the messages your worker sent, the primes, the leaks), and the CHECKs then
// compare that in the test process. lab01_test::seen turns a ResultMessage into plain fields.
#include <chrono>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "lab01_support.hpp"
#include "parlab/lab01/pipeline.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/sieve.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab01;
using parlab::Range;
using parlab_test::isolated;

PARLAB_ISOLATED_EXCEPTION(parlab::lab01::WorkerDied);

TEST_CASE("a worker answers each range and stops at its pill", "[lab01][task2]") {
  parlab_test::Watchdog watchdog("prime_worker with two ranges and a pill", 10s);
  const auto messages = isolated([] {
    BlockingQueue<TaskMessage> tasks;
    BlockingQueue<ResultMessage> results;
    tasks.push(Range{0, 10});
    tasks.push(Range{10, 20});
    tasks.push(PoisonPill{});
    prime_worker(4, tasks, results);
    return lab01_test::pop_expecting(results, {"PrimeBatch", "PrimeBatch", "WorkerFinished"});
  });

  REQUIRE(messages.size() >= 1);
  REQUIRE(messages[0].kind == "PrimeBatch");
  CHECK(messages[0].primes == std::vector<std::uint64_t>{2, 3, 5, 7});
  REQUIRE(messages.size() >= 2);
  REQUIRE(messages[1].kind == "PrimeBatch");
  CHECK(messages[1].primes == std::vector<std::uint64_t>{11, 13, 17, 19});
  REQUIRE(messages.size() == 3);
  REQUIRE(messages[2].kind == "WorkerFinished");
  CHECK(messages[2].worker == 4);
}

// A `find` that fails on one range, for the error paths.
std::vector<std::uint64_t> fails_from_50(Range r) {
  if (r.lo >= 50) throw std::runtime_error("find failed on purpose at " + std::to_string(r.lo));
  return parlab::primes_in(r);
}

TEST_CASE("a worker whose find throws reports WorkerFailed with the exception", "[lab01][task2]") {
  const auto [messages, more_after_failure] = isolated([] {
    BlockingQueue<TaskMessage> tasks;
    BlockingQueue<ResultMessage> results;
    tasks.push(Range{50, 60});
    tasks.push(PoisonPill{});
    prime_worker(2, tasks, results, fails_from_50);
    auto popped = lab01_test::pop_expecting(results, {"WorkerFailed"});
    return std::pair{popped, results.try_pop().has_value()};
  });

  REQUIRE(messages.size() == 1);
  REQUIRE(messages[0].kind == "WorkerFailed");
  CHECK(messages[0].worker == 2);
  CHECK_THAT(messages[0].error, parlab_test::ContainsSubstring("failed on purpose at 50"));
  CHECK_FALSE(more_after_failure);  // nothing after the failure
}

TEST_CASE("primes_threads rethrows a worker's exception after joining", "[lab01][task3]") {
  CHECK_THROWS_WITH(isolated([] { (void)primes_threads(2, 100, 10, fails_from_50); }),
                    parlab_test::ContainsSubstring("failed on purpose"));
}

TEST_CASE("primes_threads finds the primes below 100", "[lab01][task3]") {
  parlab_test::Watchdog watchdog("primes_threads(2, 100, 10)", 10s);
  const auto got = isolated([] { return primes_threads(2, 100, 10); });
  CHECK(parlab_test::describe_mismatch(got, parlab_test::sieve_primes_below(100)) == "");
}

TEST_CASE("primes_threads rejects zero workers with a clear message", "[lab01][task3]") {
  CHECK_THROWS_AS(isolated([] { (void)primes_threads(0, 100, 10); }), std::invalid_argument);
}

TEST_CASE("primes_processes finds the primes below 1000", "[lab01][task4]") {
  parlab_test::Watchdog watchdog("primes_processes(2, 1000, 50)", 20s);
  const auto got = isolated([] { return primes_processes(2, 1000, 50); });
  CHECK(parlab_test::describe_mismatch(got, parlab_test::sieve_primes_below(1000)) == "");
}

TEST_CASE("primes_processes turns a failed frame into WorkerDied carrying find's message", "[lab01][task4]") {
  // The leak check looks at the process that ran primes_processes: the child.
  const auto [message, second_call, leaks] = isolated([] {
    const parlab_test::ResourceSnapshot before;
    auto first = lab01_test::message_of([] { (void)primes_processes(2, 100, 10, fails_from_50); });
    auto second = lab01_test::outcome_of<WorkerDied>([] { (void)primes_processes(2, 100, 10, fails_from_50); }, "WorkerDied");
    return std::tuple{first, second, before.leaks()};
  });
  CHECK_THAT(message, parlab_test::ContainsSubstring("failed on purpose"));
  CHECK(second_call == "WorkerDied");
  CHECK(leaks == "");
}

TEST_CASE("primes_processes leaves no child process and no open pipe behind", "[lab01][task4]") {
  parlab_test::Watchdog watchdog("primes_processes(3, 5000, 100)", 20s);
  const auto got = isolated([] {
    const parlab_test::ResourceSnapshot before;
    auto primes = primes_processes(3, 5000, 100);
    return lab01_test::PrimesAndLeaks{primes, before.leaks()};
  });
  CHECK(got.primes.size() == 669);
  CHECK(got.leaks == "");
}
