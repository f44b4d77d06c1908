// Lab 04, task 1: hidden tests for check_range, plan_search and conclude.
#include <chrono>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "../../labs/04-early-exit/tests/lab04_support.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/watchdog.hpp"

// Every call into the lab's code runs in a child (parlab_test::isolated, or lab04_test::scan
// for check_range with a ScriptedFlag); the checks run here on what it handed back.
using namespace std::chrono_literals;
using namespace parlab::lab04;
using lab04_test::ScriptedFlag;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

namespace {
constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();  // 2^64 - 1
constexpr std::uint64_t kLargestPrime32 = 4294967291;                      // 2^32 - 5
constexpr std::uint64_t kLargestPrime64 = 18446744073709551557u;           // 2^64 - 59
}  // namespace

TEST_CASE("check_range counts exactly the divisions it does", "[lab04][task1]") {
  const RangeResult first = lab04_test::scan(25, 5, 6, 1).result;
  CHECK(to_string(first.outcome) == std::string("found"));
  CHECK(first.factor == 5);
  CHECK(first.divisions == 1);

  const RangeResult from_even = lab04_test::scan(25, 4, 6, kNeverCheck).result;  // starts at 5
  CHECK(from_even.factor == 5);
  CHECK(from_even.divisions == 1);

  const auto [none, empty] = lab04_test::scan(lab04_test::kPrime1, 5001, 5001, 1);
  CHECK(to_string(none.outcome) == std::string("not_found"));
  CHECK(none.divisions == 0);
  CHECK(empty.raises == 0);
}

TEST_CASE("check_range reads the flag once every check_every divisions", "[lab04][task1]") {
  const std::uint64_t every = GENERATE(1u, 7u, 1000u);
  const std::uint64_t raised_at_read = GENERATE(1u, 3u);
  CAPTURE(every, raised_at_read);
  const auto [r, flag] = lab04_test::scan(lab04_test::kPrime1, 1001, 3'000'001, every, raised_at_read);
  CHECK(to_string(r.outcome) == std::string("stopped"));
  CHECK(r.factor == 0);
  CHECK(r.divisions == every * raised_at_read);
  CHECK(flag.reads == raised_at_read);
  CHECK(flag.raises == 0);
}

