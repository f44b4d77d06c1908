// Tests of the given common code: fds, pipes, child processes, leak checks, capacity.
#include <array>
#include <chrono>
#include <csignal>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parlab/capacity.hpp"
#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab/stopwatch.hpp"
#include "parlab/todo.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using parlab_test::ContainsSubstring;

TEST_CASE("a pipe carries values and reports a clean end of stream", "[common]") {
  const parlab_test::ResourceSnapshot before;
  {
    auto pipe = parlab::Pipe::create();
    parlab::write_value(pipe.write_end.get(), std::uint64_t{42});
    pipe.write_end.reset();
    std::uint64_t v = 0;
    CHECK(parlab::read_value(pipe.read_end.get(), v));
    CHECK(v == 42);
    CHECK_FALSE(parlab::read_value(pipe.read_end.get(), v));
  }
  CHECK(before.leaks() == "");
}

TEST_CASE("a message cut short by the writer is an error, not a short read", "[common]") {
  auto pipe = parlab::Pipe::create();
  const std::array<std::byte, 3> partial{};
  parlab::write_all(pipe.write_end.get(), partial);
  pipe.write_end.reset();
  std::uint64_t v = 0;
  CHECK_THROWS_WITH(parlab::read_value(pipe.read_end.get(), v), ContainsSubstring("3 of 8 bytes"));
}

TEST_CASE("writing to a pipe nobody reads fails with EPIPE instead of killing the process", "[common]") {
  auto pipe = parlab::Pipe::create();
  pipe.read_end.reset();
  parlab::SigpipeBlocker blocker;
  try {
    parlab::write_value(pipe.write_end.get(), 1);
    FAIL("write to a closed pipe succeeded");
  } catch (const std::system_error& e) {
    CHECK(e.code().value() == EPIPE);
  }
}

TEST_CASE("UniqueFd closes, moves and releases", "[common]") {
  const parlab_test::ResourceSnapshot before;
  int raw = -1;
  {
    parlab::UniqueFd a(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    REQUIRE(a.valid());
    parlab::UniqueFd b(std::move(a));
    CHECK_FALSE(a.valid());
    CHECK(b.valid());
    raw = b.release();
    CHECK_FALSE(b);
  }
  CHECK(::fcntl(raw, F_GETFD) >= 0);  // released: still open
  ::close(raw);
  CHECK(before.leaks() == "");
}

TEST_CASE("a child's exit code and death by signal are reported in words", "[common]") {
  auto ok = parlab::ChildProcess::fork([] { return 3; });
  const auto status = ok.wait();
  CHECK(status.exited);
  CHECK(status.code == 3);
  CHECK(status.describe() == "exited with code 3");
  CHECK(ok.wait().code == 3);  // waiting again returns the same status

  auto killed = parlab::ChildProcess::fork([] {
    ::raise(SIGKILL);
    return 0;
  });
  CHECK_THAT(killed.wait().describe(), ContainsSubstring("SIGKILL"));

  auto throws = parlab::ChildProcess::fork([]() -> int { throw std::runtime_error("boom"); });
  CHECK(throws.wait().code == 70);
}

TEST_CASE("dropping a running child kills and reaps it", "[common]") {
  parlab_test::Watchdog watchdog("ChildProcess destructor", 10s);
  const parlab_test::ResourceSnapshot before;
  {
    auto sleeper = parlab::ChildProcess::fork([] {
      ::pause();
      return 0;
    });
    CHECK_FALSE(sleeper.try_wait().has_value());
    auto moved = std::move(sleeper);
    CHECK(moved.pid() > 0);
  }
  CHECK(before.leaks() == "");
}

TEST_CASE("the leak check names a leaked fd and an unreaped child", "[common]") {
  const parlab_test::ResourceSnapshot before;
  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  const std::string leaks = before.leaks(200);
  CHECK_THAT(leaks, ContainsSubstring("/dev/null"));
  CHECK_THAT(leaks, ContainsSubstring(std::to_string(pid)));
  ::close(fd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(before.leaks() == "");
}

TEST_CASE("run_in_child returns what the child produced and how it ended", "[common]") {
  const auto run = parlab_test::run_in_child([] { return std::string("from the child"); });
  CHECK(run.status.success());
  CHECK(run.output == "from the child");
  const auto crash = parlab_test::run_in_child([]() -> std::string {
    ::raise(SIGKILL);  // SIGKILL: no handler runs (Catch2 installs one for SIGABRT)
    return "";
  });
  CHECK_FALSE(crash.status.exited);
  CHECK(crash.status.signal == SIGKILL);
}

TEST_CASE("the capacity probe reports a plausible speed-up", "[common]") {
  const auto cap = parlab::measure_parallel_capacity(2, 100ms);
  CHECK(cap.workers == 2);
  CHECK(cap.rounds == 5);
  CHECK(cap.speedup > 0.0);
  CHECK(cap.speedup_min <= cap.speedup);
  CHECK(cap.speedup <= cap.speedup_max);
  CHECK_THAT(cap.describe(), ContainsSubstring("2 workers"));
  CHECK_THROWS_AS(parlab::measure_parallel_capacity(0), std::invalid_argument);
}

TEST_CASE("todo throws NotImplemented naming the missing piece", "[common]") {
  CHECK_THROWS_AS(parlab::todo("thing"), parlab::NotImplemented);
  CHECK_THROWS_WITH(parlab::todo("thing"), ContainsSubstring("thing"));
  parlab::Stopwatch sw;
  CHECK(sw.seconds() >= 0.0);
}
