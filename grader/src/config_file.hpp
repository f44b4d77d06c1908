#pragma once
// Grader settings from a TOML file (grader/grader.toml by default); command-line options
// override them. Every key is optional.

#include <filesystem>
#include <string>

#include "grade_submission.hpp"

namespace grader {

struct ReportSettings {
  std::string hidden_visibility = "after_published";
};

// Applies the file's values on top of `options` / `report`. Throws std::runtime_error
// naming the file, line and key on a syntax error or a value of the wrong type or range.
void apply_config_file(const std::filesystem::path& file, GraderOptions& options, ReportSettings& report);

}  // namespace grader
