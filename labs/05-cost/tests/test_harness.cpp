// Lab 05, task 1: visible tests for the measurement harness.
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
