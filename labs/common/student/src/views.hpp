#pragma once
// What the student command prints: progress bars, test outcomes, hints.

#include <string>
#include <vector>

#include "course.hpp"
#include "run.hpp"

namespace parlab::student {

struct TaskStatus {
  const Lab* lab;
  const Task* task;
  bool built;
  bool passed;
};

void print_progress(const std::vector<TaskStatus>& statuses);
void print_test_run(const Lab& lab, const Task* task, const TestRun& run);
void print_hint(const Lab& lab, const Task& task, int layer);
void print_build_failure(const Lab& lab, const CommandResult& build);

}  // namespace parlab::student
