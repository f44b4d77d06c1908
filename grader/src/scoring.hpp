#pragma once
// The rubric. A task's points are split evenly over its test cases (visible and hidden
// alike): a task with 10 cases of which 9 pass earns 90% of its points. A task whose
// manifest entry says "any_failure_costs_at_least": s loses at least the share s of its
// points as soon as one case fails (with s = 0.5, 9 of 10 earn 50%): where one wrong
// answer means the code is wrong, the even split would make a real bug nearly free. Performance
// points are all-or-nothing per performance task (see timing.hpp). A lab that did not
// build, or was not submitted, earns nothing.

#include "manifest.hpp"
#include "results.hpp"

namespace grader {

// What one task earns with `cases_passed` of `cases_total` cases passed.
[[nodiscard]] double task_points(const TaskSpec& spec, unsigned cases_passed, unsigned cases_total);

// score(): the one place points are set. Fills lab.tasks, the performance tasks' earned
// points (from their status), lab.points and lab.max_points from lab.cases, lab.performance
// and lab.status.
void score_lab(const LabManifest& manifest, LabResult& lab);

// Rounds to hundredths, so that reports and Gradescope agree on every digit.
[[nodiscard]] double round_points(double points);

}  // namespace grader
