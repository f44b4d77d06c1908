#include "parlab/capacity.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "parlab/stopwatch.hpp"

namespace parlab {
namespace {

// Integer work the optimiser cannot remove: the result is published through an atomic.
std::atomic<std::uint64_t> g_sink{0};

void spin(std::uint64_t iterations) {
  std::uint64_t x = 0x9E3779B97F4A7C15ULL ^ iterations;
  for (std::uint64_t i = 0; i < iterations; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  g_sink.fetch_add(x, std::memory_order_relaxed);
}

double time_single(std::uint64_t iterations) {
  Stopwatch sw;
  spin(iterations);
  return sw.seconds();
}

// The workers wait for the start by spinning, not asleep on a latch: waking a sleeping
// thread costs a scheduler round trip (on a virtual machine, waking a halted vCPU can take
// milliseconds), and that delay, inside a 25 ms unit, read as lost capacity. Measured on
// the 2-core course machine, 8 probes each: 1.86-2.02x with a latch (single rounds 1.41 to
// an impossible 2.40), 1.94-1.99x with this start (rounds 1.88-2.01).
double time_parallel(unsigned workers, std::uint64_t iterations) {
  std::atomic<unsigned> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::jthread> threads;
  threads.reserve(workers);
  for (unsigned w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      ready.fetch_add(1, std::memory_order_acq_rel);
      while (!go.load(std::memory_order_acquire)) {
      }
      spin(iterations);
    });
  }
  while (ready.load(std::memory_order_acquire) < workers) {
  }
  Stopwatch sw;
  go.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();
  return sw.seconds();
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

std::string ParallelCapacity::describe() const {
  std::ostringstream out;
  out.precision(3);
  out << workers << " workers: capacity " << speedup << "x (min " << speedup_min << ", max "
      << speedup_max << "; " << rounds << " rounds; efficiency " << efficiency() << ")";
  return out.str();
}

ParallelCapacity measure_parallel_capacity(unsigned workers, std::chrono::milliseconds budget) {
  if (workers == 0) throw std::invalid_argument("measure_parallel_capacity: workers must be >= 1");
  // Calibrate: grow the unit until one thread needs about 1/16 of the budget for it.
  const double unit_target = std::chrono::duration<double>(budget).count() / 16.0;
  std::uint64_t iterations = 1 << 16;
  double t = time_single(iterations);
  while (t < unit_target / 4 && iterations < (std::uint64_t{1} << 40)) {
    iterations *= 4;
    t = time_single(iterations);
  }
  iterations = static_cast<std::uint64_t>(static_cast<double>(iterations) * unit_target / std::max(t, 1e-9));
  iterations = std::max<std::uint64_t>(iterations, 1024);

  // Each round costs about one unit alone plus one unit in parallel; alternate them so
  // a change in background load affects both sides alike. The single-thread baseline is
  // the fastest single run of all rounds: one preempted single run would otherwise make
  // its round's ratio absurd (a 2-core machine "delivering" 30x).
  const unsigned rounds = 5;
  // One parallel round first, not counted: the workers' stacks, the other core's clock and
  // caches (the first round of a fresh process read as low as 1.0x on 2 quiet cores).
  (void)time_parallel(workers, iterations);
  std::vector<double> singles, parallels;
  for (unsigned r = 0; r < rounds; ++r) {
    singles.push_back(time_single(iterations));
    parallels.push_back(time_parallel(workers, iterations));
  }
  const double best_single = *std::min_element(singles.begin(), singles.end());
  std::vector<double> ratios;
  for (const double tn : parallels) ratios.push_back(workers * best_single / std::max(tn, 1e-9));
  ParallelCapacity cap;
  cap.workers = workers;
  cap.rounds = rounds;
  cap.seconds_single = median_of(singles);
  cap.speedup = median_of(ratios);
  cap.speedup_min = *std::min_element(ratios.begin(), ratios.end());
  cap.speedup_max = *std::max_element(ratios.begin(), ratios.end());
  return cap;
}

}  // namespace parlab
