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

// An example holds only its mistake: a twist file (twist.toml, see example_twist.hpp) that
// changes the reference's text, and/or lab folders whose files replace the reference's.
// This writes into `destination` the submission it stands for: for each lab the example
// twists or holds, the reference's files (from `solutions`), the example's files on top, then
// the twist. Throws std::runtime_error when the twist does not fit the reference.
void materialise_example(const std::filesystem::path& example, const std::filesystem::path& solutions,
                         const std::filesystem::path& destination);

// materialise_example into a scratch folder under `scratch_parent`, removed when the returned
// TemporaryDirectory goes; the submission is <it>/<example name>.
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
