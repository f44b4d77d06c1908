#include "scoring.hpp"

#include <algorithm>
#include <cmath>

namespace grader {

double round_points(double points) { return std::round(points * 100.0) / 100.0; }

double task_points(const TaskSpec& spec, unsigned cases_passed, unsigned cases_total) {
  if (cases_total == 0) return 0.0;
  double earned = spec.points * cases_passed / cases_total;
  if (cases_passed < cases_total && spec.any_failure_costs_at_least > 0) {
    earned = std::min(earned, spec.points * (1.0 - spec.any_failure_costs_at_least));
  }
  return round_points(earned);
}

void score_lab(const LabManifest& manifest, LabResult& lab) {
  lab.tasks.clear();
  lab.max_points = manifest.max_points();
  double total = 0;
  for (const auto& spec : manifest.tasks) {
    TaskResult task;
    task.id = spec.id;
    task.title = spec.title;
    task.points = spec.points;
    task.hints = spec.hints;
    for (const auto& c : lab.cases) {
      if (c.task_id != spec.id) continue;
      ++task.cases_total;
      if (c.verdict == Verdict::passed) ++task.cases_passed;
    }
    task.earned = task_points(spec, task.cases_passed, task.cases_total);
    total += task.earned;
    lab.tasks.push_back(std::move(task));
  }
  for (auto& p : lab.performance) {
    // "unreliable": the machine could not tell, and the doubt goes to the student.
    p.earned = p.status == PerfStatus::passed || p.status == PerfStatus::unreliable ? p.points : 0;
    total += p.earned;
  }
  lab.points = round_points(total);
  if (lab.status != LabStatus::graded) {
    // Nothing earned: the rubric still lists every task, with zero points.
    for (auto& t : lab.tasks) t.earned = 0;
    lab.points = 0;
  }
}

}  // namespace grader
