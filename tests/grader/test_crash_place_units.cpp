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
// on fd 9, as the grader runs a test: everything it wrote there, what it printed, how it ended.
struct FixtureRun {
  std::string channel;
  grader::SandboxResult run;
};

FixtureRun run_fixture(const std::string& test_spec) {
  const std::filesystem::path channel = std::filesystem::temp_directory_path() / ("crash-channel-" + grader::random_hex(8));
  grader::CommandOptions options = grader::command_options(std::chrono::seconds(60));
  options.extra_environment = {"PARLAB_RESULT_FD=9", "PARLAB_RESULT_NONCE=n"};
  const grader::CommandResult r = grader::run_command(
      {"sh", "-c", "exec \"$0\" \"$1\" 9>\"$2\"", RESULT_CHANNEL_FIXTURE, test_spec, channel.string()}, options);
  FixtureRun out;
  out.channel = grader::read_file(channel);
  std::filesystem::remove(channel);
  out.run.ending = r.signal != 0 ? grader::SandboxResult::Ending::signaled : grader::SandboxResult::Ending::exited;
  out.run.exit_code = r.exit_code;
  out.run.signal = r.signal;
  out.run.output = r.output;
  return out;
}

// gdb's stack of a worker (pid 57) blocked reading a pipe below a library frame, up to its
// frame in the student's file (the callers follow in each test).
const std::string child_57_reading = R"(=== process 57: a child process ===
Thread 1 (Thread 0x7f1 (LWP 57) "lab03_hidden"):
#0  0x00007f in __GI___libc_read (fd=3, buf=..., nbytes=8) at ../sysdeps/unix/sysv/linux/read.c:26
#1  0x0000ab in parlab::read_all (...) at /w/labs/common/src/fd.cpp:20
#2  0x0000ac in std::vector<unsigned long, std::allocator<unsigned long> >::_M_range_check (...) at /usr/include/c++/12/bits/stl_vector.h:987
#3  0x0000ad in parlab::lab03::worker_loop (...) at /w/overlay/03-counter/src/workers.cpp:21
)";

std::string channel_of_fixture(const std::string& test_spec) { return run_fixture(test_spec).channel; }

// The headline the grader gives that fixture case (before the student's frame is added).
grader::CaseVerdict verdict_of_fixture(const std::string& test_spec) {
  const FixtureRun fixture = run_fixture(test_spec);
  return grader::decide_verdict(fixture.run, grader::parse_channel(fixture.channel, test_spec, "n"), grader::SandboxLimits{});
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
  const auto frame = grader::student_place(addr2line, {"blocking_queue.cpp", "primes_threads.cpp"}).frame;
  REQUIRE(frame.has_value());
  CHECK(frame->function == "take_chunk");
  CHECK(frame->location == "primes_threads.cpp:42");
  CHECK_FALSE(grader::student_place(addr2line, {"blocking_queue.cpp"}).frame.has_value());
}

TEST_CASE("a crash place says which process: the test's own or a forked child", "[grader][crash]") {
  grader::CrashStack in_test;
  in_test.pid = in_test.test_pid = 12;
  in_test.signal = SIGSEGV;
  grader::CrashStack in_child = in_test;
  in_child.pid = 57;
  const grader::CrashPlace place{grader::StudentFrame{"take_chunk", "primes_threads.cpp:42"}, std::nullopt};
  CHECK(grader::describe_crash_place(in_test, place) ==
        " It happened in take_chunk (primes_threads.cpp:42), in the test process itself.");
  CHECK(grader::describe_crash_place(in_child, place) ==
        " It happened in take_chunk (primes_threads.cpp:42), in a child process (pid 57) that your code forked.");
  CHECK(grader::describe_crash_place(in_child, {}) ==
        " It happened in a child process (pid 57) of the test, outside the lab's own files.");
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
  const auto frame = grader::student_place_of(crash, RESULT_CHANNEL_FIXTURE, {"failing_cases.cpp"}).frame;
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
)" + child_57_reading + R"(#4  0x0000ae in parlab::lab03::run_workers (...) at /w/overlay/03-counter/src/workers.cpp:50
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
  const auto place = grader::student_place_of(exit, RESULT_CHANNEL_FIXTURE, {"failing_cases.cpp"});
  REQUIRE(place.frame.has_value());
  INFO(place.frame->function << " at " << place.frame->location);
  CHECK(contains(place.frame->function, "leave_with_code"));
  CHECK_FALSE(place.started_by.has_value());  // a plain fork(), not ChildProcess::fork
  const std::string text = grader::describe_child_ending(exit, place);
  INFO(text);
  CHECK(text.starts_with(" A child process (pid " + std::to_string(exit.pid) + ") that your code forked called exit(3) in leave_with_code (failing_cases.cpp:"));
  CHECK_FALSE(contains(text, "exit code 3:"));  // 3 has no meaning of the project's
}

