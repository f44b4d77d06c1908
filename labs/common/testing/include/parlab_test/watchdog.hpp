#pragma once
// Turns a hang into a failed test with a message. A deadlocked test would otherwise sit until
// ctest or the grader kills it, and the student would learn nothing.
//
// Every test case runs under a watchdog without asking for one: a listener compiled into every
// lab test program (case_watchdog_listener.cpp) gives each case, and each of its sections,
// default_case_budget(). A case that needs longer says so in code, with a scoped Watchdog
// around the slow part or case_budget() for the whole rest of the case. When a budget runs out,
// the watchdog prints the case, how long it waited and what every thread is blocked in, kills
// the test's child processes and ends the test program with exit code 124.

#include <chrono>
#include <string>

namespace parlab_test {

// Deadlines stretch under sanitizers and coverage: the build compiles in a factor for those
// presets, and PARLAB_TIMEOUT_SCALE in the environment overrides it (the grader sets 100).
[[nodiscard]] double timeout_scale();

// What a case may take without saying so (before timeout_scale()).
[[nodiscard]] std::chrono::milliseconds default_case_budget();

// From now on the current case (or section) may take `limit` (times timeout_scale()) instead
// of the default. For a case whose every step is slow, e.g. a benchmark-like check.
void case_budget(std::chrono::milliseconds limit);

class Watchdog {
 public:
  // While this Watchdog lives, the deadline is `limit` (times timeout_scale()) from now, whatever
  // the case's budget says; `what` names the step in the message. When it is destroyed, the case
  // gets a fresh default budget. Watchdogs nest; the innermost one decides.
  Watchdog(std::string what, std::chrono::milliseconds limit);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  unsigned long id_;
};

namespace detail {
// Called by the listener; not for tests.
void case_started(const std::string& name);
void case_progressed();  // a new section or generator value of the same case began
void case_ended();
}  // namespace detail

}  // namespace parlab_test
