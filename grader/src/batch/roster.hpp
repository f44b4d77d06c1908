#pragma once
// The class: one submission per student in a folder, each a folder or an archive
// (alice/, bob.zip, carol.tar.gz). The student's name is the entry's name without the
// archive extension.

#include <filesystem>
#include <string>
#include <vector>

namespace grader {

// The LMS roster (batch/lms_roster.hpp) may sit in the class folder under this name: it is
// not a submission.
inline constexpr const char* roster_file_name = "roster.csv";

struct RosterEntry {
  std::string student;          // "alice"
  std::filesystem::path path;   // the folder or archive
  std::string fingerprint;      // changes whenever a byte or a file name in it changes
};

struct Roster {
  std::vector<RosterEntry> entries;  // sorted by student
  std::vector<std::string> ignored;  // "notes.txt: not a folder or an archive"
};

// Throws std::invalid_argument when `folder` is not a folder, holds no submission, or two
// entries would give the same student name (alice/ and alice.zip).
[[nodiscard]] Roster read_roster(const std::filesystem::path& folder);

// FNV-1a over the sorted relative paths, kinds and contents of a tree (or the bytes of a
// file), as 16 hex digits. Symbolic links count by their target text, never followed.
[[nodiscard]] std::string fingerprint_of(const std::filesystem::path& path);

}  // namespace grader
