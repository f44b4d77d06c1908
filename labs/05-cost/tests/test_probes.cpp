// Lab 05, task 2: visible tests for the cost probes. No test here asserts a time: the
// machine may be busy. They check that every figure is a real, positive duration, that
// there is one per repetition, and that nothing is left behind.
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "parlab/lab05/probes.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab05;
using parlab_test::ContainsSubstring;

namespace {
void check_samples(const std::vector<double>& samples, unsigned repetitions) {
  CHECK(samples.size() == repetitions);
  for (const double s : samples) {
    CHECK(std::isfinite(s));
    CHECK(s > 0);
  }
}
}  // namespace

TEST_CASE("probe_thread_start gives one positive figure per repetition", "[lab05][task2]") {
  parlab_test::Watchdog watchdog("probe_thread_start", 30s);
  check_samples(probe_thread_start(MeasureOptions{1, 5, 1}), 5);
}

TEST_CASE("probe_pipe_round_trip measures and leaves no child or fd behind", "[lab05][task2]") {
  parlab_test::Watchdog watchdog("probe_pipe_round_trip", 30s);
  const parlab_test::ResourceSnapshot before;
  check_samples(probe_pipe_round_trip(MeasureOptions{2, 5, 20}), 5);
  CHECK(before.leaks() == "");
}

TEST_CASE("probe_spawn_wait names a program it cannot start", "[lab05][task2]") {
  parlab_test::Watchdog watchdog("probe_spawn_wait of a missing program", 30s);
  CHECK_THROWS_AS(probe_spawn_wait(MeasureOptions{0, 1, 1}, "/nonexistent/parlab-program"), std::runtime_error);
  CHECK_THROWS_WITH(probe_spawn_wait(MeasureOptions{0, 1, 1}, "/nonexistent/parlab-program"),
                    ContainsSubstring("/nonexistent/parlab-program"));
}
