#pragma once
// Writing a submission's reports to a folder, and the bundled examples (grader/examples/):
// sample submissions with the scores they must get (grader/examples/expected.json).

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config_file.hpp"
#include "results.hpp"

namespace grader {

// report.json (everything), results.json (Gradescope), report.html. Returns the HTML path.
std::filesystem::path write_reports(const SubmissionResult& result, const std::filesystem::path& out_dir,
                                    const ReportSettings& settings);

// The example submissions: every folder under `examples_dir`, "reference" first.
[[nodiscard]] std::vector<std::filesystem::path> find_examples(const std::filesystem::path& examples_dir);

// What differs from the expectations of one example (empty: as expected). Expectations:
//   {"labs": {"01": {"tasks": {"task1": 30, "task3": [10, 20], ...}, "performance": "full" | "zero",
//                    "verdicts_include": ["timed_out"]}}}
// Performance is checked only when timing ran.
[[nodiscard]] std::vector<std::string> check_expectations(const SubmissionResult& result, const nlohmann::json& expected);

struct ExampleSummary {
  std::string name;
  std::string report_link;  // relative to the index
  double score = 0, max_score = 0;
  std::vector<std::string> mismatches;
  bool checked = false;
};

[[nodiscard]] std::string render_examples_index(const std::vector<ExampleSummary>& examples);

}  // namespace grader