TEST_CASE("a failed allocation is named as such, in the test process or in a child", "[grader][crash]") {
  grader::CrashStack allocation;
  allocation.pid = allocation.test_pid = 12;
  allocation.signal = 0;
  allocation.exit_code = -1;
  const grader::CrashPlace place{grader::StudentFrame{"chunks_power_law", "chunks.cpp:31"}, std::nullopt};
  CHECK(grader::describe_crash_place(allocation, place) ==
        " The allocation that failed was made in chunks_power_law (chunks.cpp:31), in the test process itself.");
  allocation.pid = 57;
  CHECK(grader::describe_child_ending(allocation, place) ==
        " A child process (pid 57) that your code forked could not allocate memory in chunks_power_law (chunks.cpp:31).");
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
  const auto place = grader::student_place_of(exit, RESULT_CHANNEL_FIXTURE, {"failing_cases.cpp"});
  REQUIRE(place.frame.has_value());
  CHECK(grader::describe_early_exit(exit, place).starts_with(" Your code called exit(0) in leave_in_the_middle (failing_cases.cpp:"));
  CHECK(grader::describe_early_exit(exit, {}).empty());
}

TEST_CASE("a scripted clock read too often in the code under test: the headline says so, not _M_range_check", "[grader][crash]") {
  const auto verdict = verdict_of_fixture("code under test that reads a scripted clock too often");
  INFO(verdict.summary);
  CHECK(verdict.verdict == grader::Verdict::failed);
  // The exception crossed parlab_test::isolated() with its message, and is the headline.
  CHECK(verdict.summary.starts_with("failing_cases.cpp:"));
  CHECK(contains(verdict.summary, "the code under test read the clock 3 times; this measurement needs at most 2 readings: "
                                  "2 per repetition: 1 repetition"));
  CHECK(contains(verdict.summary, "usually means a reading where none belongs"));
  CHECK_FALSE(contains(verdict.summary, "_M_range_check"));
}

TEST_CASE("exit codes the project defines are explained; a student's own code is not", "[grader][crash]") {
  CHECK(contains(grader::meaning_of_exit_code(70), "an exception escaped the function a parlab::ChildProcess ran"));
  CHECK(contains(grader::meaning_of_exit_code(124), "the test's watchdog stopped a hang"));
  CHECK(contains(grader::meaning_of_exit_code(128 + SIGKILL), "killed by SIGKILL"));
  CHECK(grader::meaning_of_exit_code(3).empty());
  CHECK(grader::meaning_of_exit_code(1).empty());
  grader::CrashStack worker;
  worker.pid = 57;
  worker.test_pid = 12;
  worker.exit_code = 70;
  const grader::CrashPlace place{grader::StudentFrame{"worker_loop", "workers.cpp:21"},
                                 grader::StudentFrame{"run_workers", "workers.cpp:50"}};
  CHECK(grader::describe_child_ending(worker, place) ==
        " A child process (pid 57) that run_workers (workers.cpp:50) started with ChildProcess::fork called exit(70) in "
        "worker_loop (workers.cpp:21) (exit code 70: an exception escaped the function a parlab::ChildProcess ran; "
        "ChildProcess::fork prints it on stderr as \"uncaught exception\").");
}

TEST_CASE("a child started with ChildProcess::fork is named by the student's function that started it", "[grader][crash]") {
  const std::string addr2line = "0x0000000000001234\n"
                                "exit\n"
                                "??:0\n"
                                "parlab::lab03::(anonymous namespace)::worker_loop(unsigned int)\n"
                                "/slot/overlay/03-counter/src/workers.cpp:21\n"
                                "0x0000000000001300\n"
                                "std::_Function_handler<int (), parlab::lab03::run_workers(unsigned int)::{lambda()#1}>::_M_invoke(std::_Any_data const&)\n"
                                "/usr/include/c++/12/bits/std_function.h:291\n"
                                "parlab::ChildProcess::fork(std::function<int ()> const&)\n"
                                "/w/labs/common/src/child_process.cpp:52\n"
                                "parlab::lab03::run_workers(unsigned int)\n"
                                "/slot/overlay/03-counter/src/workers.cpp:50\n";
  const auto place = grader::student_place(addr2line, {"workers.cpp"});
  REQUIRE(place.frame.has_value());
  CHECK(place.frame->location == "workers.cpp:21");
  REQUIRE(place.started_by.has_value());
  CHECK(place.started_by->function == "run_workers");
  CHECK(place.started_by->location == "workers.cpp:50");
  grader::CrashStack crash;
  crash.pid = 57;
  crash.test_pid = 12;
  crash.signal = SIGSEGV;
  CHECK(grader::describe_crash_place(crash, place) ==
        " It happened in worker_loop (workers.cpp:21), in a child process (pid 57) that run_workers (workers.cpp:50) "
        "started with ChildProcess::fork.");
}

