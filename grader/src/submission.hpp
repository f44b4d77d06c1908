#pragma once
// Turns what the instructor handed over (a folder, a .zip or a .tar.gz) into a folder that
// mirrors labs/: <root>/01-queues/src/blocking_queue.cpp ...

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace grader {

// Bad input from the person running the grader: the message says what to do.
class SubmissionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Removes its folder when it goes out of scope.
class TemporaryDirectory {
 public:
  explicit TemporaryDirectory(std::filesystem::path path);
  ~TemporaryDirectory();
  TemporaryDirectory(TemporaryDirectory&& other) noexcept;
  TemporaryDirectory& operator=(TemporaryDirectory&&) = delete;
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct OpenedSubmission {
  std::string name;                 // for reports: the folder or archive name
  std::filesystem::path root;       // the folder holding NN-slug/ folders
  std::unique_ptr<TemporaryDirectory> unpacked;  // set for archives
};

// Throws SubmissionError for a missing path, an unsupported file type, an archive that
// cannot be read or that holds absolute or ".." paths, or a folder with no lab folder.
[[nodiscard]] OpenedSubmission open_submission(const std::filesystem::path& path,
                                               const std::filesystem::path& unpack_parent);

}  // namespace grader
