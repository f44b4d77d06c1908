#pragma once
// Given: a fresh temporary directory that removes itself. Tests and the benchmark put
// every counter, lock and memo file in one, so runs never see each other's files.

#include <filesystem>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace parlab::lab03 {

class ScratchDir {
 public:
  // Creates a new, empty, private directory (mkdtemp: the name is unique even when many
  // processes start at once) in the first of these that works: $PARLAB_SCRATCH_DIR,
  // /dev/shm, $TMPDIR, the system's temporary directory. /dev/shm is a tmpfs (memory):
  // on an ext4 disk every rename-over-an-existing-file also makes the kernel start
  // writing the new file's data out, which makes one increment 5 to 40 times slower.
  explicit ScratchDir(std::string_view prefix = "parlab-lab03");
  // Removes the directory and everything in it, but only in the process that created it
  // (a forked child that somehow ran destructors must not delete its parent's files).
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  [[nodiscard]] std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
  pid_t owner_ = 0;
};

}  // namespace parlab::lab03
