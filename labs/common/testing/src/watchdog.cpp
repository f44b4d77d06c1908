#include "parlab_test/watchdog.hpp"

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include <signal.h>

#include "parlab_test/process_checks.hpp"

namespace parlab_test {

#ifndef PARLAB_DEFAULT_TIMEOUT_SCALE
#define PARLAB_DEFAULT_TIMEOUT_SCALE 1
#endif

double timeout_scale() {
  const double built_in = PARLAB_DEFAULT_TIMEOUT_SCALE;
  const char* s = std::getenv("PARLAB_TIMEOUT_SCALE");
  if (s == nullptr) return built_in;
  const double v = std::strtod(s, nullptr);
  return v > 0 ? v : built_in;
}

Watchdog::Watchdog(std::string what, std::chrono::milliseconds limit) {
  const auto scaled = std::chrono::duration_cast<std::chrono::milliseconds>(limit * timeout_scale());
  thread_ = std::jthread([what = std::move(what), scaled](std::stop_token stop) {
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    cv.wait_for(lock, stop, scaled, [] { return false; });
    if (stop.stop_requested()) return;
    std::fprintf(stderr,
                 "\nWATCHDOG: %s did not finish within %.1f s.\n"
                 "It is probably blocked forever: a consumer waiting in pop() for a poison pill\n"
                 "that was never sent, a lock that is never released, or a read from a pipe\n"
                 "whose write end is still open somewhere. The test process is being stopped.\n",
                 what.c_str(), std::chrono::duration<double>(scaled).count());
    for (const auto& child : child_processes()) ::kill(child.pid, SIGKILL);
    std::fflush(nullptr);
    std::_Exit(124);
  });
}

Watchdog::~Watchdog() {
  thread_.request_stop();
}

}  // namespace parlab_test
