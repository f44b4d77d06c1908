#include "verdict.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include <signal.h>

#include <fmt/format.h>

#include "sandbox/progress_deadline.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

constexpr std::array<std::pair<Verdict, const char*>, 11> verdict_ids = {{
    {Verdict::passed, "passed"},
    {Verdict::failed, "failed"},
    {Verdict::crashed, "crashed"},
    {Verdict::timed_out, "timed_out"},
    {Verdict::memory_limit, "memory_limit"},
    {Verdict::output_limit, "output_limit"},
    {Verdict::disk_quota, "disk_quota"},
    {Verdict::process_limit, "process_limit"},
    {Verdict::race_detected, "race_detected"},
    {Verdict::did_not_build, "did_not_build"},
    {Verdict::not_submitted, "not_submitted"},
}};

bool mentions_out_of_memory(const SandboxResult& run, const ChannelReport& channel) {
  for (const auto& f : channel.failures) {
    if (contains(f.message, "bad_alloc") || contains(f.message, "Cannot allocate memory")) return true;
  }
  return contains(run.output, "std::bad_alloc") || contains(run.output, "Cannot allocate memory") ||
         contains(run.output, "out of memory");
}

// 1720804 -> "1,720,804": a count a student reads at a glance.
std::string with_thousands(std::size_t n) {
  std::string digits = std::to_string(n);
  for (std::size_t i = digits.size(); i > 3; i -= 3) digits.insert(i - 3, ",");
  return digits;
}

std::string first_failure(const ChannelReport& channel) {
  if (channel.failures.empty()) return {};
  std::string text = channel.failures.front().describe();
  const std::size_t seen = std::max(channel.failures_seen, channel.failures.size());
  if (seen > 1) text += fmt::format(" (and {} more failed checks)", with_thousands(seen - 1));
  return text;
}

// So many failed checks that Catch's report of them alone fills the output limit: the
// output is the test's, not the student's printing.
constexpr std::size_t failures_that_fill_the_output = 50;

// The usual cause of memory that grows until the limit, in code of these labs.
constexpr const char* endless_growth_hint =
    ", often a loop (or a recursion) whose step is 0, e.g. a chunk of size 0, that adds to a container on every turn";

}  // namespace

std::string verdict_id(Verdict v) {
  for (const auto& [verdict, id] : verdict_ids) {
    if (verdict == v) return id;
  }
  return "failed";
}

std::string verdict_label(Verdict v) {
  switch (v) {
    case Verdict::passed: return "passed";
    case Verdict::failed: return "failed";
    case Verdict::crashed: return "crashed";
    case Verdict::timed_out: return "timed out";
    case Verdict::memory_limit: return "memory limit exceeded";
    case Verdict::output_limit: return "output limit exceeded";
    case Verdict::disk_quota: return "disk quota exceeded";
    case Verdict::process_limit: return "process limit exceeded";
    case Verdict::race_detected: return "race detected";
    case Verdict::did_not_build: return "did not build";
    case Verdict::not_submitted: return "not submitted";
  }
  return "failed";
}


std::string describe_signal(int signal) {
  const char* abbrev = ::sigabbrev_np(signal);
  const std::string name = abbrev != nullptr ? std::string("SIG") + abbrev : fmt::format("signal {}", signal);
  switch (signal) {
    case SIGSEGV: return name + " (segmentation fault: the code touched memory it does not own, e.g. a null or dangling pointer or an index past the end)";
    case SIGABRT: return name + " (aborted: std::abort, a failed assert, or std::terminate because an exception escaped a thread or a joinable std::thread was destroyed)";
    case SIGFPE: return name + " (arithmetic error, e.g. an integer division by zero)";
    case SIGBUS: return name + " (bus error: a bad memory access)";
    case SIGILL: return name + " (illegal instruction: often a function that must return a value fell off its end)";
    case SIGPIPE: return name + " (wrote to a pipe whose read end is closed)";
    case SIGKILL: return name + " (killed)";
    default: return name + fmt::format(" ({})", ::strsignal(signal));
  }
}

