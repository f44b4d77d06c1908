#pragma once
// Building a lab's visible tests and running them, with outcomes read from the result
// channel that every lab test executable carries (see result_channel_listener.cpp).

#include <functional>
#include <string>
#include <vector>

#include "course.hpp"
#include "process_group.hpp"

namespace parlab::student {

// Incremental build of one target (ninja recompiles only what changed). A build of the same
// folder that something else started (an IDE, a second terminal) is waited for first, and a
// failure while one ran is retried once: two builds in one folder break each other's files.
[[nodiscard]] CommandResult build_target(const Course& course, const std::string& target,
                                         const StopRequested& stop_requested = {});

struct CaseOutcome {
  std::string name;
  bool ran = false;      // the case started
  bool passed = false;
  std::vector<std::string> failures;  // "file:line: CHECK(a == b) with expansion 1 == 2"
  std::string cut_short;  // how the program ended inside this case ("killed by signal 6 ..."), or ""
  std::string output;     // the program's last output when it was cut short (the watchdog's report)
};

struct TestRun {
  std::vector<CaseOutcome> cases;  // every case the test list names for the spec, in order
  bool stopped = false;            // watch mode stopped it (a save)

  [[nodiscard]] bool all_passed() const;
};

// The names of the visible test cases that `spec` (a tag such as "[task1]", or "" for all)
// selects. Throws when the spec matches nothing, listing the lab's tags.
[[nodiscard]] std::vector<std::string> list_visible_cases(const Course& course, const Lab& lab, const std::string& spec);

struct RunOptions {
  bool show_output = false;        // the test program's own output goes to the terminal as well
  bool show_running = true;        // name a case that runs for more than ~2 s
  StopRequested stop_requested;    // watch mode: a save stops the run
};

// Runs the named cases. A case that crashes or hangs ends its test program; the cases after
// it run in a fresh one, so every case is counted.
[[nodiscard]] TestRun run_visible_tests(const Course& course, const Lab& lab, const std::vector<std::string>& names,
                                        const RunOptions& options);

}  // namespace parlab::student
