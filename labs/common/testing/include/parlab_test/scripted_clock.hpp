#pragma once
// A fake clock for tests of timing code: each reading returns the next of a fixed list of
// times. Code that reads it more often than the measurement needs gets an exception that
// says so (and how many readings the test allowed), not std::vector's range-check message.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace parlab_test {

class ScriptedClock {
 public:
  // `needs`: what the readings are for, in the test's words ("2 per repetition: 3 repetitions").
  ScriptedClock(std::vector<double> readings, std::string needs)
      : readings_(std::move(readings)), needs_(std::move(needs)) {}

  // The next scripted time; throws std::logic_error once all of them have been handed out.
  double read() {
    if (next_ == readings_.size()) {
      throw std::logic_error("the code read the clock more often than the measurement needs: reading " +
                             std::to_string(next_ + 1) + " was asked for, but the measurement needs only " +
                             std::to_string(readings_.size()) + " (" + needs_ + ")");
    }
    return readings_[next_++];
  }

  [[nodiscard]] std::size_t reads() const { return next_; }

 private:
  std::vector<double> readings_;
  std::string needs_;
  std::size_t next_ = 0;
};

}  // namespace parlab_test
