// Crash, limit and hang verdicts in the student's terms: the innermost frame in a file the
// student edits (not a library frame), and which process it was in, children included.
#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "backtrace.hpp"
#include "channel.hpp"
#include "crash_place.hpp"
#include "parlab_test/catch.hpp"
#include "util/command.hpp"
#include "util/files.hpp"
#include "util/text.hpp"
#include "verdict.hpp"

using grader::contains;

namespace {

const std::string started = R"({"event":"case_started","name":"a case"})" "\n";

// The result channel's fixture (tests/common/channel/failing_cases.cpp) run with the channel
// on fd 9, as the grader runs a test: everything it wrote there.
std::string channel_of_fixture(const std::string& test_spec) {
  const std::filesystem::path channel = std::filesystem::temp_directory_path() / ("crash-channel-" + grader::random_hex(8));
  grader::CommandOptions options = grader::command_options(std::chrono::seconds(60));
  options.extra_environment = {"PARLAB_RESULT_FD=9", "PARLAB_RESULT_NONCE=n"};
  (void)grader::run_command({"sh", "-c", "exec \"$0\" \"$1\" 9>\"$2\"", RESULT_CHANNEL_FIXTURE, test_spec, channel.string()},
                            options);
  std::string text = grader::read_file(channel);
  std::filesystem::remove(channel);
  return text;
}

}  // namespace

TEST_CASE("a crash record is read from the channel with its process and frames", "[grader][crash]") {
  const std::string text = started + R"({"event":"crash_stack","pid":57,"test_pid":12,"signal":11,"base":"0x5000","frames":"0x5100 0x5234 0x7f00"})" "\n";
  const auto channel = grader::parse_channel(text, "a case", "n");
  REQUIRE(channel.crash_stacks.size() == 1);
  const auto& crash = channel.crash_stacks.front();
  CHECK(crash.pid == 57);
  CHECK(crash.test_pid == 12);
  CHECK(crash.signal == 11);
  CHECK(crash.base == 0x5000);
  CHECK(crash.frames == std::vector<std::uint64_t>{0x5100, 0x5234, 0x7f00});
  // Garbage in the frames is not one of ours: no frames, no exception.
  const auto bad = grader::parse_channel(started + R"({"event":"crash_stack","pid":1,"frames":"0xzz"})" "\n", "a case", "n");
  REQUIRE(bad.crash_stacks.size() == 1);
  CHECK(bad.crash_stacks.front().frames.empty());
}

TEST_CASE("the student frame is the innermost one in a file the student edits, not a library frame", "[grader][crash]") {
  const std::string addr2line = "0x0000000000001234\n"
                                "std::vector<unsigned long, std::allocator<unsigned long> >::_M_range_check(unsigned long) const\n"
                                "/usr/include/c++/12/bits/stl_vector.h:987\n"
                                "parlab::lab01::(anonymous namespace)::take_chunk(std::vector<unsigned long>&)\n"
                                "/slot/overlay/01-queues/src/primes_threads.cpp:42 (discriminator 3)\n"
                                "0x0000000000001300\n"
                                "parlab::lab01::primes_threads(unsigned int, unsigned int, unsigned long)\n"
                                "/slot/overlay/01-queues/src/primes_threads.cpp:77\n";
  const auto frame = grader::first_student_frame(addr2line, {"blocking_queue.cpp", "primes_threads.cpp"});
  REQUIRE(frame.has_value());
  CHECK(frame->function == "take_chunk");
  CHECK(frame->location == "primes_threads.cpp:42");
  CHECK_FALSE(grader::first_student_frame(addr2line, {"blocking_queue.cpp"}).has_value());
}

TEST_CASE("a crash place says which process: the test's own or a forked child", "[grader][crash]") {
  grader::CrashStack in_test;
  in_test.pid = in_test.test_pid = 12;
  in_test.signal = SIGSEGV;
  grader::CrashStack in_child = in_test;
  in_child.pid = 57;
  const grader::StudentFrame frame{"take_chunk", "primes_threads.cpp:42"};
  CHECK(grader::describe_crash_place(in_test, frame) ==
        " It happened in take_chunk (primes_threads.cpp:42), in the test process itself.");
  CHECK(grader::describe_crash_place(in_child, frame) ==
        " It happened in take_chunk (primes_threads.cpp:42), in a child process (pid 57) that the test process forked.");
  CHECK(contains(grader::describe_crash_place(in_child, std::nullopt), "outside the lab's own files"));
}

