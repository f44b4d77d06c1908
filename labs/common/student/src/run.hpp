#pragma once
// Building a lab's visible tests and running them, with outcomes read from the result
// channel that every lab test executable carries (see result_channel_listener.cpp).

#include <string>
#include <vector>

#include "course.hpp"

namespace parlab::student {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs argv[0] (searched on PATH) and collects its output.
[[nodiscard]] CommandResult run_command(const std::vector<std::string>& argv);

// Incremental build of one target (ninja recompiles only what changed).
[[nodiscard]] CommandResult build_target(const Course& course, const std::string& target);

struct CaseOutcome {
  std::string name;
  bool passed = false;
  std::vector<std::string> failures;  // "file:line: CHECK(a == b) with expansion 1 == 2"
};

struct TestRun {
  std::vector<CaseOutcome> cases;
  bool finished = false;       // the run reached its end (run_ended record with our nonce)
  std::string process_status;  // "exited with code 1", "killed by signal 6 (SIGABRT, ...)"

  [[nodiscard]] bool all_passed() const;
};

// Runs the visible tests of one task (or all tasks when `tag` is empty). With `show_output`
// the test's console output goes to the terminal; otherwise it is discarded.
[[nodiscard]] TestRun run_visible_tests(const Course& course, const Lab& lab, const std::string& tag,
                                        bool show_output);

}  // namespace parlab::student
