// Lab 05, task 1: the measurement harness. See include/parlab/lab05/harness.hpp for the
// exact contract and the handout (README.md) for why each rule matters.
#include "parlab/lab05/harness.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "parlab/todo.hpp"

namespace parlab::lab05 {

Stats summarize(std::span<const double> samples) {
  // TODO (task 1): reject an empty set, negative samples and NaN/infinite ones with
  // std::invalid_argument. Sort a copy; fill count, min, max, mean, the median (mean of the
  // two middle values for an even count) and p90 by nearest rank: the element at 1-based
  // rank ceil(0.9 * count) of the sorted copy.
  (void)samples;
  todo("summarize (lab 05, task 1)");
}

std::vector<double> measure(const std::function<void()>& op, const MeasureOptions& options, const Clock& clock) {
  // TODO (task 1): validate the arguments; call op `warmup` times without touching the clock;
  // then for each repetition read the clock, call op `batch` times, read the clock again and
  // store (stop - start) / batch. A reading smaller than the previous one means the clock is
  // not monotonic: throw std::runtime_error.
  (void)op, (void)options, (void)clock;
  todo("measure (lab 05, task 1)");
}

}  // namespace parlab::lab05