TEST_CASE("a child that dies of a signal in a test program leaves a crash record naming its frame", "[grader][crash]") {
  const auto channel = grader::parse_channel(channel_of_fixture("a forked child that dies of SIGSEGV"),
                                             "a forked child that dies of SIGSEGV", "n");
  REQUIRE(channel.crash_stacks.size() == 1);
  const auto& crash = channel.crash_stacks.front();
  CHECK(crash.signal == SIGSEGV);
  CHECK(crash.pid != crash.test_pid);
  CHECK(crash.base != 0);
  REQUIRE(grader::program_exists("addr2line"));  // binutils, which the toolchain brings
  const auto frame = grader::student_frame_of(crash, RESULT_CHANNEL_FIXTURE, {"failing_cases.cpp"});
  REQUIRE(frame.has_value());
  INFO(frame->function << " at " << frame->location);
  CHECK(contains(frame->function, "write_through_null"));
  CHECK(frame->location.starts_with("failing_cases.cpp:"));
}

TEST_CASE("a hang names the student's frame below library frames, and what the children did", "[grader][backtrace]") {
  const std::string gdb = R"(=== process 12: the test process ===
Thread 1 (Thread 0x7f1 (LWP 12) "lab03_hidden"):
#0  0x00007f in __GI___wait4 () at ../sysdeps/unix/sysv/linux/wait4.c:30
#1  0x0000ab in parlab::ChildProcess::wait (this=...) at /w/labs/common/src/child_process.cpp:40
#2  0x0000ac in parlab::lab03::run_workers (...) at /w/overlay/03-counter/src/workers.cpp:55
#3  0x0000ad in CATCH2_INTERNAL_TEST_4 () at /w/tests/03-counter/hidden_workers.cpp:90
=== process 57: a child process ===
Thread 1 (Thread 0x7f1 (LWP 57) "lab03_hidden"):
#0  0x00007f in __GI___libc_read (fd=3, buf=..., nbytes=8) at ../sysdeps/unix/sysv/linux/read.c:26
#1  0x0000ab in parlab::read_all (...) at /w/labs/common/src/fd.cpp:20
#2  0x0000ac in std::vector<unsigned long, std::allocator<unsigned long> >::_M_range_check (...) at /usr/include/c++/12/bits/stl_vector.h:987
#3  0x0000ad in parlab::lab03::worker_loop (...) at /w/overlay/03-counter/src/workers.cpp:21
#4  0x0000ae in parlab::lab03::run_workers (...) at /w/overlay/03-counter/src/workers.cpp:50
)";
  const auto summary = grader::summarize_backtrace(gdb, {"workers.cpp"});
  REQUIRE(summary.threads.size() == 2);
  CHECK(summary.threads[0].where == "run_workers (workers.cpp:55)");
  CHECK(summary.threads[1].thread == "thread 1 of child process 57");
  CHECK(summary.threads[1].where == "worker_loop (workers.cpp:21), called from run_workers");
  CHECK(contains(summary.headline, "thread 1 of child process 57"));
  CHECK(contains(summary.headline, "worker_loop (workers.cpp:21)"));
  CHECK_FALSE(contains(summary.headline, "stl_vector.h"));
  // Without the student's files, the innermost lab or common frame, as before.
  CHECK(grader::summarize_backtrace(gdb).threads[1].where.starts_with("read_all (fd.cpp:20)"));
}

