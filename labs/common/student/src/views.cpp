#include "views.hpp"

#include <sstream>

#include <fmt/format.h>

namespace parlab::student {
namespace {

std::string bar(int done, int total, int width = 24) {
  const int filled = total == 0 ? 0 : done * width / total;
  return "[" + std::string(static_cast<std::size_t>(filled), '#') +
         std::string(static_cast<std::size_t>(width - filled), '.') + "]";
}

}  // namespace

std::string not_in_build(const Course& course, const BuildFolder& folder) {
  return fmt::format("not in this build: configured with PARLAB_LABS={}; reconfigure without it: "
                     "cmake -S {} -B {} -U PARLAB_LABS",
                     folder.only_labs, course.source_dir.string(), course.build_dir.string());
}

// After a lab's tasks: the measured task (points from the benchmark, not from tests) and, once
// every task passes, the race check the grader will run.
void print_lab_footer(const Lab& lab, bool all_pass) {
  if (lab.performance_points() > 0) {
    // The handouts number it after the tested tasks ("Task 5 — measure").
    fmt::print("   {:<6} {:<8} {} points from the benchmark: `parlab time {}`\n", "task" + std::to_string(lab.tasks.size() + 1),
               "measure", lab.performance_points(), lab.id);
  }
  if (all_pass && lab.race_check) {
    fmt::print("   every task passes: now check for data races, `parlab test {} --tsan` (the grader does)\n", lab.id);
  } else if (all_pass) {
    fmt::print("   every task passes: now check for memory errors, `parlab test {} --asan`\n", lab.id);
  }
}

void print_progress(const Course& course, const BuildFolder& folder, const std::vector<TaskStatus>& statuses) {
  double points = 0, total_points = 0;
  int done = 0;
  const TaskStatus* next = nullptr;
  const Lab* current = nullptr;
  bool lab_all_pass = false;
  for (const auto& s : statuses) {
    if (s.lab != current) {
      if (current != nullptr) print_lab_footer(*current, lab_all_pass);
      current = s.lab;
      int lab_done = 0, lab_total = 0;
      for (const auto& t : statuses) {
        if (t.lab != current) continue;
        ++lab_total;
        lab_done += t.passed ? 1 : 0;
      }
      fmt::print("\nlab {}  {:<34} {} {}/{} tasks\n", current->id, current->title, bar(lab_done, lab_total),
                 lab_done, lab_total);
      lab_all_pass = lab_done == lab_total;
      if (s.build == LabBuild::does_not_compile) {
        fmt::print("   does not compile: run `parlab test {}` to see the errors\n", current->id);
      } else if (s.build == LabBuild::not_in_build) {
        fmt::print("   {}\n", not_in_build(course, folder));
      }
    }
    const char* mark = s.passed ? "done" : (s.build == LabBuild::built ? "todo" : "no build");
    fmt::print("   {:<6} {:<8} {}\n", s.task->id, mark, s.task->title);
    total_points += s.task->points;
    if (s.passed) {
      points += s.task->points;
      ++done;
    } else if (next == nullptr) {
      next = &s;
    }
  }
  if (current != nullptr) print_lab_footer(*current, lab_all_pass);
  fmt::print("\noverall {} {}/{} tasks, {}/{} test points ({:.0f} %)\n", bar(done, static_cast<int>(statuses.size())),
             done, statuses.size(), points, total_points, total_points > 0 ? 100.0 * points / total_points : 0.0);
  if (next != nullptr) {
    fmt::print("next: lab {} {} — {}\n      parlab test {} {}    (stuck? parlab hint {} {})\n", next->lab->id,
               next->task->id, next->task->title, next->lab->id, next->task->id, next->lab->id, next->task->id);
  } else {
    fmt::print("every task passes its visible tests. Check each lab for races and memory errors next:\n"
               "      parlab test NN --tsan    and    parlab test NN --asan\n");
  }
}

void print_test_run(const Lab& lab, const Task* task, const TestRun& run) {
  if (run.stopped) {
    fmt::print("  (stopped: a file was saved)\n");
    return;
  }
  int passed = 0;
  std::string crashed_in;
  for (const auto& c : run.cases) {
    passed += c.passed ? 1 : 0;
    if (!c.ran) {
      fmt::print("  NOT RUN {}{}\n", c.name, crashed_in.empty() ? "" : " (the program ended in \"" + crashed_in + "\")");
      continue;
    }
    fmt::print("  {} {}\n", c.passed ? "PASS" : "FAIL", c.name);
    for (const auto& f : c.failures) fmt::print("       {}\n", f);
    if (!c.cut_short.empty()) {
      crashed_in = c.name;
      fmt::print("       the test program ended inside this case: {}\n", c.cut_short);
      std::istringstream lines(c.output);
      for (std::string line; std::getline(lines, line);) fmt::print("       | {}\n", line);
    }
  }
  fmt::print("lab {}{}: {}/{} test cases pass\n", lab.id, task ? " " + task->id : std::string(), passed, run.cases.size());
}

void print_hint(const Lab& lab, const Task& task, int layer) {
  if (task.hints.empty()) {
    fmt::print("lab {} {} has no hints.\n", lab.id, task.id);
    return;
  }
  const int shown = std::min<int>(layer, static_cast<int>(task.hints.size()));
  for (int i = 0; i < shown; ++i) {
    fmt::print("hint {}/{} for lab {} {}:\n  {}\n\n", i + 1, task.hints.size(), lab.id, task.id,
               task.hints[static_cast<std::size_t>(i)]);
  }
  if (shown < static_cast<int>(task.hints.size())) {
    fmt::print("(run the same command again for the next hint)\n");
  } else {
    fmt::print("(that was the last hint; the handout {} explains the background)\n", (lab.directory / "README.md").string());
  }
}

void print_build_failure(const Lab& lab, const CommandResult& build) {
  fmt::print("lab {} does not build yet. The compiler said:\n", lab.id);
  // The first errors are the useful ones; the rest usually follow from them.
  std::size_t shown = 0, pos = 0;
  while (pos < build.output.size() && shown < 40) {
    const auto end = build.output.find('\n', pos);
    const std::string line = build.output.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (line.find("error") != std::string::npos || line.find("note") != std::string::npos || shown > 0) {
      fmt::print("  {}\n", line);
      ++shown;
    }
    if (end == std::string::npos) break;
    pos = end + 1;
  }
}

}  // namespace parlab::student
