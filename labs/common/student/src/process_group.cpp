#include "process_group.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

namespace parlab::student {
namespace {

// The group running now (parlab runs one at a time). The test program's group is not the
// terminal's foreground group, so Ctrl-C reaches only parlab: its handler ends the group too,
// instead of leaving a hung test program running after parlab is gone.
std::atomic<pid_t> running_group{0};

void end_group_and_die(int signal) {
  const pid_t group = running_group.load();
  if (group > 0) ::kill(-group, SIGKILL);
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

void install_interrupt_handlers() {
  static const bool installed = [] {
    for (const int signal : {SIGINT, SIGTERM, SIGHUP}) ::signal(signal, end_group_and_die);
    return true;
  }();
  (void)installed;
}

ChildProcess start(std::vector<std::string> argv, const std::vector<std::string>& environment, int output_fd,
                   int extra_fd, int extra_fd_number) {
  return ChildProcess::fork([&]() -> int {
    ::setpgid(0, 0);
    ::dup2(output_fd, STDOUT_FILENO);
    ::dup2(output_fd, STDERR_FILENO);
    // dup2 also clears close-on-exec, which the pipe end was created with; onto itself it
    // does nothing, so then the flag is cleared by hand.
    if (extra_fd >= 0 && extra_fd == extra_fd_number) ::fcntl(extra_fd, F_SETFD, 0);
    if (extra_fd >= 0 && extra_fd != extra_fd_number && ::dup2(extra_fd, extra_fd_number) < 0) return 126;
    for (const auto& entry : environment) ::putenv(const_cast<char*>(entry.c_str()));
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    ::execvp(cargs[0], cargs.data());
    std::fprintf(stderr, "cannot run %s: %s\n", cargs[0], std::strerror(errno));
    return 127;
  });
}

}  // namespace

ProcessGroup::ProcessGroup(std::vector<std::string> argv, const std::vector<std::string>& environment, int extra_fd,
                           int extra_fd_number) {
  auto pipe = Pipe::create();
  leader_.emplace(start(std::move(argv), environment, pipe.write_end.get(), extra_fd, extra_fd_number));
  // Also from here: the child may not have run setpgid yet when stop() signals the group.
  ::setpgid(leader_->pid(), leader_->pid());
  output_ = std::move(pipe.read_end);
  install_interrupt_handlers();
  running_group = leader_->pid();
}

ProcessGroup::~ProcessGroup() {
  if (!waited_) stop();
  running_group = 0;
}

void ProcessGroup::stop() {
  if (waited_) return;
  const pid_t group = leader_->pid();
  ::kill(-group, SIGTERM);
  for (int i = 0; i < 20 && !leader_->try_wait(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // Whatever is left of the group (a test's forked child, a compiler) goes now.
  ::kill(-group, SIGKILL);
  wait();
}

ExitStatus ProcessGroup::wait() {
  waited_ = true;
  return leader_->wait();
}

bool read_some(int fd, std::string& text) {
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
}

CommandResult run_command(const std::vector<std::string>& argv, const StopRequested& stop_requested) {
  ProcessGroup group(argv);
  CommandResult result;
  for (;;) {
    pollfd p{group.output_fd(), POLLIN, 0};
    const int ready = ::poll(&p, 1, 100);
    if (ready > 0 && !read_some(group.output_fd(), result.output)) break;
    if (stop_requested && stop_requested()) {
      group.stop();
      result.stopped = true;
      return result;
    }
  }
  const ExitStatus status = group.wait();
  result.exit_code = status.exited ? status.code : 128 + status.signal;
  return result;
}

}  // namespace parlab::student
