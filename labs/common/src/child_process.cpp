#include "parlab/child_process.hpp"

#include "parlab/trace.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <system_error>
#include <utility>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef PARLAB_COVERAGE_BUILD
extern "C" void __gcov_dump();
#endif

namespace parlab {

void detail::write_coverage_counters() noexcept {
#ifdef PARLAB_COVERAGE_BUILD
  __gcov_dump();
#endif
}

ExitStatus ExitStatus::from_wait_status(int status) noexcept {
  ExitStatus s;
  if (WIFEXITED(status)) {
    s.exited = true;
    s.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    s.signal = WTERMSIG(status);
  }
  return s;
}

std::string ExitStatus::describe() const {
  if (exited) return "exited with code " + std::to_string(code);
  const char* abbrev = sigabbrev_np(signal);
  return "killed by signal " + std::to_string(signal) + " (SIG" + (abbrev ? abbrev : "?") + ", " +
         strsignal(signal) + ")";
}

ChildProcess ChildProcess::fork(const std::function<int()>& body) {
  std::fflush(nullptr);
  const std::int64_t fork_started = trace::now_ns();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    int code = 70;
    try {
      // The child's own track: from its first instruction after fork to its exit.
      const trace::Span life("process", "life", {"parent", static_cast<std::uint64_t>(::getppid())});
      code = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child process %d: uncaught exception: %s\n", ::getpid(), e.what());
    } catch (...) {
      std::fprintf(stderr, "child process %d: uncaught non-standard exception\n", ::getpid());
    }
    std::fflush(nullptr);
    trace::write_child_part();  // _exit skips every destructor: the child writes its events now
    detail::write_coverage_counters();
    ::_exit(code);
  }
  trace::complete("fork", "life", fork_started, trace::now_ns(), {"child", static_cast<std::uint64_t>(pid)});
  return ChildProcess(pid);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), status_(std::exchange(other.status_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    dispose();
    pid_ = std::exchange(other.pid_, -1);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() { dispose(); }

void ChildProcess::dispose() noexcept {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
  status_.reset();
}

ExitStatus ChildProcess::wait() {
  if (status_) return *status_;
  if (pid_ <= 0) throw std::logic_error("ChildProcess::wait on an empty ChildProcess");
  const trace::Span span("wait for child", "wait", {"child", static_cast<std::uint64_t>(pid_)});
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
  }
  status_ = ExitStatus::from_wait_status(status);
  return *status_;
}

std::optional<ExitStatus> ChildProcess::try_wait() {
  if (status_ || pid_ <= 0) return status_;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
  if (r == pid_) status_ = ExitStatus::from_wait_status(status);
  return status_;
}

void ChildProcess::kill(int signal) noexcept {
  if (pid_ > 0 && !status_) ::kill(pid_, signal);
}

}  // namespace parlab
