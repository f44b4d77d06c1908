#pragma once
// The last steps before a sandboxed program starts, run in the forked child (and, under
// bubblewrap, inside the sandbox by `parlab-grader __sandbox-exec`). Everything here runs
// between fork() and exec() of a multi-threaded parent, so it uses only async-signal-safe
// system calls and memory prepared before the fork.

#include <sys/types.h>

namespace grader {

// What the status pipe carries to the grader: either the program's raw wait status (written
// by the bubblewrap helper), or which set-up call failed before the program could start, so
// that the verdict names it ("setrlimit RLIMIT_NPROC: Operation not permitted"). One record is
// far below PIPE_BUF, so each write arrives whole.
struct StatusRecord {
  int wait_status = 0;
  int error = 0;               // errno of the failed call
  char failed_call[96] = {};   // empty: no set-up step failed
};

// Writes a StatusRecord naming `call` and errno to `status_fd`, then ends the child with 127.
[[noreturn]] void fail_setup(int status_fd, const char* call) noexcept;

// Dropping to the sandbox uid. RLIMIT_NPROC counts the processes of the real uid, so the
// limit only bites after the switch (root is exempt from it). Returns the call that failed
// ("setuid"), or nullptr when every step succeeded.
struct PrivilegeDrop {
  bool enabled = false;
  uid_t uid = 0;
  gid_t gid = 0;
  unsigned long max_processes = 0;  // 0: leave RLIMIT_NPROC alone
};
const char* drop_privileges(const PrivilegeDrop& drop) noexcept;

// Closes every fd from `first` up, so that nothing of the grader's leaks into a test.
void close_fds_from(int first) noexcept;

// `parlab-grader __sandbox-exec <uid> <gid> <max-processes> <status-fd> -- program args...`:
// the helper bubblewrap starts inside the sandbox. It forks the program under the sandbox
// uid, waits for it, and writes its raw wait status (a StatusRecord) to <status-fd>; a set-up
// step that fails before the program starts writes its own StatusRecord first.
int sandbox_exec_main(int argc, char** argv);

}  // namespace grader
