#include "sandbox/sandbox_exec.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace grader {

void fail_setup(int status_fd, const char* call) noexcept {
  StatusRecord record;
  record.error = errno;
  std::size_t i = 0;
  for (; call[i] != '\0' && i + 1 < sizeof record.failed_call; ++i) record.failed_call[i] = call[i];
  record.failed_call[i] = '\0';
  if (status_fd >= 0) (void)!::write(status_fd, &record, sizeof record);
  ::_exit(127);
}

const char* drop_privileges(const PrivilegeDrop& drop) noexcept {
  if (drop.max_processes > 0) {
    const rlimit limit{drop.max_processes, drop.max_processes};
    if (::setrlimit(RLIMIT_NPROC, &limit) != 0) return "setrlimit RLIMIT_NPROC";
  }
  if (drop.enabled) {
    if (::setgroups(0, nullptr) != 0) return "setgroups";
    if (::setgid(drop.gid) != 0) return "setgid";
    if (::setuid(drop.uid) != 0) return "setuid";
    if (::getuid() != drop.uid || ::geteuid() != drop.uid) {
      errno = EPERM;
      return "setuid (the uid did not change)";
    }
  }
  // No set-uid program can give the test its privileges back.
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return "prctl PR_SET_NO_NEW_PRIVS";
  return nullptr;
}

void close_fds_from(int first) noexcept {
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, static_cast<unsigned>(first), ~0U, 0U) == 0) return;
#endif
  const long max_fd = ::sysconf(_SC_OPEN_MAX);
  for (long fd = first; fd < (max_fd > 0 ? max_fd : 4096); ++fd) ::close(static_cast<int>(fd));
}

namespace {

// The program's side of the helper's fork: its fds stay as the sandbox set them up, except
// the status pipe, which only a failed step below writes to (exec closes it).
[[noreturn]] void start_program(const PrivilegeDrop& drop, int status_fd, char** program) noexcept {
  if (::fcntl(status_fd, F_SETFD, FD_CLOEXEC) != 0) fail_setup(status_fd, "fcntl FD_CLOEXEC on the status pipe");
  if (const char* failed = drop_privileges(drop)) fail_setup(status_fd, failed);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail_setup(status_fd, "prctl PR_SET_PDEATHSIG");
  ::execv(program[0], program);
  fail_setup(status_fd, "execv");
}

// Only the status pipe matters to the helper once the program runs: the program's output
// pipes must not be held open here, nor the channel and the nonce pipe (fds 3 and 5).
void keep_only_the_status_pipe(int status_fd) noexcept {
  const int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
    ::close(null_fd);
  }
  ::close(3);
  close_fds_from(status_fd + 1);
}

}  // namespace

int sandbox_exec_main(int argc, char** argv) {
  // argv: parlab-grader __sandbox-exec UID GID NPROC STATUS_FD -- program args...
  if (argc < 8 || std::strcmp(argv[6], "--") != 0) {
    std::fprintf(stderr, "parlab-grader __sandbox-exec: internal use only\n");
    return 127;
  }
  PrivilegeDrop drop;
  drop.uid = static_cast<uid_t>(std::strtoul(argv[2], nullptr, 10));
  drop.gid = static_cast<gid_t>(std::strtoul(argv[3], nullptr, 10));
  drop.enabled = ::geteuid() == 0 && drop.uid != 0;
  drop.max_processes = std::strtoul(argv[4], nullptr, 10);
  const int status_fd = static_cast<int>(std::strtol(argv[5], nullptr, 10));

  // This helper stays behind as the program's parent, under the grader's uid, out of the
  // program's reach: it reports the exact wait status (bubblewrap's own exit code cannot
  // tell "killed by signal N" from "exit(128 + N)").
  const pid_t child = ::fork();
  if (child < 0) fail_setup(status_fd, "fork");
  if (child == 0) start_program(drop, status_fd, argv + 7);
  keep_only_the_status_pipe(status_fd);
  StatusRecord record;
  while (::waitpid(child, &record.wait_status, 0) < 0) {
    if (errno != EINTR) return 127;
  }
  // After a failed set-up step this follows the child's own record, which the grader reads first.
  (void)!::write(status_fd, &record, sizeof record);
  return 0;
}

}  // namespace grader
