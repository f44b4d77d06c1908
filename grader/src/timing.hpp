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
};

// Fills lab.timing and lab.performance (points included).
void time_lab(Sandbox& sandbox, const LabManifest& manifest, const std::filesystem::path& student_benchmark,
              const std::filesystem::path& reference_benchmark, const TimingSettings& settings, LabResult& lab);

// Performance results when timing is switched off: no points, "not timed".
void skip_timing(const LabManifest& manifest, const std::string& because, LabResult& lab);

}  // namespace grader
