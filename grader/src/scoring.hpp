#pragma once
// The rubric. A task's points are split evenly over its test cases (visible and hidden
// alike): a task with 10 cases of which 9 pass earns 90% of its points. Performance
// points are all-or-nothing per performance task (see timing.hpp). A lab that did not
// build, or was not submitted, earns nothing.

#include "manifest.hpp"
#include "results.hpp"

namespace grader {

// Fills lab.tasks, lab.points and lab.max_points from lab.cases and lab.performance.
void score_lab(const LabManifest& manifest, LabResult& lab);

// Rounds to hundredths, so that reports and Gradescope agree on every digit.
[[nodiscard]] double round_points(double points);

}  // namespace grader
