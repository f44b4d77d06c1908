#pragma once
// Verdicts, and the rule that turns how a test process ended plus what its result channel
// said into one of them, explained in words a student understands.

#include <string>

#include "channel.hpp"
#include "sandbox/sandbox.hpp"

namespace grader {

enum class Verdict {
  passed,
  failed,          // an assertion failed, or the test did not run to its end
  crashed,         // killed by a signal
  timed_out,       // wall clock or CPU limit
  memory_limit,
  output_limit,    // printed too much, or wrote too large a file
  disk_quota,      // wrote more than its disk quota in all
  process_limit,   // started too many processes
  race_detected,   // ThreadSanitizer reported a data race
  did_not_build,
  not_submitted,
};

[[nodiscard]] std::string verdict_id(Verdict v);     // "timed_out"
[[nodiscard]] std::string verdict_label(Verdict v);  // "timed out"

// "SIGSEGV (segmentation fault: ...)"
[[nodiscard]] std::string describe_signal(int signal);

// What an exit code means where this project gives it one ("the test's watchdog stopped a
// hang" for 124); empty for a code of the student's own choosing.
[[nodiscard]] std::string meaning_of_exit_code(int code);
// " (exit code 124: the test's watchdog stopped a hang; …)", or empty where it has no meaning.
[[nodiscard]] std::string exit_code_note(int code);

struct CaseVerdict {
  Verdict verdict = Verdict::failed;
  std::string summary;  // one or two sentences for the student
};

[[nodiscard]] CaseVerdict decide_verdict(const SandboxResult& run, const ChannelReport& channel,
                                         const SandboxLimits& limits);

}  // namespace grader
