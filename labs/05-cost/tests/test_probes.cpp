// Lab 05, task 2: visible tests for the cost probes. No test here asserts a time: the
// machine may be busy. They check that every figure is a real, positive duration, that
// there is one per repetition, and that nothing is left behind.
//
// Every probe runs in a child process (parlab_test::isolated), and so does the leak check
// (it must look at the process the probe ran in); the checks run here, on what came back.
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "lab05_support.hpp"
#include "parlab/lab05/probes.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab05;
using lab05_test::failure_of;
using lab05_test::Failure;
using lab05_test::ProbeRun;
using lab05_test::samples_from;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

namespace {
void check_samples(const std::vector<double>& samples, unsigned repetitions) {
  CHECK(samples.size() == repetitions);
  for (const double s : samples) {
    CHECK(std::isfinite(s));
    CHECK(s > 0);
  }
}

// Runs `probe` in a child with a resource snapshot around it; its samples come back bit for
// bit, so that a NaN reaches check_samples.
ProbeRun run_probe(ProbeFunction probe, const MeasureOptions& options) {
  return isolated([&] {
    const parlab_test::ResourceSnapshot before;
    std::vector<double> samples = probe(options);
    return ProbeRun{std::move(samples), before.leaks()};
  });
}

// Runs `probe` under a watchdog and checks its samples and that it left no child or fd.
void check_probe_leaves_nothing(const std::string& name, ProbeFunction probe, const MeasureOptions& options) {
  parlab_test::Watchdog watchdog(name, 30s);
  const ProbeRun run = run_probe(probe, options);
  check_samples(run.samples, options.repetitions);
  CHECK(run.leaks == "");
}
}  // namespace

TEST_CASE("probe_thread_start gives one positive figure per repetition", "[lab05][task2]") {
  parlab_test::Watchdog watchdog("probe_thread_start", 30s);
  check_samples(samples_from([] { return probe_thread_start(MeasureOptions{1, 5, 1}); }), 5);
}

TEST_CASE("probe_pipe_round_trip measures and leaves no child or fd behind", "[lab05][task2]") {
  check_probe_leaves_nothing("probe_pipe_round_trip", probe_pipe_round_trip, MeasureOptions{2, 5, 20});
}

TEST_CASE("probe_spawn_wait names a program it cannot start", "[lab05][task2]") {
  parlab_test::Watchdog watchdog("probe_spawn_wait of a missing program", 30s);
  CHECK_THROWS_AS(isolated([] { return probe_spawn_wait(MeasureOptions{0, 1, 1}, "/nonexistent/parlab-program"); }),
                  std::runtime_error);
  CHECK_THROWS_WITH(isolated([] { return probe_spawn_wait(MeasureOptions{0, 1, 1}, "/nonexistent/parlab-program"); }),
                    ContainsSubstring("/nonexistent/parlab-program"));
}

TEST_CASE("probe_fork_wait gives one positive figure per repetition and reaps every child", "[lab05][task2]") {
  check_probe_leaves_nothing("probe_fork_wait", probe_fork_wait, MeasureOptions{1, 4, 1});
}

TEST_CASE("probe_spawn_wait runs /bin/true and fails naming /bin/false", "[lab05][task2]") {
  parlab_test::Watchdog watchdog("probe_spawn_wait of /bin/true and /bin/false", 30s);
  const ProbeRun run = run_probe([](const MeasureOptions& o) { return probe_spawn_wait(o); }, MeasureOptions{1, 3, 1});
  check_samples(run.samples, 3);
  const Failure failed = failure_of<std::exception>([] { return probe_spawn_wait(MeasureOptions{0, 1, 1}, "/bin/false"); });
  CHECK_THAT(message_or_none(failed), ContainsSubstring("/bin/false"));
  CHECK(run.leaks == "");
  CHECK(failed.leaks == "");
}

TEST_CASE("probe_socketpair_round_trip measures and leaves no child or fd behind", "[lab05][task2]") {
  check_probe_leaves_nothing("probe_socketpair_round_trip", probe_socketpair_round_trip, MeasureOptions{2, 4, 10});
}

TEST_CASE("probe_condvar_round_trip and probe_atomic_round_trip give positive figures", "[lab05][task2]") {
  parlab_test::Watchdog watchdog("probe_condvar_round_trip and probe_atomic_round_trip", 30s);
  check_samples(samples_from([] { return probe_condvar_round_trip(MeasureOptions{2, 4, 10}); }), 4);
  check_samples(samples_from([] { return probe_atomic_round_trip(MeasureOptions{2, 4, 10}); }), 4);
}

TEST_CASE("probe_shared_memory_round_trip measures and leaves no child behind", "[lab05][task2]") {
  check_probe_leaves_nothing("probe_shared_memory_round_trip", probe_shared_memory_round_trip,
                             MeasureOptions{2, 4, 10});
}

TEST_CASE("a round-trip probe told to measure nothing stops its partner and says so", "[lab05][task2]") {
  parlab_test::Watchdog watchdog("probe_pipe_round_trip with repetitions = 0", 30s);
  const Failure failed = failure_of<std::invalid_argument>([] { return probe_pipe_round_trip(MeasureOptions{1, 0, 1}); });
  CHECK(failed.message.has_value());  // std::invalid_argument
  CHECK(failed.leaks == "");
}

TEST_CASE("every probe refuses zero repetitions or a zero batch and names the option", "[lab05][task2]") {
  // Promise: options that measure nothing throw std::invalid_argument as measure does (the
  // message names the option), and a probe that set up its partner first stops it: nothing
  // is left behind.
  parlab_test::Watchdog watchdog("every probe with repetitions 0, then batch 0", 60s);
  for (const ProbeInfo& probe : all_probes()) {
    CAPTURE(probe.key);
    const Failure no_repetitions = failure_of<std::invalid_argument>([&] { return probe.run(MeasureOptions{0, 0, 1}); });
    CHECK_THAT(lab05_test::message_or_none(no_repetitions), ContainsSubstring("repetitions"));
    CHECK(no_repetitions.leaks == "");
    const Failure no_batch = failure_of<std::invalid_argument>([&] { return probe.run(MeasureOptions{0, 1, 0}); });
    CHECK_THAT(lab05_test::message_or_none(no_batch), ContainsSubstring("batch"));
    CHECK(no_batch.leaks == "");
  }
}
