// Lab 04, task 2: visible tests for the atomic flag and is_prime_threads.
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "lab04_support.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/explain.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/watchdog.hpp"

// Every call into the lab's code runs in a child (parlab_test::isolated); the checks run
// here on what it handed back.
using namespace std::chrono_literals;
using namespace parlab::lab04;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

namespace {
// What AtomicStopFlag::is_set() said: new, raised, cleared.
struct FlagStates {
  bool fresh;
  bool raised;
  bool cleared;
};
}  // namespace

TEST_CASE("AtomicStopFlag starts lowered and can be raised and cleared", "[lab04][task2]") {
  const FlagStates seen = isolated([] {
    AtomicStopFlag flag;
    FlagStates states{};
    states.fresh = flag.is_set();
    flag.raise();
    states.raised = flag.is_set();
    flag.clear();
    states.cleared = flag.is_set();
    return states;
  });
  CHECK_FALSE(seen.fresh);
  CHECK(seen.raised);
  CHECK_FALSE(seen.cleared);
}

TEST_CASE("is_prime_threads answers the small composite in the pre-check", "[lab04][task2]") {
  parlab_test::Watchdog watchdog("is_prime_threads(112272535095295, 2)", 30s);
  const Verdict v = isolated([] { return is_prime_threads(lab04_test::kSmallComposite, 2); });
  INFO(lab04_test::describe(lab04_test::kSmallComposite, v));
  CHECK_FALSE(v.prime);
  CHECK(v.factor == 5);
  CHECK(v.workers.empty());
}

TEST_CASE("is_prime_threads finds the factor of 100109100129101027", "[lab04][task2]") {
  parlab_test::Watchdog watchdog("is_prime_threads(100109100129101027, 2)", 60s);
  const Verdict v = isolated([] { return is_prime_threads(lab04_test::kComposite2, 2); });
  INFO(lab04_test::describe(lab04_test::kComposite2, v));
  CHECK_FALSE(v.prime);
  CHECK(v.factor == lab04_test::kComposite2Factor);
  CHECK(v.workers.size() == 2);
}

TEST_CASE("is_prime_threads proves 100109100129100151 prime", "[lab04][task2]") {
  parlab_test::Watchdog watchdog("is_prime_threads(100109100129100151, 2)", 60s);
  const Verdict v = isolated([] { return is_prime_threads(lab04_test::kPrime1, 2); });
  INFO(lab04_test::describe(lab04_test::kPrime1, v));
  CHECK(v.prime);
  CHECK(v.divisions() == (parlab::isqrt(lab04_test::kPrime1) - 3) / 2 + 1);  // every odd divisor once
}

TEST_CASE("is_prime_threads rejects 0 and 257 workers", "[lab04][task2]") {
  CHECK_THROWS_AS(isolated([] { return is_prime_threads(101, 0); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return is_prime_threads(101, 0); }), ContainsSubstring("workers"));
  CHECK_THROWS_WITH(isolated([] { return is_prime_threads(lab04_test::kPrime1, kMaxWorkers + 1); }), ContainsSubstring("workers"));
}

TEST_CASE("is_prime_threads decides 0 to 4 and even numbers without a thread", "[lab04][task2]") {
  for (const std::uint64_t n : {0u, 1u, 2u, 3u, 4u, 1'000'000u}) {
    CAPTURE(n);
    const Verdict v = isolated([&] { return is_prime_threads(n, 4); });
    CHECK(v.prime == (n == 2 || n == 3));
    CHECK(v.factor == (n >= 4 ? 2u : 0u));
    CHECK(v.workers.empty());
  }
}

TEST_CASE("is_prime_threads gives each worker the range plan_search planned", "[lab04][task2]") {
  parlab_test::Watchdog watchdog("is_prime_threads(1000006000009, 3)", 60s);
  const Verdict v = isolated([] { return is_prime_threads(1'000'006'000'009, 3); });  // 1000003 squared
  CHECK(lab04_test::verdict_problems({1'000'006'000'009, false, 1'000'003}, 3, v) == "");
}

TEST_CASE("is_prime_threads calls off the first worker once the second finds 150000001", "[lab04][task2]") {
  using lab04_test::kEarlyFactorOf2;
  parlab_test::Watchdog watchdog("is_prime_threads(" + std::to_string(kEarlyFactorOf2) + ", 2), up to three times", 120s);
  PARLAB_EXPLAIN("worker 0 ran on after worker 1 raised the flag: both must share one flag, and check_range must read it every check_every divisions");
  CHECK(lab04_test::early_exit_in_some_attempt(kEarlyFactorOf2, 1, lab04_test::kEarlyFactorOf2Factor,
                                               [] { return is_prime_threads(kEarlyFactorOf2, 2); }) == "");
}
