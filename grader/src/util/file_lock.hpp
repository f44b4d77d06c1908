#pragma once
// An flock(2) on a file: build trees in the work directory are shared by grader
// processes (a batch, or ctest running grader tests side by side), and only one may
// build in a tree at a time.

#include <filesystem>
#include <optional>

#include "util/unique_fd.hpp"

namespace grader {

class FileLock {
 public:
  enum class Mode { shared, exclusive };
  // Blocks until the lock is held.
  FileLock(const std::filesystem::path& path, Mode mode);
  // Returns nothing when another process holds it.
  [[nodiscard]] static std::optional<FileLock> try_lock(const std::filesystem::path& path, Mode mode);
  FileLock(FileLock&&) noexcept = default;
  FileLock& operator=(FileLock&&) noexcept = default;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock() = default;  // closing the fd releases the lock

 private:
  FileLock() = default;
  UniqueFd fd_;
};

}  // namespace grader