TEST_CASE("a child that calls exit with a code is reported with its pid and the student's frame", "[grader][crash]") {
  const auto channel = grader::parse_channel(channel_of_fixture("a forked child that calls exit(3)"),
                                             "a forked child that calls exit(3)", "n");
  REQUIRE(channel.crash_stacks.size() == 1);
  const auto& exit = channel.crash_stacks.front();
  CHECK(exit.signal == 0);
  CHECK(exit.exit_code == 3);
  CHECK(exit.pid != exit.test_pid);
  const auto frame = grader::student_frame_of(exit, RESULT_CHANNEL_FIXTURE, {"failing_cases.cpp"});
  REQUIRE(frame.has_value());
  INFO(frame->function << " at " << frame->location);
  CHECK(contains(frame->function, "leave_with_code"));
  const std::string text = grader::describe_child_ending(exit, frame);
  CHECK(text.starts_with(" A child process (pid " + std::to_string(exit.pid) + ") that the test process forked exited with code 3"));
  CHECK(contains(text, "leave_with_code"));
}

TEST_CASE("a failed allocation is named as such, in the test process or in a child", "[grader][crash]") {
  grader::CrashStack allocation;
  allocation.pid = allocation.test_pid = 12;
  allocation.signal = 0;
  allocation.exit_code = -1;
  const grader::StudentFrame frame{"chunks_power_law", "chunks.cpp:31"};
  CHECK(grader::describe_crash_place(allocation, frame) ==
        " The allocation that failed was made in chunks_power_law (chunks.cpp:31), in the test process itself.");
  allocation.pid = 57;
  CHECK(grader::describe_child_ending(allocation, frame) ==
        " A child process (pid 57) that the test process forked could not allocate memory in chunks_power_law (chunks.cpp:31).");
}

TEST_CASE("the memory-limit verdict names the usual cause: a step of size 0", "[grader][crash]") {
  grader::SandboxResult run;
  run.ending = grader::SandboxResult::Ending::memory_limit;
  const auto verdict = grader::decide_verdict(run, grader::parse_channel(started, "a case", "n"), grader::SandboxLimits{});
  CHECK(verdict.verdict == grader::Verdict::memory_limit);
  CHECK(contains(verdict.summary, "something allocates without bound, often a loop (or a recursion) whose step is 0"));
  CHECK(contains(verdict.summary, "a chunk of size 0"));
}

TEST_CASE("a lambda's frame, which gdb names only operator(), reads as a lambda at its line", "[grader][backtrace]") {
  CHECK(grader::shorten_function_name("operator()") == "a lambda");
  const std::string gdb = R"(Thread 3 (Thread 0x7f3 (LWP 14) "lab01_hidden"):
#0  0x00007f in __lll_lock_wait (futex=..., private=0) at ./nptl/lowlevellock.c:49
#1  0x00007f in ___pthread_mutex_lock (mutex=...) at ./nptl/pthread_mutex_lock.c:93
#2  0x0000ab in operator() (__closure=...) at /w/overlay/01-queues/src/primes_threads.cpp:50
#3  0x0000ac in std::__invoke_impl<void, parlab::lab01::(anonymous namespace)::hostile_act()::<lambda()> > (...) at /usr/include/c++/12/bits/invoke.h:61
)";
  const auto summary = grader::summarize_backtrace(gdb, {"primes_threads.cpp"});
  REQUIRE(summary.threads.size() == 1);
  CHECK(summary.threads[0].where == "a lambda (primes_threads.cpp:50)");
  CHECK(contains(summary.headline, "waiting for a mutex nobody releases (a deadlock) in a lambda (primes_threads.cpp:50)"));
}

TEST_CASE("an exit() in the middle of a case is named with the student's frame", "[grader][crash]") {
  const auto channel = grader::parse_channel(channel_of_fixture("a test that calls exit(0) in the middle"),
                                             "a test that calls exit(0) in the middle", "n");
  CHECK(channel.started);
  CHECK_FALSE(channel.ended);
  REQUIRE(channel.crash_stacks.size() == 1);
  const auto& exit = channel.crash_stacks.front();
  CHECK(exit.pid == exit.test_pid);
  CHECK(exit.signal == 0);
  CHECK(exit.exit_code == 0);
  const auto frame = grader::student_frame_of(exit, RESULT_CHANNEL_FIXTURE, {"failing_cases.cpp"});
  REQUIRE(frame.has_value());
  CHECK(grader::describe_early_exit(frame).starts_with(" exit() was called in leave_in_the_middle (failing_cases.cpp:"));
  CHECK(grader::describe_early_exit(std::nullopt).empty());
}
