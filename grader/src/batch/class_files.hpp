#pragma once
// What a batch writes beside the gradebook, from the journal's records: class.html, the
// LMS exports (canvas.csv, moodle.csv, with roster.csv's identifiers when there is one)
// and the similarity check (similarity.csv). Rewritten whole at the end of every batch,
// through a temporary file and a rename each.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "batch/gradebook.hpp"
#include "batch/journal.hpp"
#include "batch/similarity.hpp"
#include "manifest.hpp"

namespace grader {

struct ClassFilesOptions {
  std::filesystem::path out;
  std::vector<LabColumn> labs;
  nlohmann::json settings;                     // shown on the page
  std::optional<std::filesystem::path> roster; // roster.csv, when there is one
  bool similarity = true;                      // false: --no-similarity
  std::vector<LabManifest> manifests;          // the labs compared
  std::vector<SimilaritySubmission> submissions;
  SimilarityOptions similarity_options;
};

struct ClassFiles {
  std::filesystem::path page, canvas, moodle, similarity_csv;
  std::vector<std::string> notes;  // roster mismatches, what the exports did about them
  SimilarityReport similarity;
};

// Throws std::invalid_argument for a bad roster file (before anything is written).
ClassFiles write_class_files(const ClassFilesOptions& options, const std::vector<StudentRecord>& records);

}  // namespace grader
