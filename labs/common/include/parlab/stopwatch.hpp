#pragma once
// A monotonic stopwatch. steady_clock never jumps when the wall clock is adjusted,
// which is the only property that matters for measuring durations.

#include <chrono>

namespace parlab {

class Stopwatch {
 public:
  using clock = std::chrono::steady_clock;

  Stopwatch() noexcept : start_(clock::now()) {}
  void restart() noexcept { start_ = clock::now(); }
  [[nodiscard]] clock::duration elapsed() const noexcept { return clock::now() - start_; }
  [[nodiscard]] double seconds() const noexcept {
    return std::chrono::duration<double>(elapsed()).count();
  }

 private:
  clock::time_point start_;
};

}  // namespace parlab
