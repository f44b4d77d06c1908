#pragma once
// Turns a hang into a failed test with a message. A deadlocked test would otherwise
// sit until ctest or the grader kills it, and the student would learn nothing.

#include <chrono>
#include <string>
#include <thread>

namespace parlab_test {

// Deadlines stretch under sanitizers and coverage: the build compiles in a factor for those
// presets, and PARLAB_TIMEOUT_SCALE in the environment overrides it.
[[nodiscard]] double timeout_scale();

class Watchdog {
 public:
  // If the Watchdog is still alive after `limit` (times timeout_scale()), it prints
  // "WATCHDOG: <what> did not finish ...", kills this process's children and ends the
  // test process with exit code 124.
  Watchdog(std::string what, std::chrono::milliseconds limit);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::jthread thread_;
};

}  // namespace parlab_test
