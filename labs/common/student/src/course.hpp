#pragma once
// The course as the student command sees it: the labs found under labs/, read from their
// manifests through the shared model (labs/common/manifest, the grader's too), and where
// their build outputs live.

#include <filesystem>
#include <string>
#include <vector>

#include "parlab/manifest/lab.hpp"

namespace parlab::student {

using Task = parlab::manifest::Task;
using Lab = parlab::manifest::Lab;

struct Course {
  std::filesystem::path source_dir;
  std::filesystem::path build_dir;
  std::vector<Lab> labs;

  // Reads every labs/NN-*/lab.json under source_dir. Throws with the manifest's problem
  // (file, key, what was expected) when one cannot be read.
  [[nodiscard]] static Course load(const std::filesystem::path& source_dir,
                                   const std::filesystem::path& build_dir);
  // Accepts "1", "01", "01-queues" or "queues", as the grader does. Throws listing the labs
  // when nothing matches.
  [[nodiscard]] const Lab& lab(const std::string& name) const;
};

}  // namespace parlab::student
