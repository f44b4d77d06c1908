#pragma once
// Reading the result channel the Catch listener (labs/common/testing/src/
// result_channel_listener.cpp) writes: one JSON object per line.

#include <cstddef>
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

  // The explanation that belongs to what went wrong: the first failure's own, else the
  // latest one the test announced.
  [[nodiscard]] std::string explanation() const;
};

// Only records that carry `nonce` count as the end of a case; anything that is not a
// well-formed record is ignored.
[[nodiscard]] ChannelReport parse_channel(const std::string& text, const std::string& case_name,
                                          const std::string& nonce);

}  // namespace grader
