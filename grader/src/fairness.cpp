#include "fairness.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace grader {

namespace {

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

FairnessRun fairness_run(const LabResult& lab, double seconds) {
  FairnessRun run;
  run.points = lab.points;
  run.max_points = lab.max_points;
  run.reliable = lab.timing.reliable;
  run.seconds = seconds;
  for (const auto& p : lab.performance) {
    if (!p.ratios.empty()) run.ratios.push_back({p.id, p.median_ratio, p.status});
  }
  return run;
}

FairnessSummary summarise_fairness(const std::vector<FairnessRun>& runs) {
  FairnessSummary summary;
  if (runs.empty()) return summary;
  summary.points_min = summary.points_max = runs.front().points;
  std::vector<std::string> ids;  // in the order the lab lists them
  for (const auto& run : runs) {
    summary.points_min = std::min(summary.points_min, run.points);
    summary.points_max = std::max(summary.points_max, run.points);
    for (const auto& r : run.ratios) {
      if (std::find(ids.begin(), ids.end(), r.id) == ids.end()) ids.push_back(r.id);
    }
  }
  summary.points_identical = summary.points_min == summary.points_max;
  for (const auto& id : ids) {
    std::vector<double> ratios;
    for (const auto& run : runs) {
      for (const auto& r : run.ratios) {
        if (r.id == id) ratios.push_back(r.median_ratio);
      }
    }
    MetricSpread m{id, ratios.size(), *std::min_element(ratios.begin(), ratios.end()), median_of(ratios),
                   *std::max_element(ratios.begin(), ratios.end()), 0};
    m.spread_percent = m.median > 0 ? 100 * (m.max - m.min) / m.median : 0;
    summary.metrics.push_back(m);
  }
  return summary;
}

std::string render_fairness_run(std::size_t number, const FairnessRun& run) {
  std::string out = fmt::format("run {}: {:g}/{:g} points", number, run.points, run.max_points);
  for (const auto& r : run.ratios) {
    out += fmt::format(" · {} {:.3f}x", r.id, r.median_ratio);
    if (r.status != PerfStatus::passed) out += fmt::format(" {}", r.status);
  }
  if (run.ratios.empty()) out += " · not timed";
  if (!run.reliable) out += " · machine unreliable";
  return out + fmt::format(" · {:.1f} s\n", run.seconds);
}

std::string render_fairness_summary(const FairnessSummary& summary) {
  std::string out;
  for (const auto& m : summary.metrics) {
    out += fmt::format("{}: median ratio {:.3f} (min {:.3f}, max {:.3f}) over {} runs: spread {:.1f} %\n", m.id, m.median,
                       m.min, m.max, m.runs, m.spread_percent);
  }
  if (summary.metrics.empty()) out += "no performance metric was timed (--no-timing, or the lab has no benchmark)\n";
  out += summary.points_identical ? fmt::format("points identical across runs: yes ({:g})\n", summary.points_min)
                                  : fmt::format("points identical across runs: NO ({:g} to {:g})\n", summary.points_min,
                                                summary.points_max);
  return out;
}

}  // namespace grader
