#pragma once
// File helpers with clear errors.

#include <filesystem>
#include <string>
#include <string_view>

namespace grader {

namespace fs = std::filesystem;

// Throws std::runtime_error naming the path when it cannot be read.
[[nodiscard]] std::string read_file(const fs::path& path);
// Writes through a temporary file and a rename, so that a reader (or an interrupted run)
// never sees half a file.
void write_file_atomically(const fs::path& path, std::string_view content);
// Removes a tree; never throws (cleanup must not hide the error that caused it).
void remove_tree_quietly(const fs::path& path) noexcept;
// `path` is `dir` or lies below it (compared lexically, after normalising both).
[[nodiscard]] bool path_is_under(const fs::path& path, const fs::path& dir);
// The path of the running grader executable (/proc/self/exe).
[[nodiscard]] fs::path current_executable();

}  // namespace grader
