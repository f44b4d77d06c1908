#pragma once
// Lab 05, task 4: when does a second worker pay for itself?
//
// Two workers finish n units of work in about overhead + n * c / 2 seconds, one worker in
// n * c: for small n the overhead (starting a worker, sending the result back) dominates,
// for large n the halved work does. Somewhere in between is the crossover: the smallest
// work size at which 2 workers beat 1.

#include <cstdint>
#include <functional>
#include <optional>

namespace parlab::lab05 {

// The cost, in seconds (or any unit), of doing `work` units with `workers` workers
// (1 or 2). The benchmark measures it for real; tests pass a model, so answers are exact.
using CostFunction = std::function<double(std::uint64_t work, unsigned workers)>;

// Task 4. The smallest work size w in [lo, hi] with cost(w, 2) < cost(w, 1), assuming that
// once 2 workers win they keep winning for every larger w. std::nullopt if they do not win
// even at hi. Must not scan: at most 4 * bit_width(hi - lo) + 8 calls of `cost` (gallop
// up from lo, doubling the step, then bisect). Must not overflow for hi near 2^64.
// Throws std::invalid_argument if lo == 0 ("zero") or lo > hi ("empty"), or if `cost` is
// an empty function ("cost"). An exception thrown by `cost` reaches the caller unchanged.
[[nodiscard]] std::optional<std::uint64_t> crossover(const CostFunction& cost, std::uint64_t lo,
                                                     std::uint64_t hi);

}  // namespace parlab::lab05