TEST_CASE("a worker of the code under test that calls exit(3) is named as a child, by who started it", "[grader][crash]") {
  const std::string name = "a worker started with ChildProcess::fork in the code under test calls exit(3)";
  const auto channel = grader::parse_channel(channel_of_fixture(name), name, "n");
  REQUIRE(channel.crash_stacks.size() == 1);
  const auto& exit = channel.crash_stacks.front();
  // Its record crossed the isolated() pipe as a child's, not as the test process's.
  CHECK(exit.pid != exit.test_pid);
  CHECK(exit.exit_code == 3);
  const auto place = grader::student_place_of(exit, RESULT_CHANNEL_FIXTURE, {"failing_cases.cpp"});
  const std::string text = grader::describe_child_ending(exit, place);
  INFO(text);
  CHECK(text.starts_with(" A child process (pid " + std::to_string(exit.pid) + ") that run_one_worker (failing_cases.cpp:"));
  CHECK(contains(text, ") started with ChildProcess::fork called exit(3) in leave_with_code (failing_cases.cpp:"));
}

TEST_CASE("code under test that calls exit(3) ends the test process, which the headline names with the code", "[grader][crash]") {
  const std::string name = "code under test that calls exit(3)";
  const FixtureRun fixture = run_fixture(name);
  const auto channel = grader::parse_channel(fixture.channel, name, "n");
  const auto verdict = grader::decide_verdict(fixture.run, channel, grader::SandboxLimits{});
  INFO(verdict.summary);
  CHECK(verdict.verdict == grader::Verdict::failed);
  CHECK(verdict.summary == "The test process exited with status 3 before the test finished: the code under test ended it "
                           "(exit() or _exit()) instead of returning to the test.");
  REQUIRE(channel.crash_stacks.size() == 1);
  const auto& exit = channel.crash_stacks.front();
  CHECK(exit.pid == exit.test_pid);  // the isolated() child is the test process, for the student
  const auto place = grader::student_place_of(exit, RESULT_CHANNEL_FIXTURE, {"failing_cases.cpp"});
  CHECK(grader::describe_early_exit(exit, place).starts_with(" Your code called exit(3) in leave_with_code (failing_cases.cpp:"));
}

TEST_CASE("the test process ending with a code the project defines says what it means", "[grader][crash]") {
  grader::SandboxResult run;
  run.exit_code = 124;
  const auto verdict = grader::decide_verdict(run, grader::parse_channel(started, "a case", "n"), grader::SandboxLimits{});
  CHECK(verdict.summary == "The test process exited with status 124 before the test finished: the test's watchdog "
                           "stopped a hang; the output says what each thread was waiting for.");
}

