// Lab 05, task 2: hidden tests for the cost probes. Nothing here asserts a time. Each probe
// must give one positive figure per repetition, leave nothing behind, and land within a
// wide factor of the reference probe measured in the same process just before and just
// after it (the machine is shared and noisy; sanitizers slow some code far more than other).
// That process is a child (parlab_test::isolated): the student's probe runs there, with the
// reference beside it and the leak check around them; the checks run here, on what came back.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../../labs/05-cost/tests/lab05_support.hpp"
#include "parlab/lab05/probes.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"
#include "reference_probes.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab05;
using lab05_test::failure_of;
using lab05_test::Failure;
using lab05_test::samples_from;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define LAB05_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define LAB05_SANITIZED 1
#endif
#endif

namespace {

#ifdef LAB05_SANITIZED
// Sanitizers slow instrumented code (the probes, the test) far more than the kernel work a
// probe measures: only an absurd figure is an error there.
constexpr double kFactor = 1000;
#else
constexpr double kFactor = 50;
#endif

using Probe = std::function<std::vector<double>(const MeasureOptions&)>;

double median_of(std::vector<double> v) {
  REQUIRE(!v.empty());
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The three runs of one comparison, from the child they ran in, and what was left there.
struct ComparedRuns {
  std::vector<double> reference_before;
  std::vector<double> samples;  // the student's
  std::vector<double> reference_after;
  std::string leaks;
};

void to_json(nlohmann::json& j, const ComparedRuns& runs) {
  j = {{"reference_before", lab05_test::exact_doubles(runs.reference_before)},
       {"samples", lab05_test::exact_doubles(runs.samples)},
       {"reference_after", lab05_test::exact_doubles(runs.reference_after)},
       {"leaks", runs.leaks}};
}

void from_json(const nlohmann::json& j, ComparedRuns& runs) {
  runs.reference_before = lab05_test::doubles_from(j.at("reference_before"));
  runs.samples = lab05_test::doubles_from(j.at("samples"));
  runs.reference_after = lab05_test::doubles_from(j.at("reference_after"));
  j.at("leaks").get_to(runs.leaks);
}

// A spin or a round trip can take a thousand times longer when the machine is busy during the
// student's run and not during the reference's (both threads need a core at the same moment).
// So a comparison that lands outside the factor is made again, up to three times in all, and
// the case fails only when none lands inside: a probe that measures the wrong thing (off by
// its round trips, or timing nothing) lands outside every time.
constexpr int kAttempts = 3;

void check_probe(const std::string& name, const Probe& student, const Probe& reference, MeasureOptions options) {
  INFO("probe " << name);
  parlab_test::Watchdog watchdog(name + " (student and reference, three runs, up to three times)", 300s);
  ComparedRuns runs;
  std::string leaks;
  double got = 0, low = 0, high = 0;
  int attempt = 0;
  do {
    ++attempt;
    runs = isolated([&] {
      const parlab_test::ResourceSnapshot before;
      ComparedRuns r;
      r.reference_before = reference(options);
      r.samples = student(options);
      r.reference_after = reference(options);
      r.leaks = before.leaks();
      return r;
    });
    leaks += runs.leaks;
    if (runs.samples.size() != options.repetitions || runs.reference_before.empty() || runs.reference_after.empty()) break;
    const double ref_before = median_of(runs.reference_before), ref_after = median_of(runs.reference_after);
    got = median_of(runs.samples);
    low = std::min(ref_before, ref_after) / kFactor;
    high = std::max(ref_before, ref_after) * kFactor;
  } while (attempt < kAttempts && !(got >= low && got <= high));

  REQUIRE(runs.samples.size() == options.repetitions);
  for (const double s : runs.samples) {
    CHECK(std::isfinite(s));
    CHECK(s > 0);
  }
  INFO("attempt " << attempt << " of " << kAttempts << ": student median " << got << " s; reference medians "
                  << median_of(runs.reference_before) << " s and " << median_of(runs.reference_after) << " s; accepted ["
                  << low << ", " << high << "]");
  CHECK(got >= low);
  CHECK(got <= high);
  CHECK(leaks == "");
}

constexpr MeasureOptions kStarts{2, 9, 1};
constexpr MeasureOptions kRoundTrips{5, 9, 100};

}  // namespace

TEST_CASE("probe thread start and join is positive and near the reference", "[lab05][task2]") {
  check_probe("probe_thread_start", probe_thread_start, parlab::lab05_reference::probe_thread_start, kStarts);
}

TEST_CASE("probe fork and waitpid is positive and near the reference", "[lab05][task2]") {
  check_probe("probe_fork_wait", probe_fork_wait, parlab::lab05_reference::probe_fork_wait, kStarts);
}

TEST_CASE("probe posix_spawn and waitpid is positive and near the reference", "[lab05][task2]") {
  check_probe(
      "probe_spawn_wait", [](const MeasureOptions& o) { return probe_spawn_wait(o); },
      [](const MeasureOptions& o) { return parlab::lab05_reference::probe_spawn_wait(o); }, kStarts);
}

TEST_CASE("probe pipe round trip is positive and near the reference", "[lab05][task2]") {
  check_probe("probe_pipe_round_trip", probe_pipe_round_trip, parlab::lab05_reference::probe_pipe_round_trip,
              kRoundTrips);
}

TEST_CASE("probe socketpair round trip is positive and near the reference", "[lab05][task2]") {
  check_probe("probe_socketpair_round_trip", probe_socketpair_round_trip,
              parlab::lab05_reference::probe_socketpair_round_trip, kRoundTrips);
}

TEST_CASE("probe condition variable round trip is positive and near the reference", "[lab05][task2]") {
  check_probe("probe_condvar_round_trip", probe_condvar_round_trip, parlab::lab05_reference::probe_condvar_round_trip,
              kRoundTrips);
}

TEST_CASE("probe atomic spin round trip is positive and near the reference", "[lab05][task2]") {
  check_probe("probe_atomic_round_trip", probe_atomic_round_trip, parlab::lab05_reference::probe_atomic_round_trip,
              kRoundTrips);
}

TEST_CASE("probe shared memory round trip is positive and near the reference", "[lab05][task2]") {
  check_probe("probe_shared_memory_round_trip", probe_shared_memory_round_trip,
              parlab::lab05_reference::probe_shared_memory_round_trip, kRoundTrips);
}

TEST_CASE("probe_spawn_wait fails clearly for a missing program and for a failing one", "[lab05][task2]") {
  parlab_test::Watchdog watchdog("probe_spawn_wait of /nonexistent and /bin/false", 30s);
  // Each call and its leak check in one child; message: the std::runtime_error's what().
  const Failure missing =
      failure_of<std::runtime_error>([] { return probe_spawn_wait(MeasureOptions{0, 2, 1}, "/nonexistent/lab05-true"); });
  CHECK(missing.message.has_value());
  CHECK_THAT(message_or_none(missing), ContainsSubstring("/nonexistent/lab05-true"));
  const Failure failing = failure_of<std::runtime_error>([] { return probe_spawn_wait(MeasureOptions{0, 2, 1}, "/bin/false"); });
  CHECK(failing.message.has_value());
  CHECK_THAT(message_or_none(failing), ContainsSubstring("/bin/false"));
  CHECK(missing.leaks + failing.leaks == "");
}

TEST_CASE("probes stop their partner and clean up when measuring throws", "[lab05][task2]") {
  // repetitions = 0 makes measure throw after the partner thread or child is already set up:
  // the probe must still stop and join or reap it, and close every fd. A partner left
  // spinning or blocked shows up as a hang (the watchdog) or as a leak.
  const MeasureOptions bad{1, 0, 1};
  const std::vector<std::pair<std::string, Probe>> probes{
      {"probe_pipe_round_trip", probe_pipe_round_trip},
      {"probe_socketpair_round_trip", probe_socketpair_round_trip},
      {"probe_condvar_round_trip", probe_condvar_round_trip},
      {"probe_atomic_round_trip", probe_atomic_round_trip},
      {"probe_shared_memory_round_trip", probe_shared_memory_round_trip},
      {"probe_thread_start", probe_thread_start},
      {"probe_fork_wait", probe_fork_wait},
  };
  for (const auto& [name, probe] : probes) {
    INFO(name << " with repetitions = 0");
    parlab_test::Watchdog watchdog(name + " with repetitions = 0", 30s);
    // The probe and the leak check after its throw, in one child.
    const Failure failed = failure_of<std::invalid_argument>([&] { return probe(bad); });
    CHECK(failed.message.has_value());  // it threw std::invalid_argument
    CHECK(failed.leaks == "");
  }
}

TEST_CASE("every probe in the given list runs with small options", "[lab05][task2]") {
  for (const ProbeInfo& info : all_probes()) {
    INFO(std::string(info.key));
    parlab_test::Watchdog watchdog(std::string(info.key) + " from all_probes()", 60s);
    const auto samples = samples_from([&] { return info.run(MeasureOptions{1, 3, info.round_trip ? 10u : 1u}); });
    CHECK(samples.size() == 3);
    for (const double s : samples) CHECK(s > 0);
  }
}
