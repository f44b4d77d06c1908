// The watchdog every test case runs under (labs/common/testing/src/case_watchdog_listener.cpp):
// a test program whose case hangs without asking for a watchdog (watchdog/hanging_case.cpp)
// must end with exit code 124, name the case and what each thread is blocked in, and leave
// no child process behind.
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include <signal.h>
#include <unistd.h>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab_test/catch.hpp"

namespace {

struct FixtureRun {
  std::string output;
  parlab::ExitStatus status;
};

FixtureRun run_hanging_fixture() {
  auto pipe = parlab::Pipe::create();
  auto child = parlab::ChildProcess::fork([&]() -> int {
    ::dup2(pipe.write_end.get(), STDOUT_FILENO);
    ::dup2(pipe.write_end.get(), STDERR_FILENO);
    // A 1 s budget (10 s times 0.1) keeps this test quick; the hang is forever anyway.
    ::setenv("PARLAB_TIMEOUT_SCALE", "0.1", 1);
    ::execl(HANGING_CASE_FIXTURE, HANGING_CASE_FIXTURE, static_cast<char*>(nullptr));
    return 127;
  });
  pipe.write_end.reset();
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(pipe.read_end.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return {text, child.wait()};
}

}  // namespace

TEST_CASE("a hung case is stopped and named with its blocked threads and no child left", "[common]") {
  const FixtureRun run = run_hanging_fixture();
  INFO(run.output);
  CHECK(run.status.exited);
  CHECK(run.status.code == 124);
  using parlab_test::ContainsSubstring;
  CHECK_THAT(run.output, ContainsSubstring("WATCHDOG: test case \"a case that waits forever\" made no progress"));
  CHECK_THAT(run.output, ContainsSubstring("blocked in parlab::fixture::wait_for_a_notification_nobody_sends()"));
  CHECK_THAT(run.output, ContainsSubstring("waiting on a condition variable"));
  CHECK_THAT(run.output, ContainsSubstring("the test case's own thread, blocked): waiting for a thread to finish (join)"));
  // The fixture's forked child was killed and reaped before the program ended.
  const auto at = run.output.find("child ");
  REQUIRE(at != std::string::npos);
  const pid_t sleeper = static_cast<pid_t>(std::stol(run.output.substr(at + 6)));
  CHECK(::kill(sleeper, 0) == -1);
}
