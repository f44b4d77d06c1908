#pragma once
// Staging: copy the files the manifests list as editable from a submission into a fixed
// overlay folder (one per build slot) that the slot's build tree was configured with
// (-DPARLAB_IMPL=<overlay>). Nothing else is ever taken from a submission.
//
// A file whose content did not change keeps its old modification time, so ninja
// recompiles only what differs from the previous submission built in the same slot.

#include <filesystem>
#include <string>
#include <vector>

#include "manifest.hpp"

namespace grader {

struct StagedLab {
  bool submitted = false;                   // the submission has the lab's folder
  std::vector<std::string> taken;           // editable files taken from the submission
  std::vector<std::string> missing;         // editable files it lacks: the starter's is used
  std::vector<std::string> rejected;        // "path: reason" (a link, too large, not a file)
};

struct StagingResult {
  std::vector<StagedLab> labs;              // one per lab, in the order given
  std::vector<std::string> ignored;         // submission files that are not editable files
  std::size_t ignored_not_listed = 0;       // beyond the first ones, only counted
};

[[nodiscard]] StagingResult stage_submission(const std::filesystem::path& submission_root,
                                             const std::vector<LabManifest>& labs,
                                             const std::filesystem::path& overlay);

}  // namespace grader
