// Lab 05, task 1: hidden tests for the measurement harness, on synthetic samples and a
// scripted clock, so that every figure is checked exactly. Every call into the student's
// code runs in a child process (parlab_test::isolated); the checks run here.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include "../../labs/05-cost/tests/lab05_support.hpp"
#include "parlab/lab05/harness.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"

using namespace parlab::lab05;
using lab05_test::measure_with_script;
using lab05_test::MeasureRun;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

namespace {

std::vector<double> one_to(std::size_t n, unsigned shuffle_seed) {
  std::vector<double> v(n);
  std::iota(v.begin(), v.end(), 1.0);
  std::mt19937 g(shuffle_seed);
  std::shuffle(v.begin(), v.end(), g);
  return v;
}

}  // namespace

TEST_CASE("summarize of a single sample", "[lab05][task1]") {
  const std::vector<double> one{0.25};
  const Stats s = isolated([&] { return summarize(one); });
  CHECK(s.count == 1);
  CHECK(s.min == 0.25);
  CHECK(s.median == 0.25);
  CHECK(s.p90 == 0.25);
  CHECK(s.max == 0.25);
  CHECK(s.mean == 0.25);
}

TEST_CASE("summarize takes the mean of the two middle samples for an even count", "[lab05][task1]") {
  const std::vector<double> v{8, 2, 4, 6};
  const Stats s = isolated([&] { return summarize(v); });
  CHECK(s.median == 5);
  CHECK(s.mean == 5);
  CHECK(s.min == 2);
  CHECK(s.max == 8);
}

TEST_CASE("summarize p90 is the nearest-rank percentile for every count up to 200", "[lab05][task1]") {
  // All 200 summaries in one child; the checks here, count by count.
  const auto summaries = lab05_test::steps_in_one_child(200, [](std::size_t i) {
    const std::size_t n = i + 1;
    return summarize(one_to(n, static_cast<unsigned>(n)));
  });
  for (std::size_t n = 1; n <= 200; ++n) {
    CAPTURE(n);
    const auto& step = summaries.at(n - 1);
    if (step.thrown) FAIL(*step.thrown);
    const Stats& s = step.value;
    // Samples 1..n: the nearest-rank p90 is ceil(0.9 n) itself; the median is (n + 1) / 2.
    const auto rank = (9 * n + 9) / 10;
    CHECK(s.p90 == static_cast<double>(rank));
    CHECK(s.median == static_cast<double>(n + 1) / 2);
    CHECK(s.min == 1);
    CHECK(s.max == static_cast<double>(n));
    CHECK(s.count == n);
    CHECK(std::abs(s.mean - static_cast<double>(n + 1) / 2) < 1e-9);
  }
}

