#pragma once
// Lab 05, task 1: a measurement harness you can trust.
//
// Timing one call of anything is a lie: the first call pays for cold caches, page faults
// and lazy symbol binding; later calls are disturbed by whatever else the machine does.
// An honest measurement therefore (1) runs the operation a few times untimed (warm-up),
// (2) times many repetitions on a monotonic clock, (3) reports robust statistics (the
// minimum, the median and the 90th percentile rather than a mean that one preempted run
// drags upwards), and (4) makes sure the compiler cannot delete the work being timed.

#include <chrono>
#include <cstddef>
#include <functional>
#include <span>
#include <vector>

namespace parlab::lab05 {

// ---------------------------------------------------------------------------------------
// Given: keeping the optimiser from deleting the work.
//
// If a result is never used, the compiler may drop the computation that produced it, and
// you end up timing an empty loop. keep(x) tells the compiler that `x` is read by
// something it cannot see, so `x` (and everything it depends on) must really be computed.
// It costs nothing at run time: no instruction is emitted.
template <class T>
inline void keep(const T& value) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  __asm__ __volatile__("" : : "r,m"(value) : "memory");
#else
  // Portable fallback: a read through a volatile pointer cannot be removed.
  const volatile unsigned char* bytes = reinterpret_cast<const volatile unsigned char*>(&value);
  static_cast<void>(bytes[0]);
#endif
}

// ---------------------------------------------------------------------------------------
// Given: the clock the harness reads. Seconds since an arbitrary fixed origin, from
// std::chrono::steady_clock, which never jumps when the wall clock is adjusted.
// Tests pass a fake clock instead, so that the statistics are checked exactly.
using Clock = std::function<double()>;

[[nodiscard]] inline double monotonic_seconds() noexcept {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// ---------------------------------------------------------------------------------------
// Task 1a. Statistics of a set of samples (seconds, or any other unit).
struct Stats {
  std::size_t count = 0;
  double min = 0;
  double median = 0;  // middle value; for an even count, the mean of the two middle values
  double p90 = 0;     // nearest rank: the smallest sample with at least 90% of all samples <= it
  double max = 0;
  double mean = 0;
};

// The samples may come in any order. Throws std::invalid_argument when `samples` is empty
// (message contains "empty"), or when a sample is negative ("negative") or is NaN or
// infinite ("finite"): a duration can be none of these.
[[nodiscard]] Stats summarize(std::span<const double> samples);

// ---------------------------------------------------------------------------------------
// Task 1b. Running an operation repeatedly and timing it.
struct MeasureOptions {
  unsigned warmup = 3;        // untimed calls of the operation before the first timed one
  unsigned repetitions = 21;  // how many samples to return
  unsigned batch = 1;         // calls of the operation per sample (for very cheap operations)
};

// Calls `op` exactly `warmup` times without reading the clock, then `repetitions` times a
// batch: reads the clock, calls `op` `batch` times, reads the clock again. Each sample is
// (second reading - first reading) / batch: the time of ONE call. The clock is read exactly
// 2 * repetitions times, never during warm-up. Returns the samples in the order measured.
//
// Throws std::invalid_argument if `op` is empty ("operation") or `clock` is empty
// ("clock"), or if repetitions or batch is zero (the message names the option); warmup 0
// is fine (no untimed call). Throws std::runtime_error ("backwards") if the
// clock ever returns a smaller value than the reading before it: that clock is not
// monotonic and every figure it gives is meaningless.
[[nodiscard]] std::vector<double> measure(const std::function<void()>& op, const MeasureOptions& options,
                                          const Clock& clock = monotonic_seconds);

}  // namespace parlab::lab05
