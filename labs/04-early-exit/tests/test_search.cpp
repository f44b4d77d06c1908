// Lab 04, task 1: visible tests for check_range, plan_search and conclude.
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "lab04_support.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"

// Every call into the lab's code runs in a child (parlab_test::isolated, or lab04_test::scan
// for check_range with a ScriptedFlag); the checks run here on what it handed back.
using namespace parlab::lab04;
using lab04_test::ScriptedFlag;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

TEST_CASE("check_range finds a divisor and raises the flag", "[lab04][task1]") {
  const auto [r, flag] = lab04_test::scan(91, 3, 10, kNeverCheck);  // 91 = 7 * 13
  CHECK(to_string(r.outcome) == std::string("found"));
  CHECK(r.factor == 7);
  CHECK(r.divisions == 3);  // 3, 5, 7
  CHECK(flag.raises == 1);
}

TEST_CASE("check_range tries every odd divisor of a range without a factor", "[lab04][task1]") {
  const auto [r, flag] = lab04_test::scan(101, 3, 11, kNeverCheck);  // 3 5 7 9
  CHECK(to_string(r.outcome) == std::string("not_found"));
  CHECK(r.factor == 0);
  CHECK(r.divisions == 4);
  CHECK(flag.raises == 0);
  CHECK(flag.reads == 0);
}

TEST_CASE("check_range stops after check_every divisions when the flag is up", "[lab04][task1]") {
  const auto [r, flag] = lab04_test::scan(lab04_test::kPrime1, 1001, 1'000'001, 10, 1);  // up from the first read on
  CHECK(to_string(r.outcome) == std::string("stopped"));
  CHECK(r.divisions == 10);
  CHECK(flag.reads == 1);
}

TEST_CASE("check_range rejects divisors below 3 and a bound above isqrt of n plus 1", "[lab04][task1]") {
  CHECK_THROWS_AS(lab04_test::scan(101, 1, 11, kNeverCheck), std::invalid_argument);
  CHECK_THROWS_WITH(lab04_test::scan(101, 2, 11, kNeverCheck), ContainsSubstring("from"));
  // isqrt(101) = 10: divisors up to 10, so `to` may be at most 11.
  CHECK(to_string(lab04_test::scan(101, 3, 11, kNeverCheck).result.outcome) == std::string("not_found"));
  CHECK_THROWS_AS(lab04_test::scan(101, 3, 12, kNeverCheck), std::invalid_argument);
  CHECK_THROWS_WITH(lab04_test::scan(101, 3, 12, kNeverCheck), ContainsSubstring("12"));
}

TEST_CASE("plan_search splits the divisors of a big number between two workers", "[lab04][task1]") {
  const SearchPlan plan = isolated([] { return plan_search(lab04_test::kComposite2, 2); });
  REQUIRE_FALSE(plan.decided);
  CHECK(plan.verdict.precheck_divisions == 499);  // 3, 5, ..., 999
  REQUIRE(plan.ranges.size() == 2);
  CHECK(plan.ranges[0].lo == kFirstParallelDivisor);
  CHECK(plan.ranges[0].hi == plan.ranges[1].lo);
  CHECK(plan.ranges[1].hi == parlab::isqrt(lab04_test::kComposite2) + 1);
}

TEST_CASE("plan_search decides small and even numbers without workers", "[lab04][task1]") {
  const SearchPlan even = isolated([] { return plan_search(1'000'000'000'000'000'000, 4); });
  CHECK(even.decided);
  CHECK_FALSE(even.verdict.prime);
  CHECK(even.verdict.factor == 2);
  const SearchPlan seven = isolated([] { return plan_search(lab04_test::kSevenComposite, 4); });
  CHECK(seven.decided);
  CHECK(seven.verdict.factor == 7);
  CHECK(seven.verdict.precheck_divisions == 3);  // 3, 5, 7
  // Below 4 there is nothing to divide: 0 and 1 are not prime, 2 and 3 are.
  for (const std::uint64_t small : {0u, 1u, 2u, 3u}) {
    CAPTURE(small);
    const SearchPlan plan = isolated([&] { return plan_search(small, 4); });
    CHECK(plan.decided);
    CHECK(plan.verdict.prime == (small >= 2));
    CHECK(plan.verdict.precheck_divisions == 0);
  }
}