TEST_CASE("summarize p90 of ten samples is the ninth smallest not the largest", "[lab05][task1]") {
  const std::vector<double> v{100, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  CHECK(isolated([&] { return summarize(v); }).p90 == 9);
  CHECK(isolated([&] { return summarize(v); }).median == 5.5);
}

TEST_CASE("summarize is robust to one huge outlier where the mean is not", "[lab05][task1]") {
  std::vector<double> v(99, 1e-6);
  v.push_back(1.0);  // one preempted run
  const Stats s = isolated([&] { return summarize(v); });
  CHECK(s.median == 1e-6);
  CHECK(s.p90 == 1e-6);
  CHECK(s.max == 1.0);
  CHECK(s.mean > 1e-3);
}

TEST_CASE("summarize handles duplicates and zero durations", "[lab05][task1]") {
  const std::vector<double> v{0, 0, 3, 3, 3};
  const Stats s = isolated([&] { return summarize(v); });
  CHECK(s.min == 0);
  CHECK(s.median == 3);
  CHECK(s.p90 == 3);
  CHECK(std::abs(s.mean - 1.8) < 1e-12);
}

TEST_CASE("summarize rejects negative and non-finite samples with a clear message", "[lab05][task1]") {
  const std::vector<double> empty;
  CHECK_THROWS_WITH(isolated([&] { return summarize(empty); }), ContainsSubstring("empty"));
  const std::vector<double> negative{1, -0.5, 2};
  CHECK_THROWS_AS(isolated([&] { return summarize(negative); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([&] { return summarize(negative); }), ContainsSubstring("negative"));
  const std::vector<double> nan{1, std::numeric_limits<double>::quiet_NaN()};
  CHECK_THROWS_AS(isolated([&] { return summarize(nan); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([&] { return summarize(nan); }), ContainsSubstring("finite"));
  const std::vector<double> inf{std::numeric_limits<double>::infinity(), 1};
  CHECK_THROWS_AS(isolated([&] { return summarize(inf); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([&] { return summarize(inf); }), ContainsSubstring("finite"));
}

TEST_CASE("measure divides each sample by the batch and reads the clock twice per repetition", "[lab05][task1]") {
  // The scripted clock counts, in the child that runs measure, how many calls of the
  // operation had been made at each reading.
  const MeasureRun run =
      measure_with_script({0, 8, 8, 12, 100, 140}, "2 per repetition: 3 repetitions", MeasureOptions{3, 3, 4});
  CHECK(run.samples == std::vector<double>{2, 1, 10});
  CHECK(run.calls == 3 + 3 * 4);
  CHECK(run.reads == 6);
  // Readings come in pairs around each batch of 4 calls, after the 3 warm-up calls.
  CHECK(run.calls_at_read == std::vector<unsigned>{3, 7, 7, 11, 11, 15});
}

TEST_CASE("measure with no warm-up reads the clock before the first call", "[lab05][task1]") {
  const MeasureRun run = measure_with_script({1, 2}, "2 per repetition: 1 repetition", MeasureOptions{0, 1, 1});
  CHECK(run.samples == std::vector<double>{1});
  CHECK(run.calls_at_read == std::vector<unsigned>{0, 1});
}

TEST_CASE("measure rejects options that measure nothing", "[lab05][task1]") {
  const auto noop = [] {};
  CHECK_THROWS_AS(isolated([&] { return measure(noop, MeasureOptions{1, 0, 1}); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([&] { return measure(noop, MeasureOptions{1, 0, 1}); }), ContainsSubstring("repetitions"));
  CHECK_THROWS_AS(isolated([&] { return measure(noop, MeasureOptions{1, 3, 0}); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([&] { return measure(noop, MeasureOptions{1, 3, 0}); }), ContainsSubstring("batch"));
  CHECK_THROWS_AS(isolated([] { return measure(std::function<void()>{}, MeasureOptions{}); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return measure(std::function<void()>{}, MeasureOptions{}); }),
                    ContainsSubstring("operation"));
}

TEST_CASE("measure refuses a clock that goes backwards", "[lab05][task1]") {
  {
    INFO("within one sample");
    CHECK_THROWS_AS(measure_with_script({5, 4}, "2 per repetition: 1 repetition", MeasureOptions{0, 1, 1}),
                    std::runtime_error);
  }
  {
    INFO("between two samples");
    CHECK_THROWS_WITH(measure_with_script({5, 6, 2, 3}, "2 per repetition: 2 repetitions", MeasureOptions{0, 2, 1}),
                      ContainsSubstring("backwards"));
  }
}

TEST_CASE("measure on the real clock gives positive figures for real work", "[lab05][task1]") {
  // measure runs in one child, summarize in a second one.
  const std::vector<double> samples = lab05_test::samples_from([] {
    std::uint64_t x = 1;
    return measure(
        [&] {
          for (int i = 0; i < 2000; ++i) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            keep(x);
          }
        },
        MeasureOptions{2, 7, 3});
  });
  REQUIRE(samples.size() == 7);
  for (const double s : samples) CHECK(s > 0);
  const Stats st = isolated([&] { return summarize(samples); });
  CHECK(st.min <= st.median);
  CHECK(st.median <= st.p90);
  CHECK(st.p90 <= st.max);
}
