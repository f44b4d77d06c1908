#pragma once
// A lab's manifest (labs/NN-slug/lab.json), as the grader names it. The model and its
// reader are shared with the student command: labs/common/manifest (parlab_manifest). The
// lab contract (docs/lab-contract.md) describes every field.

#include <filesystem>
#include <string>
#include <vector>

#include "parlab/manifest/lab.hpp"

namespace grader {

using TaskSpec = parlab::manifest::Task;
using PerformanceSpec = parlab::manifest::PerformanceTask;
using LabManifest = parlab::manifest::Lab;
using BrokenLab = parlab::manifest::BrokenLab;
using LabCatalog = parlab::manifest::Catalog;

// Reads one manifest; throws std::runtime_error naming the file and the field on bad input.
[[nodiscard]] inline LabManifest load_manifest(const std::filesystem::path& lab_directory) {
  return parlab::manifest::load_lab(lab_directory);
}

// Every labs/NN-* folder of the source tree. A manifest that does not load is listed in
// `broken` instead of stopping the grader: other labs can still be graded.
[[nodiscard]] LabCatalog discover_labs(const std::filesystem::path& source_root);

// The labs named by `ids` ("01", "1", "01-queues" or "queues"); every loadable lab when `ids`
// is empty. Throws std::invalid_argument listing the known ids when one is unknown, and
// std::runtime_error with the manifest's problem when a named lab is broken.
[[nodiscard]] std::vector<LabManifest> select_labs(const LabCatalog& catalog, const std::vector<std::string>& ids);

}  // namespace grader