TEST_CASE("a hang in the code under test: the isolated() child is the test process, and its workers are named by role",
          "[grader][backtrace]") {
  const std::string gdb = R"(=== process 12: the test process ===
Thread 1 (Thread 0x7f1 (LWP 12) "lab03_hidden"):
#0  0x00007f in __GI___poll (fds=..., nfds=1, timeout=100) at ../sysdeps/unix/sysv/linux/poll.c:29
#1  0x0000ab in parlab_test::(anonymous namespace)::collect (...) at /w/labs/common/testing/src/isolated.cpp:300
#2  0x0000ac in parlab_test::detail::run_isolated (...) at /w/labs/common/testing/src/isolated.cpp:420
#3  0x0000ad in CATCH2_INTERNAL_TEST_4 () at /w/tests/03-counter/hidden_workers.cpp:90
=== process 40: a child process ===
Thread 1 (Thread 0x7f1 (LWP 40) "lab03_hidden"):
#0  0x00007f in __GI___wait4 () at ../sysdeps/unix/sysv/linux/wait4.c:30
#1  0x0000ab in parlab::ChildProcess::wait (this=...) at /w/labs/common/src/child_process.cpp:90
#2  0x0000ac in parlab::lab03::run_workers (...) at /w/overlay/03-counter/src/workers.cpp:55
#3  0x0000ad in parlab_test::(anonymous namespace)::child_main (...) at /w/labs/common/testing/src/isolated.cpp:200
#4  0x0000ae in parlab_test::detail::run_isolated (...) at /w/labs/common/testing/src/isolated.cpp:410
)" + child_57_reading + R"(#4  0x0000ae in std::_Function_handler<int (), parlab::lab03::run_workers(unsigned int)::{lambda()#1}>::_M_invoke (...) at /usr/include/c++/12/bits/std_function.h:291
#5  0x0000af in parlab::ChildProcess::fork (body=...) at /w/labs/common/src/child_process.cpp:52
#6  0x0000b0 in parlab::lab03::run_workers (...) at /w/overlay/03-counter/src/workers.cpp:50
#7  0x0000b1 in parlab_test::(anonymous namespace)::child_main (...) at /w/labs/common/testing/src/isolated.cpp:200
=== process 58: a child process ===
Thread 1 (Thread 0x7f1 (LWP 58) "lab03_hidden"):
#0  0x00007f in __GI___libc_write (fd=4, buf=..., nbytes=8) at ../sysdeps/unix/sysv/linux/write.c:26
#1  0x0000ad in parlab::lab03::worker_loop (...) at /w/overlay/03-counter/src/workers.cpp:30
#2  0x0000af in parlab::ChildProcess::fork (body=...) at /w/labs/common/src/child_process.cpp:52
#3  0x0000b0 in parlab::lab03::run_workers (...) at /w/overlay/03-counter/src/workers.cpp:50
#4  0x0000b1 in parlab_test::(anonymous namespace)::child_main (...) at /w/labs/common/testing/src/isolated.cpp:200
)";
  const auto summary = grader::summarize_backtrace(gdb, {"workers.cpp"});
  REQUIRE(summary.threads.size() == 4);
  CHECK(summary.threads[0].thread == "thread 1 of the test harness");
  CHECK(summary.threads[0].is_test_harness);
  CHECK(summary.threads[1].thread == "thread 1");  // the code under test: the test process, for the student
  CHECK(summary.threads[1].child_pid.empty());
  CHECK(summary.threads[2].thread == "thread 1 of child process 57, which run_workers started at workers.cpp:50");
  INFO(summary.headline);
  CHECK(summary.headline.starts_with("waiting for a child process to exit in run_workers (workers.cpp:55) (thread 1)"));
  // Both workers, at their frames in the student's file.
  CHECK(contains(summary.headline, "; meanwhile blocked reading a pipe in worker_loop (workers.cpp:21), called from run_workers "
                                   "(thread 1 of child process 57, which run_workers started at workers.cpp:50)"));
  CHECK(contains(summary.headline, "blocked writing to a full pipe in worker_loop (workers.cpp:30), called from run_workers "
                                   "(thread 1 of child process 58, which run_workers started at workers.cpp:50)"));
  CHECK_FALSE(contains(summary.headline, "stl_vector.h"));
  CHECK_FALSE(contains(summary.headline, "child process 40"));
}

TEST_CASE("at the process or memory limit, the headline says where the code under test was, and in which process",
          "[grader][backtrace]") {
  const std::string fork_bomb = R"(=== process 12: the test process ===
Thread 1 (Thread 0x7f1 (LWP 12) "lab01_hidden"):
#0  0x00007f in __GI___poll (fds=..., nfds=1, timeout=100) at ../sysdeps/unix/sysv/linux/poll.c:29
#1  0x0000ac in parlab_test::detail::run_isolated (...) at /w/labs/common/testing/src/isolated.cpp:420
=== process 40: a child process ===
Thread 1 (Thread 0x7f1 (LWP 40) "lab01_hidden"):
#0  0x00007f in arch_fork (ctid=...) at ../sysdeps/unix/sysv/linux/arch-fork.h:52
#1  0x00007f in __libc_fork () at ./posix/fork.c:100
#2  0x0000ab in parlab::lab01::(anonymous namespace)::hostile_act () at /w/overlay/01-queues/src/primes_threads.cpp:5
#3  0x0000ad in parlab_test::(anonymous namespace)::child_main (...) at /w/labs/common/testing/src/isolated.cpp:200
)";
  const auto summary = grader::summarize_backtrace(fork_bomb, {"primes_threads.cpp"});
  CHECK(grader::where_it_was_stopped(summary) ==
        " When it was stopped, thread 1 of the test process was in hostile_act (primes_threads.cpp:5).");
  REQUIRE(summary.threads.size() == 2);
  CHECK(summary.threads[1].waiting == "starting a process (fork)");
  // A worker's thread says which child it was in.
  const auto workers = grader::summarize_backtrace(child_57_reading, {"workers.cpp"});
  CHECK(grader::where_it_was_stopped(workers) ==
        " When it was stopped, thread 1 of child process 57 was in worker_loop (workers.cpp:21).");
  CHECK(grader::where_it_was_stopped(grader::summarize_backtrace("")).empty());
}

