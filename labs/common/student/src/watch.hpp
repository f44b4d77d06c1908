#pragma once
// Watching a lab's source folder with inotify, for watch mode: has a file been saved?

#include <filesystem>

#include "parlab/fd.hpp"

namespace parlab::student {

class FileWatch {
 public:
  // Watches the files in `dir` (editors often write a file in several steps, or write a new
  // file and rename it over the old one: both are seen). Throws if `dir` cannot be watched.
  explicit FileWatch(const std::filesystem::path& dir);

  // True if a save arrived within `timeout_ms` (0: just look; -1: wait as long as it takes).
  // The events seen are consumed.
  [[nodiscard]] bool saved(int timeout_ms);
  // Lets a burst of writes settle, so that one save triggers one rebuild.
  void settle();

 private:
  UniqueFd fd_;
};

}  // namespace parlab::student
