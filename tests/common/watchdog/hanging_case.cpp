// A test program whose one case hangs, for test_case_watchdog.cpp: a thread it starts waits
// for a notification nobody sends, the case's own thread joins it, and a forked child sleeps.
// Nothing in the case asks for a watchdog; the listener every test program carries must stop it.
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include <unistd.h>

#include "parlab/child_process.hpp"
#include "parlab_test/catch.hpp"

namespace parlab::fixture {

// Out of line, so that the watchdog's report can name it.
[[gnu::noinline]] void wait_for_a_notification_nobody_sends() {
  std::mutex mutex;
  std::condition_variable never;
  std::unique_lock lock(mutex);
  never.wait(lock, [] { return false; });
}

}  // namespace parlab::fixture

TEST_CASE("a case that waits forever", "[fixture]") {
  auto sleeper = parlab::ChildProcess::fork([] {
    ::pause();
    return 0;
  });
  std::printf("child %d\n", static_cast<int>(sleeper.pid()));
  std::fflush(stdout);
  std::jthread waiter(parlab::fixture::wait_for_a_notification_nobody_sends);
}
