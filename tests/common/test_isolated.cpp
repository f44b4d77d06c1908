// Tests of parlab_test::isolated() (labs/common/testing/src/isolated.cpp): values and
// exceptions come back from the child as they left it, the child's changes stay in the
// child, and a child that crashes, exits or leaves a process behind is handled as the
// header promises.
#include <cmath>
#include <csignal>
#include <limits>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"

using namespace std::chrono_literals;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

namespace {

class Refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class RefusedLoudly : public Refused {
 public:
  using Refused::Refused;
};
struct NotAStandardException {};

struct Counts {
  int pushed;
  int popped;
  bool closed;
};

int global_counter = 0;

}  // namespace

// Registered base first: the order they are tried in must come from the types, not from here.
PARLAB_ISOLATED_EXCEPTION(Refused);
PARLAB_ISOLATED_EXCEPTION(RefusedLoudly);

TEST_CASE("isolated returns what the call returned, of every kind a test needs", "[common][isolated]") {
  CHECK(isolated([] { return 41 + 1; }) == 42);
  const std::string bytes("a\0b\xff\xfe", 5);
  CHECK(isolated([&] { return bytes; }) == bytes);
  CHECK(isolated([] { return std::vector<std::uint64_t>{2, 3, 5, std::uint64_t{1} << 63}; }) ==
        std::vector<std::uint64_t>{2, 3, 5, std::uint64_t{1} << 63});
  // Numbers keep every bit, NaN and infinity included (JSON has neither).
  CHECK(std::isnan(isolated([] { return std::nan(""); })));
  const std::vector<double> odd = isolated([] { return std::vector<double>{1.5, -0.0, std::numeric_limits<double>::infinity(), std::nan("")}; });
  REQUIRE(odd.size() == 4);
  CHECK(odd[0] == 1.5);
  CHECK(std::signbit(odd[1]));
  CHECK(std::isinf(odd[2]));
  CHECK(std::isnan(odd[3]));
  CHECK(isolated([] { return std::vector<double>(); }).empty());
  CHECK(isolated([] { return std::optional<int>(); }) == std::nullopt);
  CHECK(isolated([] { return std::optional<int>(7); }) == 7);
  CHECK(isolated([] { return std::chrono::milliseconds(250); }) == 250ms);
  CHECK(isolated([] { return std::map<std::string, int>{{"a", 1}, {"b", 2}}; }) == std::map<std::string, int>{{"a", 1}, {"b", 2}});
  const Counts counts = isolated([] { return Counts{3, 2, true}; });
  CHECK(counts.pushed == 3);
  CHECK(counts.popped == 2);
  CHECK(counts.closed);
  int ran = 0;
  isolated([&] { ran = 1; });  // void: runs, and its change stays in the child
  CHECK(ran == 0);
}

TEST_CASE("what the call changes stays in the child", "[common][isolated]") {
  global_counter = 5;
  CHECK(isolated([] { return ++global_counter; }) == 6);
  CHECK(global_counter == 5);
  CHECK(isolated([] { return ::getpid(); }) != ::getpid());
}

TEST_CASE("an exception crosses with its type and message", "[common][isolated]") {
  CHECK_THROWS_AS(isolated([] { throw std::invalid_argument("size 0"); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { throw std::invalid_argument("size 0"); }), "size 0");
  CHECK_THROWS_AS(isolated([]() -> int { throw std::out_of_range("index 9"); }), std::out_of_range);
  // A registered type arrives as itself, not as its base class.
  CHECK_THROWS_AS(isolated([] { throw RefusedLoudly("no"); }), RefusedLoudly);
  CHECK_THROWS_AS(isolated([] { throw Refused("no"); }), Refused);
  CHECK_THROWS_WITH(isolated([] { throw RefusedLoudly("not now"); }), "not now");
  // Types that are not made from a message keep their message all the same.
  const std::system_error original(std::make_error_code(std::errc::broken_pipe), "write to worker 2");
  const std::string original_text = original.what();
  CHECK_THROWS_AS(isolated([&] { throw original; }), std::system_error);
  CHECK_THROWS_WITH(isolated([&] { throw original; }), original_text);
  CHECK_THROWS_AS(isolated([] { throw std::bad_alloc(); }), std::bad_alloc);
  // An unknown type says what it was; it must not pass for a standard one.
  try {
    isolated([] { throw NotAStandardException(); });
    FAIL("nothing was thrown");
  } catch (const std::runtime_error&) {
    FAIL("an unknown exception type became std::runtime_error");
  } catch (const std::exception& e) {
    CHECK_THAT(e.what(), ContainsSubstring("NotAStandardException"));
  }
}

TEST_CASE("a CHECK inside isolated is a mistake in the test, and says so", "[common][isolated]") {
  // The child's CHECK is not counted by this process's Catch: it reports the line instead.
  CHECK_THROWS_WITH(isolated([] { CHECK(1 == 1); }), ContainsSubstring("test_isolated.cpp"));
}

TEST_CASE("a child that leaves without a result", "[common][isolated]") {
  SECTION("exit(0) before returning is a failure, not a pass") {
    CHECK_THROWS_WITH(isolated([]() -> int { std::exit(0); }), ContainsSubstring("before returning a result"));
  }
  SECTION("a crash ends the test process the same way") {
    const auto run = parlab_test::run_in_child([] {
      (void)isolated([]() -> int {
        std::raise(SIGSEGV);
        return 0;
      });
      return std::string("returned");
    });
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    // A sanitizer catches the signal in the child, reports it and exits with a code of its
    // own; the test process then ends with that code.
    const bool ended_badly = run.status.exited ? run.status.code != 0 : run.status.signal == SIGSEGV;
    CHECK(ended_badly);
#else
    CHECK_FALSE(run.status.exited);
    CHECK(run.status.signal == SIGSEGV);
#endif
    CHECK(run.output.empty());
  }
  SECTION("an exit with a code ends the test process with that code") {
    const auto run = parlab_test::run_in_child([] {
      (void)isolated([]() -> int { std::exit(3); });
      return std::string("returned");
    });
    CHECK(run.status.exited);
    CHECK(run.status.code == 3);
  }
}

TEST_CASE("a process the call leaves behind does not keep isolated waiting", "[common][isolated]") {
  // The grandchild inherits the result pipe and holds it open for a minute; isolated() must
  // return when its own child has ended, not when the pipe closes.
  const pid_t left_behind = isolated([] {
    const pid_t p = ::fork();
    if (p == 0) {
      ::sleep(60);
      ::_exit(0);
    }
    return p;
  });
  REQUIRE(left_behind > 0);
  ::kill(left_behind, SIGKILL);  // not our child (its parent has gone): init reaps it
}

TEST_CASE("isolated calls nest by running the inner one in place", "[common][isolated]") {
  CHECK(isolated([] { return isolated([] { return ::getpid(); }) == ::getpid(); }));
}
