#pragma once
// "What this usually means": a test's own words on the known pitfall its next checks catch,
// shown by the grader (and by Catch's console output) when the case fails.
//
//   PARLAB_EXPLAIN("a worker kept going after the flag was raised: it reads the flag too rarely");
//   CHECK(lab04_test::early_exit_problems(...) == "");
//
// It is an INFO (so it is attached to every assertion that fails in the same scope, with
// the prefix below, which the grader recognises and shows apart) and it is also sent to the
// grader's result channel at once, so that a case that then hangs or crashes is explained
// too. It expands to two statements: use it in a block, not as the body of a bare `if`.

#include <string_view>

#include "parlab_test/catch.hpp"

namespace parlab_test {

// The grader splits INFO lines that start with this off a failed assertion's other INFO text.
inline constexpr std::string_view explanation_prefix = "what this usually means: ";

// Sends {"event": "explanation", "text": ...} to the result channel (nothing without one).
// Defined in result_channel_listener.cpp, which owns the channel.
void announce_explanation(std::string_view text);

}  // namespace parlab_test

#define PARLAB_EXPLAIN(text)                     \
  INFO("what this usually means: " text);        \
  ::parlab_test::announce_explanation(text)