TEST_CASE("check_range never reads the flag when told never to", "[lab04][task1]") {
  const auto [r, flag] = lab04_test::scan(lab04_test::kPrime1, 1001, 201'001, kNeverCheck, 1);
  CHECK(to_string(r.outcome) == std::string("not_found"));
  CHECK(r.divisions == 100'000);
  CHECK(flag.reads == 0);
}

TEST_CASE("check_range does not read the flag after the last divisor", "[lab04][task1]") {
  const RangeResult r = lab04_test::scan(lab04_test::kPrime1, 1001, 1021, 10, 1).result;  // exactly 10 divisors
  CHECK(to_string(r.outcome) == std::string("not_found"));
  CHECK(r.divisions == 10);
}

TEST_CASE("check_range works for n near 2^64 without overflowing", "[lab04][task1]") {
  parlab_test::Watchdog watchdog("check_range at the top of the uint64_t range (an overflowing d * d loops forever)", 20s);
  const RangeResult top = lab04_test::scan(kLargestPrime64, 4'294'960'001, 4'294'967'296, 100).result;
  CHECK(to_string(top.outcome) == std::string("not_found"));
  CHECK(top.divisions == 3648);

  const std::uint64_t square = kLargestPrime32 * kLargestPrime32;
  const RangeResult sq = lab04_test::scan(square, 4'294'967'001, kLargestPrime32 + 1, 100).result;
  CHECK(to_string(sq.outcome) == std::string("found"));
  CHECK(sq.factor == kLargestPrime32);
  CHECK(sq.divisions == 146);

  const RangeResult three = lab04_test::scan(kMax, 3, std::uint64_t{1} << 32, 100).result;  // to = isqrt + 1 is fine
  CHECK(three.factor == 3);
}

TEST_CASE("check_range rejects a bound above the square root", "[lab04][task1]") {
  CHECK_THROWS_AS(lab04_test::scan(kMax, 3, (std::uint64_t{1} << 32) + 1, 1), std::invalid_argument);
  CHECK_THROWS_AS(lab04_test::scan(101, 3, 12, 1), std::invalid_argument);  // isqrt(101) + 1 = 11
  CHECK_THROWS_WITH(lab04_test::scan(101, 0, 11, 1), ContainsSubstring("from"));
  // The same three calls on one flag, in one child: none may raise it before it throws.
  const std::uint64_t raises = isolated([] {
    ScriptedFlag flag;
    lab04_test::ignore_thrown<std::invalid_argument>([&] { return check_range(kMax, 3, (std::uint64_t{1} << 32) + 1, flag, 1); });
    lab04_test::ignore_thrown<std::invalid_argument>([&] { return check_range(101, 3, 12, flag, 1); });
    lab04_test::ignore_thrown<std::invalid_argument>([&] { return check_range(101, 0, 11, flag, 1); });
    return flag.use().raises;
  });
  CHECK(raises == 0);
}

TEST_CASE("plan_search decides 0 to 4 and even numbers without dividing", "[lab04][task1]") {
  struct Case {
    std::uint64_t n;
    bool prime;
    std::uint64_t factor;
  };
  const Case c = GENERATE(values<Case>({{0, false, 0}, {1, false, 0}, {2, true, 0}, {3, true, 0}, {4, false, 2},
                                        {1'000'000'000'000'000'000, false, 2}, {kMax - 1, false, 2}}));
  CAPTURE(c.n);
  const SearchPlan plan = isolated([&] { return plan_search(c.n, 2); });
  CHECK(plan.decided);
  CHECK(plan.verdict.prime == c.prime);
  CHECK(plan.verdict.factor == c.factor);
  CHECK(plan.verdict.precheck_divisions == 0);
  CHECK(plan.ranges.empty());
}

TEST_CASE("plan_search pre-checks the small odd divisors", "[lab04][task1]") {
  const SearchPlan nine = isolated([] { return plan_search(9, 2); });
  CHECK(nine.decided);
  CHECK_FALSE(nine.verdict.prime);
  CHECK(nine.verdict.factor == 3);
  CHECK(nine.verdict.precheck_divisions == 1);

  const SearchPlan below = isolated([] { return plan_search(1'000'003, 4); });  // prime, isqrt = 1000: the pre-check is all
  CHECK(below.decided);
  CHECK(below.verdict.prime);
  CHECK(below.verdict.precheck_divisions == 499);

  const SearchPlan twenty_five = isolated([] { return plan_search(25, 4); });  // isqrt = 5: only 3 and 5
  CHECK(twenty_five.verdict.factor == 5);
  CHECK(twenty_five.verdict.precheck_divisions == 2);

  const SearchPlan top = isolated([] { return plan_search(kMax, 4); });  // 3 * 5 * 17 * ...
  CHECK(top.decided);
  CHECK(top.verdict.factor == 3);
}

TEST_CASE("plan_search gives every odd divisor to exactly one worker in balanced ranges", "[lab04][task1]") {
  const std::uint64_t n = GENERATE(values<std::uint64_t>({lab04_test::kPrime1, lab04_test::kComposite2, kLargestPrime64,
                                                         1009 * 1009, 100109099848848829}));
  const unsigned workers = GENERATE(1u, 2u, 3u, 7u, 8u, 256u);
  CAPTURE(n, workers);
  const SearchPlan plan = isolated([&] { return plan_search(n, workers); });
  REQUIRE_FALSE(plan.decided);
  CHECK(plan.verdict.precheck_divisions == 499);
  const std::uint64_t root = parlab::isqrt(n);
  const std::uint64_t m = (root - kFirstParallelDivisor) / 2 + 1;
  REQUIRE(plan.ranges.size() == std::min<std::uint64_t>(workers, m));
  CHECK(plan.ranges.front().lo == kFirstParallelDivisor);
  CHECK(plan.ranges.back().hi == root + 1);  // exact: a floating-point sqrt is one too high for some n
  std::uint64_t total = 0, smallest = m, largest = 0;
  for (std::size_t i = 0; i < plan.ranges.size(); ++i) {
    const parlab::Range r = plan.ranges[i];
    CHECK(r.lo % 2 == 1);
    if (i + 1 < plan.ranges.size()) CHECK(r.hi == plan.ranges[i + 1].lo);
    const std::uint64_t c = lab04_test::odd_count(r);
    total += c;
    smallest = std::min(smallest, c);
    largest = std::max(largest, c);
  }
  CHECK(total == m);
  CHECK(largest - smallest <= 1);
  CHECK(smallest >= 1);
}

TEST_CASE("plan_search rejects zero or too many workers", "[lab04][task1]") {
  CHECK_THROWS_AS(isolated([] { return plan_search(101, 0); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return plan_search(101, kMaxWorkers + 1); }), ContainsSubstring("workers"));
  CHECK_THROWS_AS(isolated([] { return plan_search(101, static_cast<unsigned>(-1)); }), std::invalid_argument);
}

TEST_CASE("conclude tells found from stopped from not found", "[lab04][task1]") {
  const SearchPlan plan = isolated([] { return plan_search(lab04_test::kComposite2, 3); });
  REQUIRE(plan.ranges.size() == 3);

  const std::vector<RangeResult> all_clear = {{Outcome::not_found, 0, 5}, {Outcome::not_found, 0, 6}, {Outcome::not_found, 0, 7}};
  const Verdict prime = isolated([&] { return conclude(plan, all_clear); });
  CHECK(prime.prime);
  CHECK(prime.factor == 0);
  REQUIRE(prime.workers.size() == 3);
  CHECK(prime.workers[1].divisors == plan.ranges[1]);
  CHECK(prime.divisions() == 499 + 18);

  // The seed's bug: a worker that stopped proved nothing, one that found a divisor did.
  const std::vector<RangeResult> one_found = {{Outcome::stopped, 0, 5}, {Outcome::found, 171656941, 6}, {Outcome::stopped, 0, 7}};
  const Verdict composite = isolated([&] { return conclude(plan, one_found); });
  CHECK_FALSE(composite.prime);
  CHECK(composite.factor == 171656941);

  const std::vector<RangeResult> two_found = {{Outcome::found, 9001, 5}, {Outcome::found, 7001, 6}, {Outcome::not_found, 0, 7}};
  CHECK(isolated([&] { return conclude(plan, two_found); }).factor == 7001);

  const std::vector<RangeResult> all_stopped = {{Outcome::stopped, 0, 5}, {Outcome::stopped, 0, 6}, {Outcome::stopped, 0, 7}};
  CHECK_THROWS_AS(isolated([&] { return conclude(plan, all_stopped); }), std::runtime_error);

  const std::vector<RangeResult> too_few = {{Outcome::not_found, 0, 5}};
  CHECK_THROWS_AS(isolated([&] { return conclude(plan, too_few); }), std::invalid_argument);
}

TEST_CASE("conclude passes a decided plan through", "[lab04][task1]") {
  const SearchPlan plan = isolated([] { return plan_search(lab04_test::kSevenComposite, 2); });
  REQUIRE(plan.decided);
  const Verdict v = isolated([&] { return conclude(plan, {}); });
  CHECK_FALSE(v.prime);
  CHECK(v.factor == 7);
  CHECK(v.workers.empty());
  CHECK(v.divisions() == 3);
}
