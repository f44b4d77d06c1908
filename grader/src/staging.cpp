#include "staging.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "util/files.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

constexpr std::uintmax_t max_source_bytes = 1 << 20;
constexpr std::size_t max_ignored_listed = 100;

// Writes only when the content differs: an unchanged file keeps its mtime.
void write_if_changed(const fs::path& destination, const std::string& content) {
  std::error_code ec;
  if (fs::is_regular_file(destination, ec)) {
    try {
      if (read_file(destination) == content) return;
    } catch (const std::exception&) {
      // unreadable: rewrite it
    }
  }
  write_file_atomically(destination, content);
}

// A submission may not reach outside itself through a symbolic link (to the hidden tests,
// the reference solution, /etc/...): every component below the root must be a real folder
// or file.
std::string why_not_plain_file(const fs::path& root, const std::string& relative) {
  fs::path current = root;
  for (const auto& part : fs::path(relative)) {
    current /= part;
    std::error_code ec;
    const auto status = fs::symlink_status(current, ec);
    if (ec || !fs::exists(status)) return "missing";
    if (fs::is_symlink(status)) return "is a symbolic link; submit the file itself";
  }
  const auto status = fs::symlink_status(current);
  if (!fs::is_regular_file(status)) return "is not a regular file";
  if (fs::file_size(current) > max_source_bytes) {
    return fmt::format("is larger than {}: not a source file", human_bytes(max_source_bytes));
  }
  return {};
}

}  // namespace

StagingResult stage_submission(const fs::path& submission_root, const std::vector<LabManifest>& labs,
                               const fs::path& overlay) {
  StagingResult result;
  std::set<std::string> editable_paths;
  for (const auto& lab : labs) {
    StagedLab staged;
    const fs::path lab_root = submission_root / lab.slug;
    std::error_code ec;
    staged.submitted = fs::is_directory(fs::symlink_status(lab_root, ec)) && !ec;
    for (const auto& file : lab.editable) {
      const std::string relative = lab.slug + "/" + file;
      editable_paths.insert(relative);
      std::string content;
      const std::string problem = staged.submitted ? why_not_plain_file(submission_root, relative) : "missing";
      if (problem.empty()) {
        content = read_file(submission_root / relative);
        staged.taken.push_back(file);
      } else {
        if (problem == "missing") {
          if (staged.submitted) staged.missing.push_back(file);
        } else {
          staged.rejected.push_back(file + ": " + problem);
        }
        content = read_file(lab.directory / file);  // the starter: it compiles and fails its tests
      }
      write_if_changed(overlay / lab.slug / file, content);
    }
    result.labs.push_back(std::move(staged));
  }

  // Everything else the submission holds is listed, so that a student who edited a header
  // or a test learns that those edits were not used.
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(submission_root, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory() && !it->is_symlink()) continue;
    const std::string relative = fs::relative(it->path(), submission_root).generic_string();
    if (editable_paths.count(relative) != 0) continue;
    // A lab this run does not grade (--labs) is not the student's mistake: not listed.
    if (const std::string top = relative.substr(0, relative.find('/'));
        top.size() > 3 && std::isdigit(static_cast<unsigned char>(top[0])) && std::isdigit(static_cast<unsigned char>(top[1])) &&
        top[2] == '-' && std::none_of(labs.begin(), labs.end(), [&](const auto& lab) { return lab.slug == top; })) {
      continue;
    }
    if (result.ignored.size() < max_ignored_listed) {
      result.ignored.push_back(relative);
    } else {
      ++result.ignored_not_listed;
    }
  }
  return result;
}

}  // namespace grader
