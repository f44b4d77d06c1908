#pragma once
// The settings a batch hands to each `parlab-grader grade` child: every GraderOptions and
// ReportSettings field, resolved once by the batch (command line over grader.toml over the
// defaults) and written as one JSON file, <out>/grade-settings.json, that each child reads
// with --settings FILE. Each setting is named once, in grade_settings.cpp.

#include <filesystem>

#include <nlohmann/json.hpp>

#include "config_file.hpp"
#include "grade_submission.hpp"

namespace grader {

[[nodiscard]] nlohmann::json settings_to_json(const GraderOptions& options, const ReportSettings& report);

// Reads a file settings_to_json wrote. Throws std::runtime_error naming the file and the
// key that is missing, unknown or of the wrong type.
void read_settings_file(const std::filesystem::path& file, GraderOptions& options, ReportSettings& report);

// The settings a resumed batch must agree on: all but those that change only where the
// grader works and how fast (work_dir, jobs, slots, progress).
[[nodiscard]] nlohmann::json settings_that_change_grades(nlohmann::json settings);

}  // namespace grader