std::string meaning_of_exit_code(int code) {
  switch (code) {
    case 70:
      return "an exception escaped the function a parlab::ChildProcess ran; ChildProcess::fork prints it on stderr as "
             "\"uncaught exception\"";
    case 124:
      return "the test's watchdog stopped a hang; the output says what each thread was waiting for";
    default:
      break;
  }
  // A shell's way of passing on a death by a signal.
  if (code > 128 && code < 128 + 65) return "what a shell reports for a process killed by " + describe_signal(code - 128);
  return {};
}

std::string exit_code_note(int code) {
  const std::string meaning = meaning_of_exit_code(code);
  return meaning.empty() ? "" : fmt::format(" (exit code {}: {})", code, meaning);
}

namespace {

// The test process ended like its parlab_test::isolated() child, whose code under test left
// with `code` before returning (isolated.cpp says so on stderr): informational only.
bool code_under_test_left_with(const SandboxResult& run, int code) {
  return contains(run.output, fmt::format("by parlab_test::isolated) ended it with exit code {} before returning", code));
}

// "The test process exited with status 3 before the test finished", with what the code means.
std::string early_exit_text(const SandboxResult& run) {
  std::string text = fmt::format("The test process exited with status {} before the test finished", run.exit_code);
  const std::string meaning = meaning_of_exit_code(run.exit_code);
  if (!meaning.empty()) {
    text += ": " + meaning;
  } else if (code_under_test_left_with(run, run.exit_code)) {
    text += ": the code under test ended it (exit() or _exit()) instead of returning to the test";
  }
  return text + ".";
}

// A run the sandbox stopped (a limit, or the timeout).
CaseVerdict verdict_when_stopped(const SandboxResult& run, const ChannelReport& channel, const SandboxLimits& limits) {
  using Ending = SandboxResult::Ending;
  const double wall_seconds = std::chrono::duration<double>(limits.wall).count();
  switch (run.ending) {
    case Ending::output_limit:
      if (channel.failures_seen >= failures_that_fill_the_output) {
        return {Verdict::failed, first_failure(channel) + " The test was stopped there: its report of that many "
                                                          "failed checks filled the output limit."};
      }
      return {Verdict::output_limit, fmt::format("The test printed more than {} and was stopped. Remove the printing "
                                                 "from loops (or print to a file only while debugging).",
                                                 human_bytes(limits.output_bytes))};
    case Ending::process_limit:
      return {Verdict::process_limit, fmt::format("The test reached the limit of {} processes and threads at once and was stopped. "
                                                  "Check that every fork() happens in the parent only and that "
                                                  "children leave with _exit() instead of going on with the parent's loop.",
                                                  limits.processes)};
    case Ending::memory_limit:
      return {Verdict::memory_limit, fmt::format("The test held more than {} of memory (its processes' resident memory, "
                                                 "memfd and shared memory, and files in memory counted together) and "
                                                 "was stopped: something allocates without bound{}.",
                                                 human_bytes(limits.memory), endless_growth_hint)};
    case Ending::disk_quota:
      return {Verdict::disk_quota, fmt::format("The test wrote more than its disk quota of {} (its scratch folder, /tmp "
                                               "and /dev/shm together) and was stopped. Delete temporary files when "
                                               "done with them, and do not write in a loop without bound.",
                                               human_bytes(limits.disk))};
    case Ending::timed_out:
      // A case that finished its checks is judged by them, never as a hang: it was stopped
      // only because its process did not exit afterwards.
      if (channel.ended && !channel.passed) {
        const std::string failure = first_failure(channel);
        return {Verdict::failed, failure.empty() ? "An assertion failed." : failure};
      }
      if (channel.ended) {
        return {Verdict::failed, fmt::format("Every check passed, but the test process did not exit within {:.0f} s "
                                             "after them: a thread that is never joined or a child process that is "
                                             "never waited for keeps it alive.", run.seconds)};
      }
      // A test that runs out of memory over and over (every value of a generator) can
      // also run out of time: the memory is the cause worth naming.
      if (mentions_out_of_memory(run, channel)) {
        return {Verdict::memory_limit, fmt::format("The test ran out of memory again and again (the limit is {}) until it "
                                                   "was stopped after {:.0f} s: something allocates without bound{}.",
                                                   human_bytes(limits.memory > 0 ? limits.memory : limits.address_space), wall_seconds,
                                                   endless_growth_hint)};
      }
      if (run.seconds >= wall_seconds * ProgressDeadline::busy_stretch - 0.5) {
        return {Verdict::timed_out, fmt::format("The test did not finish within {:.0f} s, and it kept computing until it was "
                                                "stopped after {:.0f} s: a loop that never ends, or a busy wait.",
                                                wall_seconds, run.seconds)};
      }
      return {Verdict::timed_out, fmt::format("The test did not finish within {:.0f} s and was stopped: it had stopped "
                                              "making progress (its processes no longer used the CPU), so it is blocked.",
                                              wall_seconds)};
    case Ending::exited:
    case Ending::signaled:
      break;  // not stopped: decide_verdict judges these itself
  }
  return {Verdict::failed, "The test ended by itself."};
}

}  // namespace