// As gdb prints it from the -Og test build: child_main inlined into run_isolated is named
// by its bare name, and its threads are the test process's for the student.
TEST_CASE("a hang in the isolated child is named as the test process, however gdb names child_main", "[grader][backtrace]") {
  const std::string gdb = R"(=== process 21790: the test process ===
Thread 1 (Thread 0x7f1b6f422740 (LWP 21790) "lab01_hidden"):
#0  0x00007f1b6f11a26f in __GI___poll (fds=..., nfds=..., timeout=...) at ../sysdeps/unix/sysv/linux/poll.c:29
#1  0x000055f8f093a547 in collect () at /work/main/labs/common/testing/src/isolated.cpp:282
#2  0x000055f8f093a78f in parlab_test::detail::run_isolated(std::function<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > ()> const&) () at /work/main/labs/common/testing/src/isolated.cpp:416
=== process 21794: a child process ===
Thread 4 (Thread 0x7f1b6d81a6c0 (LWP 21799) "lab01_hidden"):
#0  __futex_abstimed_wait_common64 (private=..., cancel=..., abstime=..., op=..., expected=..., futex_word=...) at ./nptl/futex-internal.c:57
#4  ___pthread_cond_wait (cond=..., mutex=...) at ./nptl/pthread_cond_wait.c:618
#5  0x000055f8f09691a8 in std::condition_variable::wait<parlab::lab01::BlockingQueue<int>::pop()::{lambda()#1}>(std::unique_lock<std::mutex>&, parlab::lab01::BlockingQueue<int>::pop()::{lambda()#1}) (__p=..., __lock=..., this=...) at /usr/include/c++/12/condition_variable:102
#6  parlab::lab01::BlockingQueue<int>::pop (this=...) at /tmp/w/slot-0/overlay/01-queues/src/blocking_queue.cpp:41
#7  0x000055f8f0940ed8 in operator() () at /work/main/tests/01-queues/hidden_queue.cpp:152
Thread 1 (Thread 0x7f0eec246740 (LWP 21794) "lab01_hidden"):
#3  0x00007f0eebdc8ce3 in __pthread_clockjoin_ex (threadid=..., thread_return=..., clockid=..., abstime=..., block=...) at ./nptl/pthread_join_common.c:102
#4  0x00007f0eec0d4517 in std::thread::join() () from /lib/x86_64-linux-gnu/libstdc++.so.6
#13 0x000055b67c1addf9 in operator() () at /work/main/tests/01-queues/hidden_queue.cpp:160
#22 0x000055b67c1a36db in child_main () at /work/main/labs/common/testing/src/isolated.cpp:227
#23 0x000055b67c1a475f in parlab_test::detail::run_isolated(std::function<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > ()> const&) () at /work/main/labs/common/testing/src/isolated.cpp:411
)";
  const auto summary = grader::summarize_backtrace(gdb, {"blocking_queue.cpp"});
  INFO(summary.headline);
  CHECK(summary.headline == "consumer blocked in pop: it waits for an item that never comes, in BlockingQueue<…>::pop "
                            "(blocking_queue.cpp:41) (thread 4)");
  CHECK_FALSE(contains(summary.headline, "child process"));
}

TEST_CASE("a consumer blocked in pop is named with its frame in the student's file", "[grader][backtrace]") {
  const std::string gdb = R"(Thread 3 (Thread 0x7f3 (LWP 14) "lab01_hidden"):
#0  0x00007f in __futex_abstimed_wait_common (...) at ./nptl/futex-internal.c:57
#1  0x00007f in ___pthread_cond_wait (cond=..., mutex=...) at ./nptl/pthread_cond_wait.c:618
#2  0x0000ab in parlab::lab01::BlockingQueue<std::variant<parlab::lab01::Chunk, parlab::lab01::PoisonPill> >::pop (this=...) at /w/overlay/01-queues/src/blocking_queue.cpp:41
#3  0x0000ac in parlab::lab01::prime_worker (...) at /w/overlay/01-queues/src/primes_threads.cpp:15
)";
  const auto summary = grader::summarize_backtrace(gdb, {"blocking_queue.cpp", "primes_threads.cpp"});
  CHECK(summary.headline == "consumer blocked in pop: it waits for an item or a poison pill that never comes, in "
                            "BlockingQueue<…>::pop (blocking_queue.cpp:41), called from prime_worker (thread 3)");
}
