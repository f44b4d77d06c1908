// Lab 04, task 2: visible tests for the atomic flag and is_prime_threads.
#include <chrono>
#include <stdexcept>

#include "lab04_support.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab04;
using parlab_test::ContainsSubstring;

TEST_CASE("AtomicStopFlag starts lowered and can be raised and cleared", "[lab04][task2]") {
  AtomicStopFlag flag;
  CHECK_FALSE(flag.is_set());
  flag.raise();
  CHECK(flag.is_set());
  flag.clear();
  CHECK_FALSE(flag.is_set());
}

TEST_CASE("is_prime_threads answers the small composite in the pre-check", "[lab04][task2]") {
  parlab_test::Watchdog watchdog("is_prime_threads(112272535095295, 2)", 30s);
  const Verdict v = is_prime_threads(lab04_test::kSmallComposite, 2);
  INFO(lab04_test::describe(lab04_test::kSmallComposite, v));
  CHECK_FALSE(v.prime);
  CHECK(v.factor == 5);
  CHECK(v.workers.empty());
}

TEST_CASE("is_prime_threads finds the factor of 100109100129101027", "[lab04][task2]") {
  parlab_test::Watchdog watchdog("is_prime_threads(100109100129101027, 2)", 60s);
  const Verdict v = is_prime_threads(lab04_test::kComposite2, 2);
  INFO(lab04_test::describe(lab04_test::kComposite2, v));
  CHECK_FALSE(v.prime);
  CHECK(v.factor == lab04_test::kComposite2Factor);
  CHECK(v.workers.size() == 2);
}

TEST_CASE("is_prime_threads proves 100109100129100151 prime", "[lab04][task2]") {
  parlab_test::Watchdog watchdog("is_prime_threads(100109100129100151, 2)", 60s);
  const Verdict v = is_prime_threads(lab04_test::kPrime1, 2);
  INFO(lab04_test::describe(lab04_test::kPrime1, v));
  CHECK(v.prime);
  CHECK(v.divisions() == (parlab::isqrt(lab04_test::kPrime1) - 3) / 2 + 1);  // every odd divisor once
}

TEST_CASE("is_prime_threads rejects zero workers", "[lab04][task2]") {
  CHECK_THROWS_AS(is_prime_threads(101, 0), std::invalid_argument);
  CHECK_THROWS_WITH(is_prime_threads(101, 0), ContainsSubstring("workers"));
}
