// The program tests/common/test_result_channel.cpp runs: it carries the result channel, as
// every lab test program does, and fails on purpose with text the channel has to cope with
// (student code can make a test print anything): bytes that are not UTF-8, a character cut
// in two by the field cap, and more text than one atomic write may carry.
#include <csignal>
#include <cstdlib>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include "parlab/child_process.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/scripted_clock.hpp"

TEST_CASE("a passing case", "[channel]") {
  // The listener took both variables out of the environment before any test ran.
  CHECK(std::getenv("PARLAB_RESULT_FD") == nullptr);
  CHECK(std::getenv("PARLAB_RESULT_NONCE") == nullptr);
}

TEST_CASE("a failing case with text that is not UTF-8", "[channel]") {
  std::string cut(899, 'a');  // then two-byte characters: the 900-byte field cap splits one
  for (int i = 0; i < 50; ++i) cut += "\xc3\xa9";
  INFO(cut);
  const std::string not_utf8 = "\xff\xfe";
  CHECK(not_utf8 == "x");
}

TEST_CASE("a failing case with more text than one write may carry", "[channel]") {
  const std::string control(3000, '\x01');  // six bytes each once escaped, in two fields
  INFO(control);
  CHECK(control == "x");
}

namespace {

// Its own function (not inlined), so that the crash report has a frame to name.
[[gnu::noinline]] void write_through_null(volatile int* pointer) { *pointer = 1; }

}  // namespace

// Hidden (run only by name): the grader's unit tests check the crash record it leaves.
TEST_CASE("a forked child that dies of SIGSEGV", "[.][crash]") {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    write_through_null(nullptr);
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGSEGV);
}

namespace {

[[gnu::noinline]] void leave_with_code(int code) { std::exit(code); }

}  // namespace

TEST_CASE("a forked child that calls exit(3)", "[.][crash]") {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) leave_with_code(3);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
}

namespace {

[[gnu::noinline]] void leave_in_the_middle() { std::exit(0); }

}  // namespace

TEST_CASE("a test that calls exit(0) in the middle", "[.][crash]") {
  leave_in_the_middle();
  CHECK(false);  // never reached
}

// The code under test reads a test's scripted clock once more than the measurement needs.
TEST_CASE("code under test that reads a scripted clock too often", "[.][crash]") {
  const double sum = parlab_test::isolated([] {
    parlab_test::ScriptedClock clock({1, 2}, "2 per repetition: 1 repetition");
    double readings = 0;
    for (int i = 0; i < 3; ++i) readings += clock.read();
    return readings;
  });
  CHECK(sum == 3);
}

namespace {

// Like a lab's worker pool: a worker started with ChildProcess::fork, which calls exit(3).
[[gnu::noinline]] int run_one_worker() {
  parlab::ChildProcess worker = parlab::ChildProcess::fork([] {
    leave_with_code(3);
    return 0;
  });
  return worker.wait().code;
}

}  // namespace

TEST_CASE("a worker started with ChildProcess::fork in the code under test calls exit(3)", "[.][crash]") {
  CHECK(parlab_test::isolated([] { return run_one_worker(); }) == 0);
}

// The code under test itself (in the isolated() child) calls exit(3).
TEST_CASE("code under test that calls exit(3)", "[.][crash]") {
  parlab_test::isolated([] { leave_with_code(3); });
  CHECK(false);  // never reached
}
