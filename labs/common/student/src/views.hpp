#pragma once
// What the student command prints: progress bars, test outcomes, hints.

#include <string>
#include <vector>

#include "build_folder.hpp"
#include "course.hpp"
#include "run.hpp"

namespace parlab::student {

// Whether a lab's visible tests built, and if not, why not.
enum class LabBuild { built, does_not_compile, not_in_build };

struct TaskStatus {
  const Lab* lab;
  const Task* task;
  LabBuild build;
  bool passed;
};

void print_progress(const Course& course, const BuildFolder& folder, const std::vector<TaskStatus>& statuses);
// "not in this build: configured with PARLAB_LABS=01; reconfigure without it: cmake ..."
[[nodiscard]] std::string not_in_build(const Course& course, const BuildFolder& folder);
void print_test_run(const Lab& lab, const Task* task, const TestRun& run);
void print_hint(const Lab& lab, const Task& task, int layer);
void print_build_failure(const Lab& lab, const CommandResult& build);

}  // namespace parlab::student
