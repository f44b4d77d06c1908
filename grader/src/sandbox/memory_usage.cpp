#include "sandbox/memory_usage.hpp"

#include <fstream>
#include <set>
#include <string>
#include <system_error>
#include <utility>

#include <sys/stat.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace grader {

namespace {

namespace fs = std::filesystem;

// "Pss:" of smaps_rollup in bytes; without it (old kernels), the resident set from statm.
std::uint64_t proportional_set(pid_t pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::ifstream rollup(base + "/smaps_rollup");
  std::string key;
  std::uint64_t kib = 0;
  while (rollup >> key) {
    if (key == "Pss:") {
      rollup >> kib;
      return kib * 1024;
    }
    rollup.ignore(4096, '\n');
  }
  std::ifstream statm(base + "/statm");
  std::uint64_t size = 0, resident = 0;
  if (statm >> size >> resident) return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  return 0;
}

}  // namespace

std::uint64_t memory_held(const std::vector<pid_t>& processes) {
  std::uint64_t total = 0;
  std::set<std::pair<dev_t, ino_t>> memfds;
  for (const pid_t pid : processes) {
    total += proportional_set(pid);
    std::error_code ec;
    const fs::path fd_dir = "/proc/" + std::to_string(pid) + "/fd";
    for (auto it = fs::directory_iterator(fd_dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      std::error_code link_ec;
      const std::string target = fs::read_symlink(it->path(), link_ec).string();
      if (link_ec || target.rfind("/memfd:", 0) != 0) continue;
      struct stat st {};
      if (::stat(it->path().c_str(), &st) == 0 && memfds.insert({st.st_dev, st.st_ino}).second) {
        total += static_cast<std::uint64_t>(st.st_blocks) * 512;
      }
    }
  }
  return total;
}

std::uint64_t tmpfs_used(pid_t inside, const std::vector<fs::path>& places, std::uint64_t size) {
  std::uint64_t total = 0;
  const std::string root = "/proc/" + std::to_string(inside) + "/root";
  for (const auto& place : places) {
    // While bubblewrap sets the view up, its process's root is still the host's: only a
    // tmpfs of exactly the size the sandbox gave is one of its own.
    struct statfs fs_info {};
    if (::statfs((root + place.string()).c_str(), &fs_info) != 0 || fs_info.f_type != TMPFS_MAGIC) continue;
    const auto bytes = [&](auto blocks) { return static_cast<std::uint64_t>(blocks) * static_cast<std::uint64_t>(fs_info.f_bsize); };
    if (size > 0 && (bytes(fs_info.f_blocks) + 4096 < size || bytes(fs_info.f_blocks) > size + 4096)) continue;
    total += bytes(fs_info.f_blocks - fs_info.f_bfree);
  }
  return total;
}

std::uint64_t disk_used(const fs::path& folder) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(folder, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) == 0) total += static_cast<std::uint64_t>(st.st_blocks) * 512;
  }
  return total;
}

}  // namespace grader
