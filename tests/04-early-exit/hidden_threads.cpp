// Lab 04, task 2: hidden tests for the atomic flag and is_prime_threads.
// Early exit is checked in divisions counted, never in seconds.
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "../../labs/04-early-exit/tests/lab04_support.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/explain.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

// Every call into the lab's code runs in a child (parlab_test::isolated); the checks run
// here on what it handed back.
using namespace std::chrono_literals;
using namespace parlab::lab04;
using lab04_test::KnownAnswer;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

TEST_CASE("an AtomicStopFlag raised in one thread is seen in another", "[lab04][task2]") {
  parlab_test::Watchdog watchdog("a thread waiting for an AtomicStopFlag", 20s);
  const bool seen = isolated([] {
    AtomicStopFlag flag;
    StopFlag& as_base = flag;
    std::jthread waiter([&] {
      while (!as_base.is_set()) std::this_thread::yield();
    });
    as_base.raise();
    waiter.join();
    return flag.is_set();
  });
  CHECK(seen);
}

TEST_CASE("is_prime_threads answers 0 to 4 even numbers squares and numbers near 2^64", "[lab04][task2]") {
  const unsigned workers = GENERATE(1u, 2u, 3u, 8u);
  for (const KnownAnswer& want : lab04_test::cheap_answers()) {
    CAPTURE(want.n, workers);
    parlab_test::Watchdog watchdog("is_prime_threads(" + std::to_string(want.n) + ")", 60s);
    const Verdict v = isolated([&] { return is_prime_threads(want.n, workers); });
    CHECK(lab04_test::verdict_problems(want, workers, v) == "");
  }
}

