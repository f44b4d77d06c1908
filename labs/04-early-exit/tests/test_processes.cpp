// Lab 04, task 3: visible tests for the mmap flag and is_prime_processes.
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "lab04_support.hpp"
#include "parlab/child_process.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/explain.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab04;
using parlab_test::ContainsSubstring;

TEST_CASE("a SharedStopFlag raised in a child is seen by its parent", "[lab04][task3]") {
  parlab_test::Watchdog watchdog("a child raising a SharedStopFlag", 20s);
  SharedStopFlag flag;
  CHECK_FALSE(flag.is_set());
  auto child = parlab::ChildProcess::fork([&] {
    flag.raise();
    return 0;
  });
  REQUIRE(child.wait().success());
  CHECK(flag.is_set());
  flag.clear();
  CHECK_FALSE(flag.is_set());
}

TEST_CASE("a SharedStopFlag gives its mapping back", "[lab04][task3]") {
  const int before = lab04_test::shared_mappings();
  {
    SharedStopFlag flag;
    CHECK(lab04_test::shared_mappings() == before + 1);
  }
  CHECK(lab04_test::shared_mappings() == before);
}

TEST_CASE("is_prime_processes answers the curriculum's numbers", "[lab04][task3]") {
  parlab_test::Watchdog watchdog("is_prime_processes on the curriculum's numbers", 60s);
  const Verdict composite = is_prime_processes(lab04_test::kComposite2, 2);
  INFO(lab04_test::describe(lab04_test::kComposite2, composite));
  CHECK_FALSE(composite.prime);
  CHECK(composite.factor == lab04_test::kComposite2Factor);
  const Verdict prime = is_prime_processes(lab04_test::kPrime2, 2);
  INFO(lab04_test::describe(lab04_test::kPrime2, prime));
  CHECK(prime.prime);
}

TEST_CASE("is_prime_processes leaves no child or fd or mapping behind", "[lab04][task3]") {
  parlab_test::Watchdog watchdog("is_prime_processes(1000006000009, 3)", 60s);
  const parlab_test::ResourceSnapshot before;
  const int mappings = lab04_test::shared_mappings();
  const Verdict v = is_prime_processes(1'000'006'000'009, 3);  // 1000003 squared
  CHECK_FALSE(v.prime);
  CHECK(v.factor == 1'000'003);
  CHECK(before.leaks() == "");
  CHECK(lab04_test::shared_mappings() == mappings);
}

TEST_CASE("is_prime_processes calls off the first worker once the second finds 150000001", "[lab04][task3]") {
  using lab04_test::kEarlyFactorOf2;
  parlab_test::Watchdog watchdog("is_prime_processes(" + std::to_string(kEarlyFactorOf2) + ", 2), up to three times", 120s);
  PARLAB_EXPLAIN("worker 0 ran on after worker 1 raised the flag: the flag must live in the shared mapping, made before the fork, so that both children see one byte");
  CHECK(lab04_test::early_exit_in_some_attempt(kEarlyFactorOf2, 1, lab04_test::kEarlyFactorOf2Factor,
                                               [] { return is_prime_processes(kEarlyFactorOf2, 2); }) == "");
}

TEST_CASE("is_prime_processes rejects 0 and 257 workers without forking", "[lab04][task3]") {
  const parlab_test::ResourceSnapshot before;
  CHECK_THROWS_AS(is_prime_processes(lab04_test::kPrime1, 0), std::invalid_argument);
  CHECK_THROWS_WITH(is_prime_processes(lab04_test::kPrime1, kMaxWorkers + 1), ContainsSubstring("workers"));
  CHECK(before.leaks() == "");
}

TEST_CASE("is_prime_processes gives each worker the range plan_search planned", "[lab04][task3]") {
  parlab_test::Watchdog watchdog("is_prime_processes(1000006000009, 3)", 60s);
  const Verdict v = is_prime_processes(1'000'006'000'009, 3);  // 1000003 squared
  CHECK(lab04_test::verdict_problems({1'000'006'000'009, false, 1'000'003}, 3, v) == "");
}
