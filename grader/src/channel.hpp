#pragma once
// Reading the result channel the Catch listener (labs/common/testing/src/
// result_channel_listener.cpp) writes: one JSON object per line.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace grader {

struct AssertionFailure {
  std::string file;
  long line = 0;
  std::string macro;       // REQUIRE, CHECK, ...
  std::string expression;  // as written
  std::string expansion;   // with the values
  std::string message;     // an exception's what(), a FAIL's text
  std::string info;        // INFO / CAPTURE messages in scope
  std::string explanation; // the test's PARLAB_EXPLAIN in scope ("what this usually means")
  // "hidden_queue.cpp:42: REQUIRE(sum == expected) with expansion 3 == 4"
  [[nodiscard]] std::string describe() const;
};

// A fatal signal in the test process or a child it forked, or a child's exit() with a failure code (labs/common/testing/src/crash_stack.cpp):
// the return addresses of the thread that caused it, innermost first. Informational only: the
// student's code could write such a record too, and it only changes the words of a headline.
struct CrashStack {
  long pid = 0;          // the process that died, as the test saw it
  long test_pid = 0;     // the test process itself: equal to pid unless a forked child died
  int signal = 0;          // 0: a forked child called exit() with exit_code, or (exit_code -1) an allocation failed
  int exit_code = -1;
  std::uint64_t base = 0;  // where the test executable was loaded
  std::vector<std::uint64_t> frames;     // return addresses, innermost first ...
  std::vector<std::size_t> fault_frames; // ... but these (indices) are interrupted instructions
};

struct ChannelReport {
  bool started = false;        // a case_started record for the case arrived
  bool ended = false;          // a case_ended record with the right name and nonce arrived
  bool passed = false;         // ... and every such record said passed
  bool run_ended = false;      // the closing run_ended record (with the nonce) arrived
  bool forged_records = false; // records carrying a wrong nonce were seen (and ignored)
  std::vector<AssertionFailure> failures;  // the first ones, described
  std::size_t failures_seen = 0;           // every assertion_failed record, also those not kept
  std::size_t assertions_passed = 0;
  std::string last_explanation;            // the latest PARLAB_EXPLAIN announced, for hangs and crashes
  std::vector<CrashStack> crash_stacks;    // at most a few, in the order the processes died

  // The explanation that belongs to what went wrong: the first failure's own, else the
  // latest one the test announced.
  [[nodiscard]] std::string explanation() const;
};

// Only records that carry `nonce` count as the end of a case; anything that is not a
// well-formed record is ignored.
[[nodiscard]] ChannelReport parse_channel(const std::string& text, const std::string& case_name,
                                          const std::string& nonce);

}  // namespace grader