TEST_CASE("is_prime_threads finds the factor of the square of a large prime", "[lab04][task2]") {
  // 99999989^2: the only divisor is isqrt(n) itself, the very last one of the last range.
  parlab_test::Watchdog watchdog("is_prime_threads(99999989^2, 3)", 60s);
  const KnownAnswer want{9'999'997'800'000'121, false, 99'999'989};
  const Verdict v = isolated([&] { return is_prime_threads(want.n, 3); });
  CHECK(lab04_test::verdict_problems(want, 3, v) == "");
}

TEST_CASE("is_prime_threads answers the curriculum's composites", "[lab04][task2]") {
  const KnownAnswer want = GENERATE(KnownAnswer{lab04_test::kComposite1, false, lab04_test::kComposite1Factor},
                                    KnownAnswer{lab04_test::kComposite2, false, lab04_test::kComposite2Factor},
                                    KnownAnswer{lab04_test::kSmallComposite, false, 5});
  const unsigned workers = GENERATE(1u, 2u, 4u);
  CAPTURE(want.n, workers);
  parlab_test::Watchdog watchdog("is_prime_threads(" + std::to_string(want.n) + ")", 60s);
  const Verdict v = isolated([&] { return is_prime_threads(want.n, workers); });
  CHECK(lab04_test::verdict_problems(want, workers, v) == "");
}

TEST_CASE("is_prime_threads proves both 18-digit primes prime", "[lab04][task2]") {
  const std::uint64_t n = GENERATE(lab04_test::kPrime1, lab04_test::kPrime2);
  CAPTURE(n);
  parlab_test::Watchdog watchdog("is_prime_threads(" + std::to_string(n) + ", 2)", 120s);
  const Verdict v = isolated([&] { return is_prime_threads(n, 2); });
  CHECK(lab04_test::verdict_problems({n, true, 0}, 2, v) == "");
  CHECK(v.divisions() == (parlab::isqrt(n) - 3) / 2 + 1);
}

TEST_CASE("is_prime_threads stops the other worker early when the factor opens the second range", "[lab04][task2]") {
  // Two workers: the factor 150000001 lies ten divisions into the second range, so the
  // finder's count is exact and small; the first worker must stop long before the end of
  // its 75 million, however late the scheduler lets the finder run.
  using lab04_test::kEarlyFactorOf2;
  using lab04_test::kEarlyFactorOf2Factor;
  parlab_test::Watchdog watchdog("is_prime_threads(" + std::to_string(kEarlyFactorOf2) + ", 2) three times", 120s);
  PARLAB_EXPLAIN("a worker kept going after the flag was raised: it reads the flag too rarely or never (every check_every divisions), or the workers do not share one flag");
  const Verdict v = isolated([] { return is_prime_threads(kEarlyFactorOf2, 2); });
  INFO(lab04_test::describe(kEarlyFactorOf2, v));
  CHECK(lab04_test::verdict_problems({kEarlyFactorOf2, false, kEarlyFactorOf2Factor}, 2, v) == "");
  REQUIRE(v.workers.size() == 2);
  CHECK(v.workers[1].result.divisions == (kEarlyFactorOf2Factor - v.workers[1].divisors.lo) / 2 + 1);
  CHECK(lab04_test::early_exit_in_some_attempt(kEarlyFactorOf2, 1, kEarlyFactorOf2Factor,
                                               [] { return is_prime_threads(kEarlyFactorOf2, 2); }) == "");
}

TEST_CASE("is_prime_threads stops three workers early when the factor opens the second of four ranges", "[lab04][task2]") {
  // Four workers: the factor 230000003 lies ten divisions into the second of four ranges
  // of 115 million; every other worker must stop before the end of its range.
  using lab04_test::kEarlyFactorOf4;
  using lab04_test::kEarlyFactorOf4Factor;
  parlab_test::Watchdog watchdog("is_prime_threads(" + std::to_string(kEarlyFactorOf4) + ", 4) three times", 120s);
  PARLAB_EXPLAIN("a worker kept going after the flag was raised: every worker must read the one shared flag every check_every divisions");
  CHECK(lab04_test::early_exit_in_some_attempt(kEarlyFactorOf4, 1, kEarlyFactorOf4Factor,
                                               [] { return is_prime_threads(kEarlyFactorOf4, 4); }) == "");
}

TEST_CASE("is_prime_threads with check_every never lets every worker finish its range", "[lab04][task2]") {
  parlab_test::Watchdog watchdog("is_prime_threads(100109100129101027, 2, never)", 60s);
  const Verdict v = isolated([] { return is_prime_threads(lab04_test::kComposite2, 2, kNeverCheck); });
  INFO(lab04_test::describe(lab04_test::kComposite2, v));
  CHECK_FALSE(v.prime);
  REQUIRE(v.workers.size() == 2);
  CHECK(to_string(v.workers[0].result.outcome) == std::string("not_found"));
  CHECK(v.workers[0].result.divisions == lab04_test::odd_count(v.workers[0].divisors));
}

TEST_CASE("is_prime_threads is right for every check_every", "[lab04][task2]") {
  const std::uint64_t every = GENERATE(std::uint64_t{1}, std::uint64_t{7}, std::uint64_t{100'000},
                                       std::uint64_t{1} << 40);
  CAPTURE(every);
  parlab_test::Watchdog watchdog("is_prime_threads(n, 3, check_every)", 60s);
  const auto [composite, prime] = isolated([&] {
    return std::pair{is_prime_threads(lab04_test::kComposite2, 3, every), is_prime_threads(1'000'000'000'039, 3, every)};
  });
  CHECK(lab04_test::verdict_problems({lab04_test::kComposite2, false, lab04_test::kComposite2Factor}, 3, composite) == "");
  CHECK(lab04_test::verdict_problems({1'000'000'000'039, true, 0}, 3, prime) == "");
}

TEST_CASE("is_prime_threads starts every search with the flag down", "[lab04][task2]") {
  // The seed's bug: the flag raised by one search was still up when the next one began,
  // so the prime after a composite came out as an error or as "composite".
  parlab_test::Watchdog watchdog("is_prime_threads on a composite, then on primes", 60s);
  PARLAB_EXPLAIN("the flag raised by an earlier search is still up: make the flag a local variable of is_prime_threads, not a static or a global");
  // One child makes all three searches: a flag left over from the first must show in the others.
  const std::vector<std::uint64_t> primes = {1'000'000'000'039, 1'000'000'007};
  const auto [composite, after] = isolated([&] {
    const Verdict first = is_prime_threads(lab04_test::kComposite2, 2);
    std::vector<Verdict> then;
    for (const std::uint64_t n : primes) then.push_back(is_prime_threads(n, 2, 1));
    return std::pair{first, then};
  });
  CHECK_FALSE(composite.prime);
  REQUIRE(after.size() == primes.size());
  for (std::size_t i = 0; i < primes.size(); ++i) {
    const std::uint64_t n = primes[i];
    CAPTURE(n);
    CHECK(lab04_test::verdict_problems({n, true, 0}, 2, after[i]) == "");
  }
}

TEST_CASE("is_prime_threads rejects a bad number of workers and leaves nothing behind", "[lab04][task2]") {
  CHECK_THROWS_AS(isolated([] { return is_prime_threads(lab04_test::kPrime1, 0); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return is_prime_threads(lab04_test::kPrime1, kMaxWorkers + 1); }), ContainsSubstring("workers"));
  // The same calls again in one child, which sees what they leave behind in it.
  const auto [factor, leaks] = isolated([] {
    const parlab_test::ResourceSnapshot before;
    lab04_test::ignore_thrown<std::invalid_argument>([] { return is_prime_threads(lab04_test::kPrime1, 0); });
    lab04_test::ignore_thrown<std::invalid_argument>([] { return is_prime_threads(lab04_test::kPrime1, kMaxWorkers + 1); });
    const Verdict v = is_prime_threads(1'000'006'000'009, kMaxWorkers);
    return std::pair{v.factor, before.leaks()};
  });
  CHECK(factor == 1'000'003);
  CHECK(leaks == "");
}
