// parlab: the student command. Progress over all labs, the visible tests of one lab or
// task with readable failures, hints one layer at a time, a watch mode, and a timing check.
//
//   parlab status                 progress over every lab, and what to do next
//   parlab test 01 [task2]        build and run lab 01's visible tests (one task, or all)
//   parlab hint 01 task2          reveal the next hint layer for a task
//   parlab watch 01 [task2]       rebuild and rerun on every save
//   parlab time 01                run the lab's benchmark and compare with its thresholds
//   parlab trace 01 [scenario]    a traced run of your code: timeline JSON + SVG
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "build_folder.hpp"
#include "parlab/manifest/benchmark_report.hpp"
#include "course.hpp"
#include "hint_state.hpp"
#include "parlab/stopwatch.hpp"
#include "run.hpp"
#include "trace_command.hpp"
#include "views.hpp"
#include "watch.hpp"

namespace fs = std::filesystem;
using namespace parlab::student;

namespace {

// Where a sanitizer run builds: a folder of its own beside the starter's, made from the
// kit's preset on first use. Only the lab asked for is built there.
Course sanitizer_course(const Course& course, const std::string& preset) {
  Course copy = course;
  copy.build_dir = course.source_dir / "build" / preset;
  if (!BuildFolder::read(copy.build_dir).configured) {
    fmt::print("configuring {} (first {} run; the next ones reuse it)...\n", copy.build_dir.string(), preset);
    std::fflush(stdout);
    const CommandResult configure = run_command({"cmake", "-S", course.source_dir.string(), "--preset", preset});
    if (configure.exit_code != 0) {
      throw std::runtime_error("cmake --preset " + preset + " failed:\n" + configure.output);
    }
  }
  return copy;
}

// Builds a lab's visible tests; prints the compiler's first errors when that fails.
// Returns false when the build failed or was stopped.
bool build_lab(const Course& course, const Lab& lab, const StopRequested& stop_requested, bool& stopped) {
  const BuildFolder folder = BuildFolder::read(course.build_dir);
  if (folder.configured && !folder.builds(lab)) {
    fmt::print("lab {} is {}\n", lab.id, not_in_build(course, folder));
    return false;
  }
  const CommandResult build = build_target(course, lab.visible_target(), stop_requested);
  stopped = build.stopped;
  if (build.stopped) return false;
  if (build.exit_code != 0) {
    print_build_failure(lab, build);
    return false;
  }
  return true;
}

bool task_passes(const Course& course, const Lab& lab, const Task& task) {
  RunOptions quiet;
  quiet.show_running = false;
  return run_visible_tests(course, lab, list_visible_cases(course, lab, task.tag), quiet).all_passed();
}

int command_status(const Course& course) {
  const BuildFolder folder = BuildFolder::read(course.build_dir);
  if (!folder.configured) {
    throw std::runtime_error(course.build_dir.string() +
                             " is not a configured build folder (it has no CMakeCache.txt): run ./parlab from the "
                             "kit's folder, which configures it, or pass --build DIR");
  }
  std::vector<TaskStatus> statuses;
  for (const auto& lab : course.labs) {
    LabBuild build = LabBuild::not_in_build;
    if (folder.builds(lab)) {
      build = build_target(course, lab.visible_target()).exit_code == 0 ? LabBuild::built : LabBuild::does_not_compile;
    }
    for (const auto& task : lab.tasks) {
      const bool passed = build == LabBuild::built && task_passes(course, lab, task);
      statuses.push_back({&lab, &task, build, passed});
    }
  }
  print_progress(course, folder, statuses);
  return 0;
}

enum class Outcome { passed, failed, stopped };

Outcome test_once(const Course& course, const Lab& lab, const Task* task, const RunOptions& options) {
  bool stopped = false;
  if (!build_lab(course, lab, options.stop_requested, stopped)) return stopped ? Outcome::stopped : Outcome::failed;
  const TestRun run = run_visible_tests(course, lab, list_visible_cases(course, lab, task ? task->tag : ""), options);
  print_test_run(lab, task, run);
  if (run.stopped) return Outcome::stopped;
  if (!run.all_passed() && task != nullptr) {
    HintState hints(course.source_dir / ".parlab" / "hints.json");
    if (hints.revealed(lab.id, task->id) == 0) {
      fmt::print("stuck? `parlab hint {} {}` shows a first hint.\n", lab.id, task->id);
    }
  }
  return run.all_passed() ? Outcome::passed : Outcome::failed;
}

// Runs at once, then after every save; a save during a build or a run stops it and starts over.
int command_watch(const Course& course, const Lab& lab, const Task* task, unsigned max_runs) {
  const fs::path src = lab.directory / "src";
  FileWatch files(src);
  fmt::print("watching {} — save a file to rebuild and rerun (Ctrl-C to stop)\n", src.string());
  RunOptions options;
  options.stop_requested = [&] { return files.saved(0); };
  bool first = true;
  for (unsigned results = 0;;) {
    parlab::Stopwatch since_save;
    fmt::print("\n--- {} lab {} ---\n", first ? "building and testing" : "change seen, rebuilding", lab.id);
    std::fflush(stdout);
    if (test_once(course, lab, task, options) == Outcome::stopped) {
      fmt::print("--- a file was saved during that build or run: stopped it, starting over ---\n");
      files.settle();
      continue;
    }
    fmt::print("--- {}: {:.2f} s ---\n", first ? "first result" : "from save to result", since_save.seconds());
    std::fflush(stdout);
    if (max_runs != 0 && ++results >= max_runs) return 0;
    first = false;
    while (!files.saved(-1)) {
    }
    files.settle();
  }
}

int command_time(const Course& course, const Lab& lab) {
  if (lab.benchmark_target.empty()) {
    fmt::print("lab {} has no benchmark\n", lab.id);
    return 1;
  }
  const CommandResult build = build_target(course, lab.benchmark_target);
  if (build.exit_code != 0) {
    print_build_failure(lab, build);
    return 1;
  }
  std::vector<std::string> argv{(course.build_dir / lab.benchmark_target).string()};
  argv.insert(argv.end(), lab.benchmark_args.begin(), lab.benchmark_args.end());
  fmt::print("running {} (this takes a while; keep the machine otherwise idle)...\n", argv.front());
  const CommandResult run = run_command(argv);
  const auto found = parlab::manifest::find_benchmark_report(run.output);
  if (run.exit_code != 0 || !found || !found->is_object()) {
    fmt::print("the benchmark failed (exit {}):\n{}\n", run.exit_code, run.output);
    return 1;
  }
  const nlohmann::json& report = *found;
  if (report.contains("capacity")) {
    fmt::print("machine capacity right now: {:.2f}x with {} workers\n", report["capacity"].value("speedup", 0.0),
               report["capacity"].value("workers", 0));
  }
  bool all_met = true;
  for (const auto& p : lab.performance) {
    const double value = report["metrics"].value(p.metric, 0.0);
    const bool met = value >= p.threshold;
    all_met = all_met && met;
    fmt::print("  {} {:<60} {:.3f} (needs {:.2f})\n", met ? "MET " : "LOW ", p.title, value, p.threshold);
  }
  fmt::print("This compares your build with the machine's measured capacity, not with the reference;\n"
             "the grader repeats it several times, interleaved with the reference, on a quiet machine.\n");
  return all_met ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"parlab: your progress, tests, hints and timings for the parlab labs"};
  app.require_subcommand(1);
  std::string source_dir = PARLAB_DEFAULT_SOURCE_DIR;
  std::string build_dir = PARLAB_DEFAULT_BUILD_DIR;
  app.add_option("--source", source_dir, "the parlab folder (holds labs/)")->capture_default_str();
  app.add_option("--build", build_dir, "the build folder of your preset")->capture_default_str();

