// Lab 04, task 1: visible tests for check_range, plan_search and conclude.
#include <stdexcept>
#include <vector>

#include "lab04_support.hpp"
#include "parlab_test/catch.hpp"

using namespace parlab::lab04;
using lab04_test::ScriptedFlag;
using parlab_test::ContainsSubstring;

TEST_CASE("check_range finds a divisor and raises the flag", "[lab04][task1]") {
  ScriptedFlag flag;
  const RangeResult r = check_range(91, 3, 10, flag, kNeverCheck);  // 91 = 7 * 13
  CHECK(to_string(r.outcome) == std::string("found"));
  CHECK(r.factor == 7);
  CHECK(r.divisions == 3);  // 3, 5, 7
  CHECK(flag.raises == 1);
}

TEST_CASE("check_range tries every odd divisor of a range without a factor", "[lab04][task1]") {
  ScriptedFlag flag;
  const RangeResult r = check_range(101, 3, 11, flag, kNeverCheck);  // 3 5 7 9
  CHECK(to_string(r.outcome) == std::string("not_found"));
  CHECK(r.factor == 0);
  CHECK(r.divisions == 4);
  CHECK(flag.raises == 0);
  CHECK(flag.reads == 0);
}

TEST_CASE("check_range stops after check_every divisions when the flag is up", "[lab04][task1]") {
  ScriptedFlag flag(1);  // up from the first read on
  const RangeResult r = check_range(lab04_test::kPrime1, 1001, 1'000'001, flag, 10);
  CHECK(to_string(r.outcome) == std::string("stopped"));
  CHECK(r.divisions == 10);
  CHECK(flag.reads == 1);
}

TEST_CASE("check_range rejects divisors below 3", "[lab04][task1]") {
  ScriptedFlag flag;
  CHECK_THROWS_AS(check_range(101, 1, 11, flag, kNeverCheck), std::invalid_argument);
  CHECK_THROWS_WITH(check_range(101, 2, 11, flag, kNeverCheck), ContainsSubstring("from"));
}

TEST_CASE("plan_search splits the divisors of a big number between two workers", "[lab04][task1]") {
  const SearchPlan plan = plan_search(lab04_test::kComposite2, 2);
  REQUIRE_FALSE(plan.decided);
  CHECK(plan.verdict.precheck_divisions == 499);  // 3, 5, ..., 999
  REQUIRE(plan.ranges.size() == 2);
  CHECK(plan.ranges[0].lo == kFirstParallelDivisor);
  CHECK(plan.ranges[0].hi == plan.ranges[1].lo);
  CHECK(plan.ranges[1].hi == parlab::isqrt(lab04_test::kComposite2) + 1);
}

TEST_CASE("plan_search decides small and even numbers without workers", "[lab04][task1]") {
  const SearchPlan even = plan_search(1'000'000'000'000'000'000, 4);
  CHECK(even.decided);
  CHECK_FALSE(even.verdict.prime);
  CHECK(even.verdict.factor == 2);
  const SearchPlan seven = plan_search(lab04_test::kSevenComposite, 4);
  CHECK(seven.decided);
  CHECK(seven.verdict.factor == 7);
  CHECK(seven.verdict.precheck_divisions == 3);  // 3, 5, 7
}

TEST_CASE("conclude refuses a stopped search in which nobody found a divisor", "[lab04][task1]") {
  const SearchPlan plan = plan_search(lab04_test::kPrime1, 2);
  REQUIRE(plan.ranges.size() == 2);
  const std::vector<RangeResult> results = {{Outcome::stopped, 0, 10}, {Outcome::not_found, 0, 20}};
  CHECK_THROWS_AS(conclude(plan, results), std::runtime_error);
}
