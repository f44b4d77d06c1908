#include "batch/roster.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "util/text.hpp"

namespace grader {

namespace fs = std::filesystem;

namespace {

constexpr std::array<const char*, 3> archive_extensions = {".tar.gz", ".tgz", ".zip"};

// The student's name, or an empty string when the entry is not a submission.
std::string student_name(const fs::directory_entry& entry) {
  const std::string name = entry.path().filename().string();
  if (entry.is_directory()) return name;
  if (!entry.is_regular_file()) return "";
  for (const std::string extension : archive_extensions) {
    if (name.size() > extension.size() && name.compare(name.size() - extension.size(), extension.size(), extension) == 0) {
      return name.substr(0, name.size() - extension.size());
    }
  }
  return "";
}

class Fnv1a {
 public:
  void add(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
      hash_ ^= bytes[i];
      hash_ *= 0x100000001b3ULL;
    }
  }
  void add(const std::string& text) {
    add(text.data(), text.size());
    add("\0", 1);  // a separator, so "ab"+"c" and "a"+"bc" differ
  }
  void add_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::array<char, 65536> buffer{};
    while (in) {
      in.read(buffer.data(), buffer.size());
      add(buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
  }
  [[nodiscard]] std::string hex() const { return fmt::format("{:016x}", hash_); }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace

std::string fingerprint_of(const fs::path& path) {
  Fnv1a hash;
  if (!fs::is_directory(path)) {
    hash.add_file(path);
    return hash.hex();
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(path)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    hash.add(fs::relative(file, path).generic_string());
    const auto status = fs::symlink_status(file);
    if (fs::is_symlink(status)) {
      hash.add("link:" + fs::read_symlink(file).string());
    } else if (fs::is_regular_file(status)) {
      hash.add("file");
      hash.add_file(file);
    } else {
      hash.add("other");
    }
  }
  return hash.hex();
}

Roster read_roster(const fs::path& folder) {
  if (!fs::exists(folder)) throw std::invalid_argument(folder.string() + " does not exist: give the folder that holds one submission per student");
  if (!fs::is_directory(folder)) {
    throw std::invalid_argument(folder.string() + " is not a folder: batch grades a folder of submissions "
                                "(use `parlab-grader grade` for a single one)");
  }
  Roster roster;
  std::map<std::string, fs::path> seen;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || name == "__MACOSX") continue;  // hidden files, macOS zip debris
    if (name == roster_file_name && entry.is_regular_file()) continue;     // the LMS roster, read by the exports
    const std::string student = student_name(entry);
    if (student.empty()) {
      roster.ignored.push_back(name + ": not a folder, .zip, .tar.gz or .tgz");
      continue;
    }
    // Reports go to reports/<safe name>/: two students must not share that folder either.
    const std::string report_folder = safe_file_name(student);
    if (const auto clash = seen.find(report_folder); clash != seen.end()) {
      throw std::invalid_argument(fmt::format("{} and {} would both be graded as student '{}': rename or remove one of them",
                                              clash->second.filename().string(), name, report_folder));
    }
    seen.emplace(report_folder, entry.path());
    roster.entries.push_back(RosterEntry{student, entry.path(), ""});
  }
  if (roster.entries.empty()) {
    throw std::invalid_argument(folder.string() + " holds no submission: put one folder or archive per student in it "
                                "(alice/01-queues/src/..., bob.zip, ...)");
  }
  std::sort(roster.entries.begin(), roster.entries.end(), [](const auto& a, const auto& b) { return a.student < b.student; });
  std::sort(roster.ignored.begin(), roster.ignored.end());
  for (auto& entry : roster.entries) entry.fingerprint = fingerprint_of(entry.path);
  return roster;
}

}  // namespace grader
