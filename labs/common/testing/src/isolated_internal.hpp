#pragma once
// What isolated.cpp needs from the rest of the test library, and what it offers it.
// Internal to parlab_testing and the result channel.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace parlab_test {
// True in a child of isolated() (parlab_test/isolated.hpp).
[[nodiscard]] bool in_isolated_child() noexcept;
}  // namespace parlab_test

namespace parlab_test::detail {

// ---- from the result channel (result_channel_listener.cpp, crash_stack.cpp). Weak: test
// programs without the channel have none of it, and a child of theirs has nothing to give up.

// In a child of isolated(), before any student code: closes the fd to the grader and wipes
// the nonce from this copy of the test process's memory.
void leave_result_channel() __attribute__((weak));
// In a child of isolated(): crash reports go to `fd` (the pipe to the test process) instead
// of the channel; the test process forwards them.
void redirect_crash_reports(int fd) __attribute__((weak));
// In the test process, about to end as its isolated() child did: that crash is reported
// already, and this process's own frames would only hide where it happened.
void stop_crash_reports() __attribute__((weak));
// In the test process: a crash record a child of isolated() sent, passed on to the grader
// after checking its fields and naming this process as the one that crashed.
void forward_crash_record(const nlohmann::json& record) __attribute__((weak));

// ---- from isolated.cpp

// In a child of isolated(): a CHECK or REQUIRE ran (a mistake in the test), at file:line.
void report_assertion_in_child(const char* file, std::size_t line);
// In the test process: the pid of the child an isolated() call waits for, or 0.
[[nodiscard]] pid_t isolated_child_running() noexcept;

// ---- from watchdog.cpp: the case's deadlines travel into the child, whose own watchdog
// then reports a hang there with the child's threads (the ones running the student's code).

struct DeadlineSnapshot {
  struct Entry {
    unsigned long id;
    std::string what;
    std::chrono::steady_clock::time_point started, due;
  };
  std::string case_name;
  std::vector<Entry> deadlines;
};

[[nodiscard]] DeadlineSnapshot snapshot_deadlines();
void resume_deadlines_in_child(const DeadlineSnapshot& snapshot);
// Around the fork: the test process forks with no thread but the test's own (see watchdog.cpp).
[[nodiscard]] bool pause_watchdog_for_fork();
void resume_watchdog_after_fork();

}  // namespace parlab_test::detail
