#pragma once
// A lab's manifest (labs/NN-slug/lab.json): the one C++ reading of it, used by the grader and
// by the student command alike. docs/lab-contract.md describes every key, and
// labs/lab.schema.json states the same rules for tools (ctest manifest:schema checks them).

#include <filesystem>
#include <string>
#include <vector>

namespace parlab::manifest {

struct Task {
  std::string id;     // "task1"
  std::string title;
  std::string tag;    // the Catch tag of its tests, "[task1]"
  double points = 0;
  std::vector<std::string> hints;  // layered: first a nudge, last nearly the answer
  // "any_failure_costs_at_least": the share of `points` (0 < share <= 1) that the task
  // loses as soon as one of its cases does not pass, however many others do. 0: the
  // points are only split over the cases (see grader/src/scoring.hpp).
  double any_failure_costs_at_least = 0;
  // "loopback_tcp": its tests run their own server on 127.0.0.1 (lab 04's Redis). Without
  // bubblewrap's network namespace the sandbox cannot keep TCP to the loopback, so only these
  // cases (and the lab's benchmark) keep TCP; every other case is refused it.
  bool loopback_tcp = false;
};

struct PerformanceTask {
  std::string id;
  std::string title;
  std::string metric;  // a key of the benchmark's "metrics" object
  double threshold = 0;
  double points = 0;
};

struct Lab {
  std::string id;     // "01"
  std::string slug;   // "01-queues"
  std::string title;
  std::filesystem::path directory;  // labs/NN-slug
  std::vector<std::string> editable;  // lab-relative paths of the files the student edits
  bool has_hidden_tests = false;
  bool race_check = false;            // the grader reruns the tests under ThreadSanitizer;
                                      // false where the editable code never runs on two threads
  std::string benchmark_target;       // empty when the lab has no benchmark
  std::vector<std::string> benchmark_args;  // what the grader and `parlab time` pass it
  std::vector<Task> tasks;
  std::vector<PerformanceTask> performance;

  [[nodiscard]] double max_points() const;
  [[nodiscard]] double performance_points() const;
  // The build's target names: target("_visible") is "lab01_visible".
  [[nodiscard]] std::string target(const std::string& suffix) const { return "lab" + id + suffix; }
  [[nodiscard]] std::string visible_target() const { return target("_visible"); }
  [[nodiscard]] std::string hidden_target() const { return target("_hidden"); }
  // "2", "task2" and "[task2]" name task 2. Throws std::invalid_argument listing the tasks.
  [[nodiscard]] const Task& task(const std::string& name) const;
};

// Reads labs/NN-slug/lab.json; throws std::runtime_error naming the file, the key and what
// was expected ("labs/01-queues/lab.json: tasks[2].points: expected a number, found a string").
[[nodiscard]] Lab load_lab(const std::filesystem::path& lab_directory);

struct BrokenLab {
  std::string folder;  // "02-chunks"
  std::string error;
};

struct Catalog {
  std::vector<Lab> labs;          // sorted by id
  std::vector<BrokenLab> broken;  // folders whose manifest does not load
};

// Every labs/NN-* folder of the source tree that holds a lab.json. A manifest that does not
// load is listed in `broken`, so that the other labs can still be used. Throws when
// source_root/labs is not a folder.
[[nodiscard]] Catalog discover_labs(const std::filesystem::path& source_root);

// Whether `name` names the lab of folder `slug` ("01-queues"): "1", "01", "01-queues" and
// "queues" all do. The grader, the student command and the kit accept the same forms.
[[nodiscard]] bool names_lab(const std::string& slug, const std::string& name);

// The lab `name` names (see names_lab), or nullptr.
[[nodiscard]] const Lab* find_lab(const std::vector<Lab>& labs, const std::string& name);

}  // namespace parlab::manifest
