#pragma once
// A lab's manifest (labs/NN-slug/lab.json), as far as the grader needs it. The lab
// contract (docs/lab-contract.md) describes every field.

#include <filesystem>
#include <string>
#include <vector>

namespace grader {

struct TaskSpec {
  std::string id;     // "task1"
  std::string title;
  std::string tag;    // the Catch tag of its tests, "[task1]"
  double points = 0;
  std::vector<std::string> hints;
  // "any_failure_costs_at_least": the share of `points` (0 < share <= 1) that the task
  // loses as soon as one of its cases does not pass, however many others do. 0: the
  // points are only split over the cases. See scoring.hpp.
  double any_failure_costs_at_least = 0;
};

struct PerformanceSpec {
  std::string id;
  std::string title;
  std::string metric;  // a key of the benchmark's "metrics" object
  double threshold = 0;
  double points = 0;
};

struct LabManifest {
  std::string id;     // "01"
  std::string slug;   // "01-queues"
  std::string title;
  std::filesystem::path directory;  // labs/NN-slug
  std::vector<std::string> editable;  // lab-relative paths
  bool has_hidden_tests = false;
  bool race_check = false;
  std::string benchmark_target;  // empty when the lab has no benchmark
  std::vector<std::string> benchmark_args;
  std::vector<TaskSpec> tasks;
  std::vector<PerformanceSpec> performance;

  [[nodiscard]] double max_points() const;
  [[nodiscard]] std::string target(const std::string& suffix) const { return "lab" + id + suffix; }
};

// Reads one manifest; throws std::runtime_error naming the file and the field on bad input.
[[nodiscard]] LabManifest load_manifest(const std::filesystem::path& lab_directory);

struct BrokenLab {
  std::string folder;  // "02-chunks"
  std::string error;
};

struct LabCatalog {
  std::vector<LabManifest> labs;   // sorted by id
  std::vector<BrokenLab> broken;   // folders whose manifest does not load
};

// Every labs/NN-* folder of the source tree. A manifest that does not load is listed in
// `broken` instead of stopping the grader: other labs can still be graded.
[[nodiscard]] LabCatalog discover_labs(const std::filesystem::path& source_root);

// The labs named by `ids` ("01", "1" or "01-queues"); every loadable lab when `ids` is
// empty. Throws std::invalid_argument listing the known ids when one is unknown, and
// std::runtime_error with the manifest's problem when a named lab is broken.
[[nodiscard]] std::vector<LabManifest> select_labs(const LabCatalog& catalog, const std::vector<std::string>& ids);

}  // namespace grader
