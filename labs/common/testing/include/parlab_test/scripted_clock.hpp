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

  // The next scripted time. One reading more than scripted throws std::logic_error (a type
  // that crosses parlab_test::isolated() as itself, and that no check of a measurement's own
  // errors, std::invalid_argument or std::runtime_error, mistakes for the one it expects).
  double read() {
    if (next_ == readings_.size()) {
      throw std::logic_error("the code under test read the clock " + std::to_string(next_ + 1) +
                             " times; this measurement needs at most " + std::to_string(readings_.size()) +
                             " readings: " + needs_ +
                             ". That usually means a reading where none belongs: during the warm-up, around each "
                             "call of a batch instead of around the whole batch, or once more at the end");
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
