#pragma once
// The reports made from a SubmissionResult: a terminal table, the full JSON, Gradescope's
// results.json and a self-contained HTML page.

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "results.hpp"

namespace grader {

// The table people read in a terminal: per lab tests passed, verdicts, perf ratio, points;
// then the failures, explained.
[[nodiscard]] std::string render_terminal(const SubmissionResult& result);
// Only the table (no failure details, nothing about hidden tests).
[[nodiscard]] std::string render_table(const SubmissionResult& result);

// Gradescope's autograder format. `hidden_visibility` applies to hidden-test details
// ("after_published" by default; "visible", "hidden" and "after_due_date" also exist).
[[nodiscard]] nlohmann::json gradescope_results(const SubmissionResult& result, const std::string& hidden_visibility);

// What Gradescope shows first, above the grader's table: `upload_notes` (how the autograder
// read the upload, may be empty), then what the grader did with the files (missing ones
// replaced by the starter's, refused ones, unused ones). Empty when there is nothing to say.
[[nodiscard]] std::string gradescope_notes(const SubmissionResult& result, const std::string& upload_notes);

// Gradescope's results.json as the autograder hands it in: gradescope_results with the
// notes in front of its "output".
[[nodiscard]] nlohmann::json gradescope_results_for_upload(const SubmissionResult& result, const std::string& hidden_visibility,
                                                           const std::string& upload_notes);

[[nodiscard]] std::string render_html(const SubmissionResult& result);

// The perf ratio of a lab for tables: "0.98x (0.91-1.04)", "not timed", "failed".
[[nodiscard]] std::string perf_ratio_text(const LabResult& lab);
// "34 passed, 1 timed out, 1 crashed".
[[nodiscard]] std::string verdict_counts_text(const LabResult& lab);

// Where a grading's time went, one line each (the terminal report's "time:" lines):
// "build 12.3 s · tests 4.1 s · TSan build 20.2 s · TSan rerun 3.0 s · timing 18.0 s".
// A phase that did not happen (0 s: no TSan for a process lab, timing off) is left out,
// except the build, which every graded lab has.
[[nodiscard]] std::string lab_time_text(const LabResult& lab);
// The whole grading: "total 49.2 s · reference build 0.3 s · build 1.2 s · ...".
[[nodiscard]] std::string submission_time_text(const PhaseTimes& times);

}  // namespace grader
