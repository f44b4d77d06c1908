#pragma once
// What a batch hands the instructor: gradebook.csv (one row per student: points per lab,
// total), summary.json and summary.md (score distribution, per-lab figures, the tests most
// students failed) and histogram.svg (drawn with gnuplot). Every file is written through
// a temporary file and a rename: a reader never sees half of one.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "batch/journal.hpp"

namespace grader {

struct LabColumn {
  std::string id;
  double max_points = 0;
};

// One record per student (the latest), in the gradebook's row order.
[[nodiscard]] std::string render_gradebook_csv(const std::vector<LabColumn>& labs, const std::vector<StudentRecord>& records);
[[nodiscard]] nlohmann::json class_summary(const std::vector<LabColumn>& labs, const std::vector<StudentRecord>& records);
[[nodiscard]] std::string render_summary_markdown(const nlohmann::json& summary, const std::string& histogram_note);

struct GradebookFiles {
  std::filesystem::path csv, summary_json, summary_markdown, histogram;
  std::string histogram_note;  // empty when the picture was drawn; otherwise why not
};

GradebookFiles write_gradebook(const std::filesystem::path& out_dir, const std::vector<LabColumn>& labs,
                               const std::vector<StudentRecord>& records);

// One CSV field (RFC 4180 quoting). A field a spreadsheet would run as a formula
// (=, +, -, @ first) gets a leading apostrophe: student names are not trusted.
[[nodiscard]] std::string csv_field(const std::string& text);

// Points as the gradebook writes them: at most two decimals, no trailing zeros ("81.43", "90").
[[nodiscard]] std::string points_text(double points);
// The record's entry for lab `id`, or nullptr.
[[nodiscard]] const LabPoints* find_lab(const StudentRecord& record, const std::string& id);

}  // namespace grader