TEST_CASE("conclude refuses a stopped search in which nobody found a divisor and a wrong count of results", "[lab04][task1]") {
  const SearchPlan plan = isolated([] { return plan_search(lab04_test::kPrime1, 2); });
  REQUIRE(plan.ranges.size() == 2);
  const std::vector<RangeResult> results = {{Outcome::stopped, 0, 10}, {Outcome::not_found, 0, 20}};
  CHECK_THROWS_AS(isolated([&] { return conclude(plan, results); }), std::runtime_error);
  const std::vector<RangeResult> three(3);
  CHECK_THROWS_AS(isolated([&] { return conclude(plan, three); }), std::invalid_argument);
}

TEST_CASE("check_range from an even number starts at the next odd one", "[lab04][task1]") {
  const RangeResult r = lab04_test::scan(143, 4, 12, kNeverCheck).result;  // 143 = 11 * 13: tries 5 7 9 11
  CHECK(to_string(r.outcome) == std::string("found"));
  CHECK(r.factor == 11);
  CHECK(r.divisions == 4);
}

TEST_CASE("check_range with check_every 3 reads the flag after divisions 3 and 6", "[lab04][task1]") {
  // 1001, 1003, ..., 1013: seven divisors, none divides the prime. The flag is read after
  // division 3 and after division 6; after division 7 nothing is left to call off.
  const auto [all, never] = lab04_test::scan(lab04_test::kPrime1, 1001, 1015, 3);
  CHECK(to_string(all.outcome) == std::string("not_found"));
  CHECK(all.divisions == 7);
  CHECK(never.reads == 2);

  const auto [cut, on_second_read] = lab04_test::scan(lab04_test::kPrime1, 1001, 1015, 3, 2);
  CHECK(to_string(cut.outcome) == std::string("stopped"));
  CHECK(cut.divisions == 6);
  CHECK(cut.factor == 0);
  CHECK(on_second_read.reads == 2);
}

TEST_CASE("check_range of a range with no odd divisor divides nothing", "[lab04][task1]") {
  const std::vector<std::pair<std::uint64_t, std::uint64_t>> empty_ranges = {{7, 7}, {8, 9}, {9, 5}};
  // One flag, up from its first read, for all three scans: none of them may read it.
  const auto [results, reads] = isolated([&] {
    ScriptedFlag flag(1);
    std::vector<RangeResult> scans;
    for (const auto& [from, to] : empty_ranges) scans.push_back(check_range(101, from, to, flag, 1));
    return std::pair{scans, flag.use().reads};
  });
  REQUIRE(results.size() == empty_ranges.size());
  for (std::size_t i = 0; i < empty_ranges.size(); ++i) {
    const auto& [from, to] = empty_ranges[i];
    CAPTURE(from, to);
    CHECK(to_string(results[i].outcome) == std::string("not_found"));
    CHECK(results[i].divisions == 0);
  }
  CHECK(reads == 0);
}

TEST_CASE("plan_search stops the pre-check at the square root and divides no even number", "[lab04][task1]") {
  // Promise: the pre-check tries 3, 5, ... only up to min(isqrt(n), kPrecheckLimit - 1), each
  // one a division; an even n >= 4 gets the factor 2 with no division counted.
  const SearchPlan prime = isolated([] { return plan_search(101, 4); });  // isqrt = 10: 3 5 7 9
  CHECK(prime.decided);
  CHECK(prime.verdict.prime);
  CHECK(prime.verdict.precheck_divisions == 4);
  const SearchPlan square = isolated([] { return plan_search(25, 4); });  // 3, then 5 divides
  CHECK(square.decided);
  CHECK(square.verdict.factor == 5);
  CHECK(square.verdict.precheck_divisions == 2);
  const SearchPlan even = isolated([] { return plan_search(1'000'000, 4); });
  CHECK(even.verdict.factor == 2);
  CHECK(even.verdict.precheck_divisions == 0);
}

