#pragma once
// The records of the result channel that every lab test program carries (a Catch2 listener,
// labs/common/testing/src/result_channel_listener.cpp): one JSON object per line. The grader
// and the student command read them through this one parser.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace parlab::manifest {

// The environment variables through which a test program finds its channel.
inline constexpr const char* result_fd_variable = "PARLAB_RESULT_FD";
inline constexpr const char* result_nonce_variable = "PARLAB_RESULT_NONCE";
inline constexpr const char* result_nonce_fd_variable = "PARLAB_RESULT_NONCE_FD";

struct ChannelRecord {
  enum class Event { case_started, assertion_failed, explanation, crash_stack, case_ended, run_ended };
  Event event = Event::case_started;
  std::string name;   // case_started, case_ended
  std::string nonce;  // case_ended, run_ended: the word the reader chose for this run
  bool passed = false;                // case_ended
  std::size_t assertions_passed = 0;  // case_ended
  // assertion_failed:
  std::string file;
  long line = 0;
  std::string macro;       // REQUIRE, CHECK, ...
  std::string expression;  // as written
  std::string expansion;   // with the values
  std::string message;     // an exception's what(), a FAIL's text
  std::string info;        // INFO / CAPTURE messages in scope, one per line
  std::string text;        // explanation: the PARLAB_EXPLAIN text announced
  // crash_stack (labs/common/testing/src/crash_stack.cpp), kept as written; the grader decodes them:
  long pid = 0;
  long test_pid = 0;
  int signal = 0;
  int exit_code = -1;
  std::string base;    // "0x…": where the test executable was loaded
  std::string frames;  // "0x… =0x… …": return addresses, innermost first; "=" marks a fault address
};

// One line of the channel, or nothing when it is not a well-formed record (the test's own
// code may write anything to an inherited copy of the fd: such lines are ignored).
[[nodiscard]] std::optional<ChannelRecord> parse_channel_record(std::string_view line);

}  // namespace parlab::manifest
