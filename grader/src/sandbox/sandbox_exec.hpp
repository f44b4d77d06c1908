#pragma once
// The last steps before a sandboxed program starts, run in the forked child (and, under
// bubblewrap, inside the sandbox by `parlab-grader __sandbox-exec`). Everything here runs
// between fork() and exec() of a multi-threaded parent, so it uses only async-signal-safe
// system calls and memory prepared before the fork.

#include <sys/types.h>

namespace grader {

// Dropping to the sandbox uid. RLIMIT_NPROC counts the processes of the real uid, so the
// limit only bites after the switch (root is exempt from it). Returns false on failure.
struct PrivilegeDrop {
  bool enabled = false;
  uid_t uid = 0;
  gid_t gid = 0;
  unsigned long max_processes = 0;  // 0: leave RLIMIT_NPROC alone
};
bool drop_privileges(const PrivilegeDrop& drop) noexcept;

// Closes every fd from `first` up, so that nothing of the grader's leaks into a test.
void close_fds_from(int first) noexcept;

// `parlab-grader __sandbox-exec <uid> <gid> <max-processes> <status-fd> -- program args...`:
// the helper bubblewrap starts inside the sandbox. It forks the program under the sandbox
// uid, waits for it, and writes its raw wait status (an int) to <status-fd>.
int sandbox_exec_main(int argc, char** argv);

}  // namespace grader