TEST_CASE("plan_search near 1000 squared: prime after the pre-check or one worker per divisor left", "[lab04][task1]") {
  const SearchPlan decided = isolated([] { return plan_search(1'000'003, 2); });  // isqrt = 1000: 3 .. 999 is everything
  CHECK(decided.decided);
  CHECK(decided.verdict.prime);
  CHECK(decided.verdict.precheck_divisions == 499);
  // 1009^2: after the pre-check only 1001 1003 1005 1007 1009 are left, one per range.
  const SearchPlan plan = isolated([] { return plan_search(1'018'081, 8); });
  REQUIRE_FALSE(plan.decided);
  CHECK(plan.ranges == std::vector<parlab::Range>{{1001, 1003}, {1003, 1005}, {1005, 1007}, {1007, 1009}, {1009, 1010}});
}

TEST_CASE("plan_search gives three workers ranges whose odd divisor counts differ by at most one", "[lab04][task1]") {
  const std::uint64_t n = lab04_test::kPrime1;
  const SearchPlan plan = isolated([&] { return plan_search(n, 3); });
  REQUIRE(plan.ranges.size() == 3);
  CHECK(plan.ranges[0].lo == kFirstParallelDivisor);
  CHECK(plan.ranges[2].hi == parlab::isqrt(n) + 1);
  std::uint64_t fewest = ~std::uint64_t{0}, most = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(plan.ranges[i].lo % 2 == 1);
    if (i > 0) CHECK(plan.ranges[i].lo == plan.ranges[i - 1].hi);
    fewest = std::min(fewest, lab04_test::odd_count(plan.ranges[i]));
    most = std::max(most, lab04_test::odd_count(plan.ranges[i]));
  }
  CHECK(most - fewest <= 1);
}

TEST_CASE("plan_search rejects 0 and 257 workers and takes 256", "[lab04][task1]") {
  CHECK_THROWS_WITH(isolated([] { return plan_search(lab04_test::kPrime1, 0); }), ContainsSubstring("workers"));
  CHECK_THROWS_AS(isolated([] { return plan_search(lab04_test::kPrime1, kMaxWorkers + 1); }), std::invalid_argument);
  CHECK(isolated([] { return plan_search(lab04_test::kPrime1, kMaxWorkers); }).ranges.size() == kMaxWorkers);
}

TEST_CASE("conclude calls n prime when every worker reached its end and keeps their reports", "[lab04][task1]") {
  const SearchPlan plan = isolated([] { return plan_search(lab04_test::kPrime1, 2); });
  REQUIRE(plan.ranges.size() == 2);
  const std::vector<RangeResult> results = {{Outcome::not_found, 0, 10}, {Outcome::not_found, 0, 20}};
  const Verdict v = isolated([&] { return conclude(plan, results); });
  CHECK(v.prime);
  CHECK(v.factor == 0);
  REQUIRE(v.workers.size() == 2);
  CHECK(v.workers[0].divisors == plan.ranges[0]);
  CHECK(v.workers[1].divisors == plan.ranges[1]);
  CHECK(v.workers[1].result.divisions == 20);
  CHECK(v.divisions() == 499 + 10 + 20);
}

TEST_CASE("conclude keeps the smallest factor found and ignores stopped workers", "[lab04][task1]") {
  const SearchPlan plan = isolated([] { return plan_search(lab04_test::kPrime1, 3); });
  REQUIRE(plan.ranges.size() == 3);
  const std::vector<RangeResult> two_found = {{Outcome::stopped, 0, 4}, {Outcome::found, 5003, 5}, {Outcome::found, 3001, 6}};
  const Verdict v = isolated([&] { return conclude(plan, two_found); });
  CHECK_FALSE(v.prime);
  CHECK(v.factor == 3001);
  CHECK(to_string(v.workers[0].result.outcome) == std::string("stopped"));
}

TEST_CASE("conclude of a decided plan is the plan's own verdict", "[lab04][task1]") {
  const SearchPlan plan = isolated([] { return plan_search(1'000'000, 4); });
  REQUIRE(plan.decided);
  const Verdict v = isolated([&] { return conclude(plan, {}); });
  CHECK_FALSE(v.prime);
  CHECK(v.factor == 2);
  CHECK(v.workers.empty());
}
