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

bool drop_privileges(const PrivilegeDrop& drop) noexcept {
  if (drop.max_processes > 0) {
    const rlimit limit{drop.max_processes, drop.max_processes};
    if (::setrlimit(RLIMIT_NPROC, &limit) != 0) return false;
  }
  if (drop.enabled) {
    if (::setgroups(0, nullptr) != 0) return false;
    if (::setgid(drop.gid) != 0) return false;
    if (::setuid(drop.uid) != 0) return false;
    if (::getuid() != drop.uid || ::geteuid() != drop.uid) return false;
  }
  // No set-uid program can give the test its privileges back.
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0;
}

void close_fds_from(int first) noexcept {
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, static_cast<unsigned>(first), ~0U, 0U) == 0) return;
#endif
  const long max_fd = ::sysconf(_SC_OPEN_MAX);
  for (long fd = first; fd < (max_fd > 0 ? max_fd : 4096); ++fd) ::close(static_cast<int>(fd));
}

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
  if (child < 0) {
    std::fprintf(stderr, "parlab-grader sandbox: fork failed: %s\n", std::strerror(errno));
    return 127;
  }
  if (child == 0) {
    ::close(status_fd);
    if (!drop_privileges(drop)) {
      std::fprintf(stderr, "parlab-grader sandbox: cannot drop privileges: %s\n", std::strerror(errno));
      ::_exit(127);
    }
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::execv(argv[7], argv + 7);
    std::fprintf(stderr, "parlab-grader sandbox: cannot run %s: %s\n", argv[7], std::strerror(errno));
    ::_exit(127);
  }
  // Only the status pipe matters now; the program's output pipes must not be held open here.
  const int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
    ::close(null_fd);
  }
  // Nor the channel, nor the nonce pipe (fds 3 and 5): they are the program's alone.
  ::close(3);
  close_fds_from(status_fd + 1);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return 127;
  }
  (void)!::write(status_fd, &status, sizeof status);
  return 0;
}

}  // namespace grader
