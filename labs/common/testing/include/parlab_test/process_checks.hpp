#pragma once
// Leak checks for the resources concurrency code must give back: file descriptors and
// child processes (running, or zombies nobody reaped).

#include <functional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "parlab/child_process.hpp"

namespace parlab_test {

struct OpenFd {
  int fd;
  std::string target;  // what /proc/self/fd/N points at, e.g. "pipe:[1234]"
};

struct ChildInfo {
  pid_t pid;
  char state;  // 'Z' for a zombie
};

[[nodiscard]] std::vector<OpenFd> open_fds();
[[nodiscard]] std::vector<ChildInfo> child_processes();

// Remembers the fds and children present when it was made.
class ResourceSnapshot {
 public:
  ResourceSnapshot();
  // Empty if nothing leaked since the snapshot; otherwise one line per leak, in words.
  // Children are given up to `grace_ms` to disappear (a killed child needs a moment).
  [[nodiscard]] std::string leaks(int grace_ms = 2000) const;

 private:
  std::vector<OpenFd> fds_;
  std::vector<ChildInfo> children_;
};

struct ChildRun {
  parlab::ExitStatus status;
  std::string output;  // what `body` returned, sent back over a pipe
};

// Runs `body` in a forked child and collects the string it returns plus how the child
// ended. Lets a test observe code that may crash, exit or be killed.
[[nodiscard]] ChildRun run_in_child(const std::function<std::string()>& body);

// Limits this process, and every process it forks from here on, to `seconds` of CPU time:
// the kernel then kills it with SIGXCPU (and SIGKILL a second later, should that be
// blocked). No core file. CPU time, not wall time, so a loaded machine cannot change which
// process dies. Call it inside parlab_test::isolated(), whose process ends with the case.
void limit_cpu_seconds(unsigned seconds);

}  // namespace parlab_test
