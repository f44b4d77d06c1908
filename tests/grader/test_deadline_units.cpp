// The case timeout applies to progress: a case that still computes, or that has finished
// its checks, is not stopped at the timeout; one that is blocked is (ProgressDeadline), and
// a case stopped after its end record is judged by its checks (decide_verdict).
#include <chrono>
#include <string>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channel.hpp"
#include "parlab_test/catch.hpp"
#include "sandbox/progress_deadline.hpp"
#include "util/files.hpp"
#include "util/text.hpp"
#include "verdict.hpp"

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using grader::ProgressDeadline;

namespace {

// A forked child that either spins or sleeps until it is killed; waited for on every path.
class Child {
 public:
  explicit Child(bool spin) : pid_(::fork()) {
    if (pid_ == 0) {
      volatile unsigned long spins = 0;
      while (spin) spins = spins + 1;
      for (;;) ::pause();
    }
  }
  ~Child() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
};

// Waits (10 s at most) until `pid` sleeps: a child that has not reached pause() yet on a
// busy machine is still runnable, which the deadline rightly reads as computing.
void wait_until_sleeping(pid_t pid) {
  const auto give_up = Clock::now() + 10s;
  while (Clock::now() < give_up) {
    const std::string stat = grader::read_file("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'S') return;
    std::this_thread::sleep_for(5ms);
  }
}

// Asks the deadline every 100 ms of a clock of its own, which only this loop advances, until
// it expires; returns that clock's seconds since `started`. The deadline's verdicts then do
// not depend on how fast a busy machine runs this loop: only the child's CPU use and state
// are real (each step also waits 10 ms of real time, so a spinner gets to spin).
double clock_seconds_until_expired(ProgressDeadline& deadline, Clock::time_point started, std::string_view channel,
                                   std::chrono::seconds give_up) {
  for (auto now = started;; now += 100ms) {
    if (deadline.expired(now, channel) || now - started > give_up) return std::chrono::duration<double>(now - started).count();
    std::this_thread::sleep_for(10ms);
  }
}

}  // namespace

TEST_CASE("a blocked case is stopped soon after the timeout, a computing one only at the stretched end",
          "[grader][deadline]") {
  const auto timeout = 1s;
  const double hard_end = ProgressDeadline::busy_stretch * 1.0;
  {
    const Child sleeper(false);
    wait_until_sleeping(sleeper.pid());
    const auto started = Clock::now();
    ProgressDeadline deadline(started, timeout, sleeper.pid());
    const double stopped = clock_seconds_until_expired(deadline, started, "", 30s);
    CHECK(stopped >= 1.0);
    CHECK(stopped < hard_end);  // one second of sampling past the timeout, not the stretched end
  }
  {
    const Child spinner(true);
    const auto started = Clock::now();
    ProgressDeadline deadline(started, timeout, spinner.pid());
    CHECK(clock_seconds_until_expired(deadline, started, "", 30s) >= hard_end);
  }
}

TEST_CASE("a case whose end record arrived is not stopped as hung", "[grader][deadline]") {
  const Child sleeper(false);
  wait_until_sleeping(sleeper.pid());
  const auto started = Clock::now();
  ProgressDeadline deadline(started, 1s, sleeper.pid());
  const std::string channel = R"({"event":"case_ended","name":"a case","passed":true,"nonce":"n"})" "\n";
  CHECK(clock_seconds_until_expired(deadline, started, channel, 30s) >= ProgressDeadline::busy_stretch * 1.0);
}

TEST_CASE("a case stopped after it finished its checks is judged by them, not as timed out", "[grader][deadline]") {
  const grader::SandboxLimits limits;
  grader::SandboxResult run;
  run.ending = grader::SandboxResult::Ending::timed_out;
  run.seconds = 30;
  const std::string nonce = "n";
  const std::string ended_ok = R"({"event":"case_ended","name":"a case","passed":true,"nonce":"n"})" "\n";
  const auto passed_checks = grader::decide_verdict(run, grader::parse_channel(ended_ok, "a case", nonce), limits);
  CHECK(passed_checks.verdict == grader::Verdict::failed);
  CHECK(grader::contains(passed_checks.summary, "did not exit"));
  const std::string failed = R"({"event":"assertion_failed","file":"t.cpp","line":3,"macro":"CHECK","expression":"a == 1","expansion":"2 == 1"})" "\n"
                             R"({"event":"case_ended","name":"a case","passed":false,"nonce":"n"})" "\n";
  const auto failed_checks = grader::decide_verdict(run, grader::parse_channel(failed, "a case", nonce), limits);
  CHECK(failed_checks.verdict == grader::Verdict::failed);
  CHECK(grader::contains(failed_checks.summary, "2 == 1"));
  const auto hung = grader::decide_verdict(run, grader::parse_channel("", "a case", nonce), limits);
  CHECK(hung.verdict == grader::Verdict::timed_out);
}
