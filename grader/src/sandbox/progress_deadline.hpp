#pragma once
// When a sandboxed test case has taken too long. The case timeout is a budget for a case
// that makes no progress, not a stopwatch: on a busy machine a correct case that still
// computes only gets slower, and stopping it would turn the machine's load into a verdict.
//   - Before the timeout, nothing is checked.
//   - Past it, the case goes on while its processes keep using CPU (at least
//     min_cpu_share of one core over each second, or a thread runnable at the sample: on a
//     busy machine a computing case may get less than that share), and stops at the first
//     second in which they do not: a deadlock, a blocked read or a forgotten join uses no
//     CPU and sleeps.
//   - A case whose end record (case_ended) has arrived has finished its checks: it is
//     given time to exit and never counted as hung while it does.
//   - Either way, busy_stretch times the timeout is the end: a busy wait that never ends
//     uses CPU too.

#include <chrono>
#include <string_view>

#include <sys/types.h>

namespace grader {

class ProgressDeadline {
 public:
  static constexpr int busy_stretch = 3;
  static constexpr double min_cpu_share = 0.1;

  ProgressDeadline(std::chrono::steady_clock::time_point started, std::chrono::milliseconds timeout, pid_t root);

  // True when the case must be stopped now. `channel` is what the result channel has
  // delivered so far.
  [[nodiscard]] bool expired(std::chrono::steady_clock::time_point now, std::string_view channel);

  // How long the poll loop may sleep before expired() wants to be asked again.
  [[nodiscard]] std::chrono::milliseconds until_next_check(std::chrono::steady_clock::time_point now) const;

 private:
  std::chrono::steady_clock::time_point timeout_at_, hard_end_, next_sample_;
  pid_t root_;
  double last_cpu_seconds_ = -1;
};

// CPU seconds (user + system, reaped children included) that `root` and every process
// below it have used so far.
[[nodiscard]] double cpu_seconds_of_tree(pid_t root);

}  // namespace grader
