// Lab 05, task 1: visible tests for the measurement harness.
//
// Every call into your code runs in a child process (parlab_test::isolated), which hands
// back what it returned or threw; the checks run here, on that result.
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "lab05_support.hpp"
#include "parlab/lab05/harness.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"

using namespace parlab::lab05;
using lab05_test::measure_with_script;
using lab05_test::MeasureRun;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

TEST_CASE("summarize gives min median p90 max and mean of unsorted samples", "[lab05][task1]") {
  const std::vector<double> samples{5, 1, 3, 2, 4};
  const Stats s = isolated([&] { return summarize(samples); });
  CHECK(s.count == 5);
  CHECK(s.min == 1);
  CHECK(s.median == 3);
  CHECK(s.p90 == 5);
  CHECK(s.max == 5);
  CHECK(s.mean == 3);
}

TEST_CASE("summarize rejects an empty sample set", "[lab05][task1]") {
  const std::vector<double> none;
  CHECK_THROWS_AS(isolated([&] { return summarize(none); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([&] { return summarize(none); }), ContainsSubstring("empty"));
}

TEST_CASE("measure warms up untimed then times each repetition with the given clock", "[lab05][task1]") {
  // A fake clock: each reading returns the next scripted value. It lives in the child that
  // runs measure, and what it saw (readings, calls of the operation) comes back here.
  const MeasureRun run =
      measure_with_script({10, 11, 11, 13, 20, 23}, "2 per repetition: 3 repetitions", MeasureOptions{2, 3, 1});
  CHECK(run.samples == std::vector<double>{1, 2, 3});
  CHECK(run.calls == 5);
  CHECK(run.calls_at_first_read == 2);
  CHECK(run.reads == 6);
}

TEST_CASE("summarize of an even count takes the middle two for the median and rank 18 of 20 for p90", "[lab05][task1]") {
  std::vector<double> samples(20);
  std::iota(samples.rbegin(), samples.rend(), 1.0);  // 20, 19, ..., 1
  const Stats s = isolated([&] { return summarize(samples); });
  CHECK(s.count == 20);
  CHECK(s.median == 10.5);
  CHECK(s.p90 == 18);  // 90% of 20 is 18: the 18th smallest sample
  CHECK(s.mean == 10.5);
  const std::vector<double> zeros{0, 0};
  CHECK(isolated([&] { return summarize(zeros); }).max == 0);  // a duration of 0 is allowed
}

TEST_CASE("summarize rejects negative and infinite and NaN samples", "[lab05][task1]") {
  const std::vector<double> negative{1, -0.5};
  CHECK_THROWS_WITH(isolated([&] { return summarize(negative); }), ContainsSubstring("negative"));
  const std::vector<double> infinite{std::numeric_limits<double>::infinity()};
  CHECK_THROWS_WITH(isolated([&] { return summarize(infinite); }), ContainsSubstring("finite"));
  const std::vector<double> nan{2, std::nan("")};
  CHECK_THROWS_AS(isolated([&] { return summarize(nan); }), std::invalid_argument);
}

TEST_CASE("measure divides each sample by the batch", "[lab05][task1]") {
  const MeasureRun run = measure_with_script({0, 8, 8, 20}, "2 per repetition: 2 repetitions", MeasureOptions{0, 2, 4});
  CHECK(run.samples == std::vector<double>{2, 3});  // 8 / 4 and 12 / 4
  CHECK(run.calls == 8);
}

TEST_CASE("measure rejects an empty operation and zero repetitions or batch", "[lab05][task1]") {
  const auto op = [] {};
  CHECK_THROWS_WITH(isolated([] { return measure({}, MeasureOptions{}); }), ContainsSubstring("operation"));
  CHECK_THROWS_WITH(isolated([&] { return measure(op, MeasureOptions{1, 0, 1}); }), ContainsSubstring("repetitions"));
  CHECK_THROWS_WITH(isolated([&] { return measure(op, MeasureOptions{1, 3, 0}); }), ContainsSubstring("batch"));
  CHECK_THROWS_AS(isolated([&] { return measure(op, MeasureOptions{1, 3, 1}, Clock{}); }), std::invalid_argument);
}

TEST_CASE("measure with warmup 0 reads the clock before the first call", "[lab05][task1]") {
  // Promise: warmup 0 is fine and means no untimed call, so the very first thing measure
  // does is read the clock; each repetition still reads it twice.
  const MeasureRun run = measure_with_script({0, 1, 1, 3}, "2 per repetition: 2 repetitions", MeasureOptions{0, 2, 1});
  CHECK(run.samples == std::vector<double>{1, 2});
  CHECK(run.calls == 2);
  CHECK(run.calls_at_first_read == 0);
  CHECK(run.reads == 4);
}

TEST_CASE("measure names the clock when it is given none", "[lab05][task1]") {
  // Promise: an empty clock is std::invalid_argument whose message says "clock".
  CHECK_THROWS_WITH(isolated([] { return measure([] {}, MeasureOptions{1, 3, 1}, Clock{}); }), ContainsSubstring("clock"));
}

TEST_CASE("summarize of one sample gives that sample for every statistic", "[lab05][task1]") {
  // Promise: median and p90 (nearest rank) of a single sample are that sample; so are min,
  // max and mean.
  const std::vector<double> one{7.5};
  const Stats s = isolated([&] { return summarize(one); });
  CHECK(s.count == 1);
  // min, median, p90, max, mean, in that order:
  CHECK(std::vector<double>{s.min, s.median, s.p90, s.max, s.mean} == std::vector<double>(5, 7.5));
}

TEST_CASE("measure refuses a clock that runs backwards", "[lab05][task1]") {
  CHECK_THROWS_WITH(measure_with_script({5, 4}, "2 per repetition: 1 repetition", MeasureOptions{0, 1, 1}),
                    ContainsSubstring("backwards"));
}
