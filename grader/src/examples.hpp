#pragma once
// Writing a submission's reports to a folder, and the bundled examples (grader/examples/):
// sample submissions with the scores they must get (grader/examples/expected.json).

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config_file.hpp"
#include "results.hpp"
#include "submission.hpp"

namespace grader {

// report.json (everything), results.json (Gradescope), report.html. Returns the HTML path.
std::filesystem::path write_reports(const SubmissionResult& result, const std::filesystem::path& out_dir,
                                    const ReportSettings& settings);

// The example submissions: every folder under `examples_dir`, "reference" first.
[[nodiscard]] std::vector<std::filesystem::path> find_examples(const std::filesystem::path& examples_dir);

// An example holds only the files that show its mistake. This builds, under
// `scratch_parent`, the submission it stands for: for each lab folder in the example, the
// reference's files (from `solutions`) with the example's files on top. The folder is
// removed when the returned TemporaryDirectory goes; the submission is <it>/<example name>.
[[nodiscard]] TemporaryDirectory complete_from_reference(const std::filesystem::path& example,
                                                         const std::filesystem::path& solutions,
                                                         const std::filesystem::path& scratch_parent);

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