CaseVerdict decide_verdict(const SandboxResult& run, const ChannelReport& channel, const SandboxLimits& limits) {
  using Ending = SandboxResult::Ending;
  if (!run.setup_failure.empty()) return {Verdict::failed, "sandbox set-up failed: " + run.setup_failure};
  if (run.ending != Ending::exited && run.ending != Ending::signaled) return verdict_when_stopped(run, channel, limits);

  const bool exited_cleanly = run.ending == Ending::exited && run.exit_code == 0;
  if (channel.passed && exited_cleanly) return {Verdict::passed, "passed"};

  if (run.ending == Ending::signaled) {
    if (run.signal == SIGXCPU || (run.signal == SIGKILL && run.seconds >= limits.cpu_seconds)) {
      return {Verdict::timed_out, fmt::format("The test did not finish: it used more than {} s of CPU time and was stopped (a loop that "
                                              "never ends, or a busy wait).", limits.cpu_seconds)};
    }
    if (run.signal == SIGXFSZ) {
      return {Verdict::output_limit, fmt::format("The test wrote a file larger than {}, the limit, and was stopped.",
                                                 human_bytes(limits.file_size))};
    }
    if (mentions_out_of_memory(run, channel)) {
      return {Verdict::memory_limit, fmt::format("The test ran out of memory (the limit is {}): something allocates "
                                                 "without bound{}.", human_bytes(limits.memory > 0 ? limits.memory : limits.address_space),
                                                 endless_growth_hint)};
    }
    std::string text = "The test process crashed: " + describe_signal(run.signal) + ".";
    const std::string failure = first_failure(channel);
    if (!failure.empty()) text += " Catch reported: " + failure;
    return {Verdict::crashed, text};
  }

  if (mentions_out_of_memory(run, channel)) {
    return {Verdict::memory_limit, fmt::format("The test ran out of memory (the limit is {}): something allocates "
                                               "without bound{}.", human_bytes(limits.memory > 0 ? limits.memory : limits.address_space),
                                               endless_growth_hint)};
  }
  if (channel.ended && !channel.passed) {
    const std::string failure = first_failure(channel);
    return {Verdict::failed, failure.empty() ? "An assertion failed." : failure};
  }
  if (channel.ended && channel.passed) {
    // Every check passed, but the process did not end well afterwards.
    return {Verdict::failed, fmt::format("Every check passed, but the test process then exited with status {} "
                                         "instead of 0 (something went wrong while it shut down).", run.exit_code)};
  }
  if (!channel.started) {
    return {Verdict::failed, fmt::format("The test never started (the process exited with status {} before it). "
                                         "Code that runs before main, or a call to exit(), stopped it.", run.exit_code)};
  }
  if (run.exit_code == 0) {
    return {Verdict::failed, "The test process exited with status 0 before the test finished: something called "
                             "exit() (or quick_exit) in the middle of the test. A test only passes when it runs to its end."};
  }
  return {Verdict::failed, early_exit_text(run)};
}

}  // namespace grader
