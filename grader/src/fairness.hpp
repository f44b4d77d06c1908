#pragma once
// `parlab-grader fairness`: how repeatable a grading is. One submission is graded N times
// in a row (the build trees are reused, so only the tests, the TSan rerun and the timing
// repeat); per run the points and each performance metric's median ratio are kept, then
// the spread of each metric's ratio over the runs and whether the points stayed the same.
// A benchmark for people (docs/grading.md, "Fairness"), not a test: its figures depend on
// the machine.

#include <string>
#include <vector>

#include "results.hpp"

namespace grader {

struct FairnessRun {
  double points = 0, max_points = 0;
  struct Ratio {
    std::string id;  // the performance entry, e.g. "P1"
    double median_ratio = 0;
    PerfStatus status = PerfStatus::not_timed;
  };
  std::vector<Ratio> ratios;  // only the entries that were timed
  bool reliable = true;       // the parallel-capacity probe found the machine able
  double seconds = 0;         // the grading's wall time
};

struct MetricSpread {
  std::string id;
  std::size_t runs = 0;
  double min = 0, median = 0, max = 0;
  double spread_percent = 0;  // (max - min) / median, in %
};

struct FairnessSummary {
  std::vector<MetricSpread> metrics;
  bool points_identical = true;
  double points_min = 0, points_max = 0;
};

// One grading's figures for one lab.
[[nodiscard]] FairnessRun fairness_run(const LabResult& lab, double seconds);
[[nodiscard]] FairnessSummary summarise_fairness(const std::vector<FairnessRun>& runs);

// "run 2: 75/75 points · P1 1.01x · P2 0.98x unreliable · 41.2 s"
[[nodiscard]] std::string render_fairness_run(std::size_t number, const FairnessRun& run);
// One line per metric with its spread, then whether the points were identical.
[[nodiscard]] std::string render_fairness_summary(const FairnessSummary& summary);

}  // namespace grader
