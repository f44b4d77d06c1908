#pragma once
// Timing a lab's benchmark against the reference: after a warm-up, the student's build (A)
// and the reference build (B) run interleaved, A B A B ..., so that both see the same
// machine. A short probe first measures the parallel capacity the machine delivers right
// now; a result taken when it cannot deliver is marked unreliable instead of punished.

#include <filesystem>

#include "manifest.hpp"
#include "results.hpp"
#include "sandbox/sandbox.hpp"

namespace grader {

struct TimingSettings {
  unsigned rounds = 3;
  double min_efficiency = 0.8;   // capacity / workers below this: the machine is busy
  double max_spread = 0.25;      // max - min of the per-round ratios above this: too noisy
  // A median this close below the threshold is too close to call on a shared machine: the
  // reference timed against itself lands anywhere in 0.85-1.10.
  double too_close_margin = 0.05;
  // The most a busy or changing machine can lower a ratio of interleaved runs. Below
  // threshold / this the ratio is the code's own, and doubt about the machine no longer
  // gives the points: a pipeline at a fifth of the reference's speed must not pass because
  // the probe happened to read a busy machine.
  double max_machine_slowdown = 2.0;
};

// A metric's ratios (student / reference, per round) judged against its threshold: passed,
// below_threshold, or unreliable (the doubt goes to the student) with `why` saying why it
// was not judged. `machine_doubt` is the timing's unreliable_because, empty if reliable.
struct RatioJudgement {
  PerfStatus status = PerfStatus::not_timed;
  std::string why;
};
[[nodiscard]] RatioJudgement judge_ratios(double median, double min, double max, double threshold,
                                          const TimingSettings& settings, const std::string& machine_doubt);

// Fills lab.timing and lab.performance (points included).
void time_lab(Sandbox& sandbox, const LabManifest& manifest, const std::filesystem::path& student_benchmark,
              const std::filesystem::path& reference_benchmark, const TimingSettings& settings, LabResult& lab);

// Performance results when timing is switched off: no points, "not timed".
void skip_timing(const LabManifest& manifest, const std::string& because, LabResult& lab);

}  // namespace grader
