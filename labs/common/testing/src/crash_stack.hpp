#pragma once
// When a test process (or a child it forked) dies of a fatal signal, the return addresses of
// the thread that caused it go to the grader's result channel as one record, so that the
// grader can name the student's frame (with addr2line on the test executable) instead of
// only the signal. Internal to the result channel.

namespace parlab_test::detail {

// Installs handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT that write
//   {"event":"crash_stack","pid":P,"test_pid":T,"signal":S,"exit_code":-1,"base":"0x…","frames":"0x… 0x…"}
// to (a copy of) `channel_fd` and then let the signal kill the process as before; an on_exit
// hook that writes the same record with signal 0 and the code when the test process calls
// exit() while a case runs, or a forked child calls it with a code other than 0; and a new_handler that writes it with signal 0 and
// exit_code -1 when an allocation fails (then throws std::bad_alloc as before). Does nothing in sanitizer builds, whose runtimes
// report crashes themselves.
void report_crashes_to(int channel_fd);

// The listener says when a case starts and ends: an exit() of the test process in between is
// one in the middle of a case.
void note_case_running(bool running);

// (declared for isolated() in isolated_internal.hpp: redirect_crash_reports)

}  // namespace parlab_test::detail
