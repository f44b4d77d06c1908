#pragma once
// What a sandboxed program sees of the file system under bubblewrap, built from an
// allow-list: the read-only system (/usr and the few /etc files a program's start needs),
// the paths the caller names, private size-limited tmpfs folders to write in, and nothing
// else. A folder not on the list (a second copy of the instructor tree in /opt, a backup in
// /home, another grader's work directory) does not exist inside.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace grader {

struct ViewSpec {
  std::filesystem::path scratch;                    // the working directory
  bool scratch_in_memory = true;                    // a tmpfs (counted as memory and disk) or the real folder, bound
  std::uint64_t tmpfs_bytes = 0;                    // size of each private tmpfs (/tmp, /dev/shm, scratch)
  std::vector<std::filesystem::path> read_only;     // files or folders bound read-only at the same path
};

// The system every program needs, read-only: /usr and its top-level links, and the /etc
// files a program's start reads. Both the bubblewrap view and the Landlock ruleset use it.
[[nodiscard]] std::vector<std::filesystem::path> system_paths();

// bubblewrap's arguments for the view, to go before "--".
[[nodiscard]] std::vector<std::string> bubblewrap_view_arguments(const ViewSpec& spec);

// The places inside the view a program can fill (its private tmpfs folders), as seen
// through /proc/PID/root of a process inside the view.
[[nodiscard]] std::vector<std::filesystem::path> writable_places(const ViewSpec& spec);

}  // namespace grader
