#pragma once
// Lab 05, task 3: Monte Carlo pi on threads and on processes, reproducibly.
//
// Throw points uniformly into the unit square; the fraction that lands inside the quarter
// circle x^2 + y^2 <= 1 tends to pi/4. Every worker needs its OWN stream of random numbers,
// and for a result you can check, the streams must come from the seed alone:
// one (seed, worker count) gives one answer, on threads, on processes, on every run.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

namespace parlab::lab05 {

// ---------------------------------------------------------------------------------------
// Given: splitmix64's output function. A bijection on 64-bit integers that mixes every input
// bit into every output bit: inputs that differ in one bit give unrelated outputs.
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Given: the generator every worker uses, xoshiro256** (Blackman and Vigna, 2018). Its
// 256-bit state is filled from the seed with splitmix64, so any seed, 0 included, is fine.
// Copying an Rng copies its state: the copy draws exactly the numbers the original would.
class Rng {
 public:
  explicit constexpr Rng(std::uint64_t seed) noexcept {
    for (auto& word : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      word = mix64(seed);
    }
  }
  // The next 64 random bits.
  constexpr std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // A double uniform in [0, 1): the top 53 bits of next(), scaled by 2^-53.
  constexpr double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
    return (x << k) | (x >> (64 - k));
  }
  std::uint64_t s_[4]{};
};

// Given: how many of `samples` points worker `worker` (0-based) of `workers` throws. The
// first samples % workers workers throw one more than the others; the shares add up to
// `samples`. Threads and processes must split the work exactly like this.
[[nodiscard]] constexpr std::uint64_t worker_share(std::uint64_t samples, unsigned workers,
                                                   unsigned worker) noexcept {
  return samples / workers + (worker < samples % workers ? 1 : 0);
}

// Given: the result of one estimate.
struct PiEstimate {
  std::uint64_t samples = 0;  // points thrown in total
  std::uint64_t inside = 0;   // points with x^2 + y^2 <= 1
  unsigned workers = 0;
  [[nodiscard]] double value() const noexcept {
    return 4.0 * static_cast<double>(inside) / static_cast<double>(samples);
  }
  // The standard deviation of value() for `samples` independent points:
  // 4 * sqrt(p (1 - p) / samples) with p = pi / 4, about 1.64 / sqrt(samples).
  [[nodiscard]] double sigma() const noexcept {
    const double p = std::numbers::pi / 4;
    return 4.0 * std::sqrt(p * (1 - p) / static_cast<double>(samples));
  }
};

// ---------------------------------------------------------------------------------------
// Task 3a. The seed of worker `worker`'s stream, derived from (seed, worker) alone.
// Different (seed, worker) pairs must give different stream seeds; in particular
// (seed 0, worker 1) and (seed 1, worker 0) must not collide, so seed + worker and
// seed ^ worker are both wrong. Hint: mix64 is a bijection.
[[nodiscard]] std::uint64_t worker_seed(std::uint64_t seed, unsigned worker);

// Task 3b. Throws `samples` points with Rng(stream_seed): for each point x = uniform()
// then y = uniform(), in that order; counts the points with x * x + y * y <= 1.0.
// samples == 0 throws no point and returns 0.
[[nodiscard]] std::uint64_t count_inside(std::uint64_t samples, std::uint64_t stream_seed);

// Task 3c. pi from `samples` points on `workers` threads. Worker w throws
// worker_share(samples, workers, w) points from the stream worker_seed(seed, w).
// Throws std::invalid_argument if samples == 0 ("samples") or workers == 0 ("workers").
[[nodiscard]] PiEstimate estimate_pi_threads(std::uint64_t samples, unsigned workers, std::uint64_t seed);

// Task 3d. The same on `workers` forked processes, each sending its count back to the parent
// (a pipe per worker is simplest). For one (samples, workers, seed) the result equals
// estimate_pi_threads's exactly. Every child is reaped and every fd closed when it returns
// or throws; a child that dies or sends nothing becomes a std::runtime_error, never a hang,
// whose message names the worker ("worker 1") and how it ended, as ExitStatus::describe()
// words it ("killed by signal 9 (SIGKILL, Killed)").
// Throws std::invalid_argument like estimate_pi_threads.
[[nodiscard]] PiEstimate estimate_pi_processes(std::uint64_t samples, unsigned workers, std::uint64_t seed);

// ---------------------------------------------------------------------------------------
// Given, and WRONG on purpose (given/wrong_seeding.cpp): the seed notebooks' pitfall.
// Seeds ONE Rng in the parent, then forks `children` children. fork() copies the parent's
// memory, generator state included, so every child starts from the same state and
// draws the same `draws` numbers. Returns what each child drew, child by child.
// Throws std::invalid_argument if children == 0.
[[nodiscard]] std::vector<std::vector<std::uint64_t>> draws_with_inherited_state(unsigned children,
                                                                                 std::size_t draws,
                                                                                 std::uint64_t seed);

}  // namespace parlab::lab05
