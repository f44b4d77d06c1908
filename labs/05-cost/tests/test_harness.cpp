// Lab 05, task 1: visible tests for the measurement harness.
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "parlab/lab05/harness.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/scripted_clock.hpp"

using namespace parlab::lab05;
using parlab_test::ContainsSubstring;

TEST_CASE("summarize gives min median p90 max and mean of unsorted samples", "[lab05][task1]") {
  const std::vector<double> samples{5, 1, 3, 2, 4};
  const Stats s = summarize(samples);
  CHECK(s.count == 5);
  CHECK(s.min == 1);
  CHECK(s.median == 3);
  CHECK(s.p90 == 5);
  CHECK(s.max == 5);
  CHECK(s.mean == 3);
}

TEST_CASE("summarize rejects an empty sample set", "[lab05][task1]") {
  const std::vector<double> none;
  CHECK_THROWS_AS(summarize(none), std::invalid_argument);
  CHECK_THROWS_WITH(summarize(none), ContainsSubstring("empty"));
}

TEST_CASE("measure warms up untimed then times each repetition with the given clock", "[lab05][task1]") {
  // A fake clock: each reading returns the next scripted value.
  parlab_test::ScriptedClock script({10, 11, 11, 13, 20, 23}, "2 per repetition: 3 repetitions");
  unsigned calls = 0;
  unsigned calls_at_first_read = 0;
  const Clock fake = [&] {
    if (script.reads() == 0) calls_at_first_read = calls;
    return script.read();
  };
  const auto samples = measure([&] { ++calls; }, MeasureOptions{2, 3, 1}, fake);
  CHECK(samples == std::vector<double>{1, 2, 3});
  CHECK(calls == 5);
  CHECK(calls_at_first_read == 2);
  CHECK(script.reads() == 6);
}

TEST_CASE("summarize of an even count takes the middle two for the median and rank 18 of 20 for p90", "[lab05][task1]") {
  std::vector<double> samples(20);
  std::iota(samples.rbegin(), samples.rend(), 1.0);  // 20, 19, ..., 1
  const Stats s = summarize(samples);
  CHECK(s.count == 20);
  CHECK(s.median == 10.5);
  CHECK(s.p90 == 18);  // 90% of 20 is 18: the 18th smallest sample
  CHECK(s.mean == 10.5);
  const std::vector<double> zeros{0, 0};
  CHECK(summarize(zeros).max == 0);  // a duration of 0 is allowed
}

TEST_CASE("summarize rejects negative and infinite and NaN samples", "[lab05][task1]") {
  const std::vector<double> negative{1, -0.5};
  CHECK_THROWS_WITH(summarize(negative), ContainsSubstring("negative"));
  const std::vector<double> infinite{std::numeric_limits<double>::infinity()};
  CHECK_THROWS_WITH(summarize(infinite), ContainsSubstring("finite"));
  const std::vector<double> nan{2, std::nan("")};
  CHECK_THROWS_AS(summarize(nan), std::invalid_argument);
}

TEST_CASE("measure divides each sample by the batch", "[lab05][task1]") {
  const std::vector<double> readings{0, 8, 8, 20};
  std::size_t reads = 0;
  unsigned calls = 0;
  const auto samples = measure([&] { ++calls; }, MeasureOptions{0, 2, 4}, [&] { return readings.at(reads++); });
  CHECK(samples == std::vector<double>{2, 3});  // 8 / 4 and 12 / 4
  CHECK(calls == 8);
}

TEST_CASE("measure rejects an empty operation and zero repetitions or batch", "[lab05][task1]") {
  const auto op = [] {};
  CHECK_THROWS_WITH(measure({}, MeasureOptions{}), ContainsSubstring("operation"));
  CHECK_THROWS_WITH(measure(op, MeasureOptions{1, 0, 1}), ContainsSubstring("repetitions"));
  CHECK_THROWS_WITH(measure(op, MeasureOptions{1, 3, 0}), ContainsSubstring("batch"));
  CHECK_THROWS_AS(measure(op, MeasureOptions{1, 3, 1}, Clock{}), std::invalid_argument);
}

TEST_CASE("measure refuses a clock that runs backwards", "[lab05][task1]") {
  const std::vector<double> readings{5, 4};
  std::size_t reads = 0;
  CHECK_THROWS_WITH(measure([] {}, MeasureOptions{0, 1, 1}, [&] { return readings.at(reads++); }),
                    ContainsSubstring("backwards"));
}