  auto* status = app.add_subcommand("status", "progress over every lab, and the next task to do");
  std::string lab_name, task_name;
  bool verbose = false;
  auto* test = app.add_subcommand("test", "build and run the visible tests of a lab, or of one task");
  test->add_option("lab", lab_name, "lab: 01, 1, queues or 01-queues")->required();
  test->add_option("task", task_name, "task: task2 or 2 (default: every task)");
  test->add_flag("-v,--verbose", verbose, "also show the test program's own output");
  bool tsan = false, asan = false;
  test->add_flag("--tsan", tsan, "build and run under ThreadSanitizer (data races), in build/student-tsan");
  test->add_flag("--asan", asan, "build and run under AddressSanitizer + UBSan (memory errors), in build/student-asan");
  auto* hint = app.add_subcommand("hint", "reveal the next hint for a task (remembered)");
  hint->add_option("lab", lab_name, "lab")->required();
  hint->add_option("task", task_name, "task")->required();
  unsigned max_runs = 0;
  auto* watch = app.add_subcommand("watch", "rebuild and rerun the tests every time you save a file");
  watch->add_option("lab", lab_name, "lab")->required();
  watch->add_option("task", task_name, "task (default: every task)");
  watch->add_option("--max-runs", max_runs, "stop after this many results, the first run's included (0: run until Ctrl-C)");
  auto* time = app.add_subcommand("time", "run the lab's benchmark and compare with its thresholds");
  time->add_option("lab", lab_name, "lab")->required();
  TraceRequest trace_request;
  auto* trace = add_trace_command(app, trace_request);
  CLI11_PARSE(app, argc, argv);

  try {
    const Course course = Course::load(source_dir, build_dir);
    if (status->parsed()) return command_status(course);
    if (trace->parsed()) return command_trace(course, trace_request);
    const Lab& lab = course.lab(lab_name);
    const Task* task = task_name.empty() ? nullptr : &lab.task(task_name);

    if (test->parsed()) {
      if (tsan && asan) throw std::invalid_argument("--tsan and --asan need separate builds: pick one per run");
      const Course build = tsan ? sanitizer_course(course, "student-tsan")
                           : asan ? sanitizer_course(course, "student-asan")
                                  : course;
      RunOptions options;
      options.show_output = verbose;
      return test_once(build, lab, task, options) == Outcome::passed ? 0 : 1;
    }
    if (hint->parsed()) {
      HintState hints(course.source_dir / ".parlab" / "hints.json");
      if (hints.revealed(lab.id, task->id) < static_cast<int>(task->hints.size())) hints.reveal_next(lab.id, task->id);
      print_hint(lab, *task, hints.revealed(lab.id, task->id));
      return 0;
    }
    if (watch->parsed()) return command_watch(course, lab, task, max_runs);
    if (time->parsed()) return command_time(course, lab);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parlab: %s\n", e.what());
    return 2;
  }
  return 0;
}
