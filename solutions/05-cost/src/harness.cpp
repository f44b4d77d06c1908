// Lab 05, task 1: the measurement harness (reference solution).
#include "parlab/lab05/harness.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace parlab::lab05 {

Stats summarize(std::span<const double> samples) {
  if (samples.empty()) throw std::invalid_argument("summarize: the sample set is empty");
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (!std::isfinite(samples[i])) {
      throw std::invalid_argument("summarize: sample " + std::to_string(i) + " is not finite");
    }
    if (samples[i] < 0) {
      throw std::invalid_argument("summarize: sample " + std::to_string(i) + " is negative (" +
                                  std::to_string(samples[i]) + ")");
    }
  }
  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();

  Stats s;
  s.count = n;
  s.min = sorted.front();
  s.max = sorted.back();
  s.median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  // Nearest rank: rank = ceil(0.9 n), computed in integers so that no rounding moves it.
  const std::size_t rank = (9 * n + 9) / 10;
  s.p90 = sorted[rank - 1];
  double sum = 0;
  for (const double x : sorted) sum += x;  // ascending order: the small values are not lost
  s.mean = sum / static_cast<double>(n);
  return s;
}

std::vector<double> measure(const std::function<void()>& op, const MeasureOptions& options, const Clock& clock) {
  if (!op) throw std::invalid_argument("measure: the operation is empty");
  if (!clock) throw std::invalid_argument("measure: the clock is empty");
  if (options.repetitions == 0) throw std::invalid_argument("measure: repetitions must be at least 1");
  if (options.batch == 0) throw std::invalid_argument("measure: batch must be at least 1");

  for (unsigned i = 0; i < options.warmup; ++i) op();

  std::vector<double> samples;
  samples.reserve(options.repetitions);
  bool first = true;
  double previous = 0;
  for (unsigned r = 0; r < options.repetitions; ++r) {
    const double start = clock();
    for (unsigned b = 0; b < options.batch; ++b) op();
    const double stop = clock();
    if ((!first && start < previous) || stop < start) {
      throw std::runtime_error("measure: the clock went backwards; it is not monotonic");
    }
    first = false;
    previous = stop;
    samples.push_back((stop - start) / options.batch);
  }
  return samples;
}

}  // namespace parlab::lab05
