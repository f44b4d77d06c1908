#pragma once
// What a sandboxed run holds, measured from /proc, because an address-space limit alone
// does not hold: memfd files and shared memory are not address space until mapped, tmpfs
// files are not address space at all, and ThreadSanitizer runs without one.

#include <cstdint>
#include <filesystem>
#include <vector>

#include <sys/types.h>

namespace grader {

// Memory the processes hold: the sum of their proportional set sizes (a page shared by n
// of them counts 1/n to each, so forked workers are not counted n times) plus the size of
// every memfd file one of them has open (each file once, mapped or not).
[[nodiscard]] std::uint64_t memory_held(const std::vector<pid_t>& processes);

// Bytes used in the tmpfs folders `places` (each `size` bytes large), seen through
// /proc/`inside`/root: a process in the sandbox's mount namespace. 0 when it is gone.
[[nodiscard]] std::uint64_t tmpfs_used(pid_t inside, const std::vector<std::filesystem::path>& places, std::uint64_t size);

// Bytes on disk of every file below `folder` (the scratch folder without bubblewrap).
[[nodiscard]] std::uint64_t disk_used(const std::filesystem::path& folder);

}  // namespace grader
