#pragma once
// What every thread of this process is doing right now, in words: the watchdog prints it
// when a test case hangs, so the student reads "blocked in BlockingQueue<...>::pop" instead
// of a silent timeout. Internal to parlab_testing.

#include <chrono>
#include <string>

namespace parlab_test::detail {

// Must run once early (from a normal thread context, before any hang): installs the signal
// handler that records a thread's stack and loads the unwinder, which may allocate on first use.
void prepare_thread_dump();

// Asks every other thread of the process for its stack (waiting at most `patience` for the
// answers) and returns one paragraph per thread: its name, kernel state, the first frame in
// parlab code and the frames around it. `main_tid` is labelled as the thread running the test.
[[nodiscard]] std::string describe_threads(pid_t main_tid, std::chrono::milliseconds patience);

}  // namespace parlab_test::detail
