#pragma once
// A forked child process with an owner. Whatever happens in the parent, the
// destructor makes sure the child is gone and reaped: no zombie, no orphan.

#include <functional>
#include <optional>
#include <string>

#include <sys/types.h>

namespace parlab {

// How a child ended: by exit(code) or by a signal.
struct ExitStatus {
  bool exited = false;  // true: ended by exit(code); false: killed by `signal`
  int code = 0;
  int signal = 0;

  [[nodiscard]] bool success() const noexcept { return exited && code == 0; }
  [[nodiscard]] static ExitStatus from_wait_status(int status) noexcept;
  // "exited with code 3" or "killed by signal 9 (SIGKILL)".
  [[nodiscard]] std::string describe() const;
};

class ChildProcess {
 public:
  // Forks. The child runs `body` and leaves with _exit(its return value), so it never
  // returns into the parent's code (no second run of destructors, atexit handlers or
  // test frameworks). An exception escaping `body` is printed and becomes exit code 70.
  // stdio buffers are flushed first, or the child would write the parent's pending
  // output a second time.
  [[nodiscard]] static ChildProcess fork(const std::function<int()>& body);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Kills (SIGKILL) and reaps the child if it is still running.
  ~ChildProcess();

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] bool reaped() const noexcept { return status_.has_value(); }
  // Blocks until the child ends and reaps it. Calling it again returns the same status.
  ExitStatus wait();
  // Reaps the child if it has ended; never blocks.
  std::optional<ExitStatus> try_wait();
  // Sends a signal (no-op once reaped).
  void kill(int signal) noexcept;

 private:
  explicit ChildProcess(pid_t pid) noexcept : pid_(pid) {}
  void dispose() noexcept;

  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
};

namespace detail {
// Writes this process's gcov line counters now. A child that leaves by _exit skips the
// atexit handler that would write them, and code that runs only in children (workers,
// every case parlab_test::isolated runs) would read as never run. A no-op outside
// coverage builds.
void write_coverage_counters() noexcept;
}  // namespace detail

}  // namespace parlab
