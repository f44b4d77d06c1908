#pragma once
// Grades a whole class: every submission in a folder, a few at a time, each by its own
// `parlab-grader grade` process (a crash or a hang in one grading cannot take the batch
// down; the child dies with the batch, PR_SET_PDEATHSIG). Progress is journaled, so a
// batch stopped at any moment resumes without grading a finished student again; the
// gradebook, the class summary, class.html, the LMS exports and the similarity check are
// rewritten from the journal at the end.
//
// Timing never overlaps other work: the graders share the machine gate
// (util/machine_gate.hpp) and each benchmark waits until the machine is free.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "batch/class_files.hpp"
#include "batch/gradebook.hpp"

namespace grader {

struct BatchOptions {
  std::filesystem::path submissions;  // one folder or archive per student
  std::filesystem::path out;          // journal, reports/<student>/, gradebook, summary
  unsigned parallel = 2;              // submissions graded at the same time
  std::filesystem::path grader_executable;
  // Every grading setting (batch/grade_settings.hpp): written to <out>/grade-settings.json
  // for each `parlab-grader grade` child; those that change grades must match to resume.
  nlohmann::json grade_settings;
  std::vector<LabColumn> labs;        // the gradebook's columns
  std::vector<LabManifest> manifests; // the same labs, for the similarity check
  // roster.csv for the LMS exports: empty means <submissions>/roster.csv where it exists
  std::filesystem::path roster;
  bool similarity = true;
  SimilarityOptions similarity_options;  // its scratch folder is set by the batch
  std::chrono::seconds per_submission_timeout{std::chrono::hours(2)};
  bool progress = true;
};

struct BatchOutcome {
  std::size_t students = 0, graded_now = 0, already_graded = 0, rejected = 0, grader_failed = 0;
  double seconds = 0;
  GradebookFiles files;
  ClassFiles class_files;
};

// Throws std::invalid_argument for bad input (no such folder, a journal from other
// settings, another batch using `out`).
[[nodiscard]] BatchOutcome run_batch(const BatchOptions& options);

}  // namespace grader
