#pragma once
// Lab 02, tasks 1-5: cutting a range of numbers into chunks for parallel workers.
//
// Every function returns the chunks in ascending order. Together they cover the range
// exactly: the first starts at r.lo, each starts where the previous one ended, the last
// ends at r.hi, and no chunk is empty. An empty range (hi <= lo) gives no chunks at all,
// but only after the arguments have been checked: a bad argument throws even then.
// Arguments that make no sense throw std::invalid_argument with a message that names the
// bad argument by its parameter name below (size, first, p, workers, k, q, min), as a word
// of its own: "chunks_equal_cost: k must be at least 1 (got 0)", not just "bad argument".
// Every function works for any range inside [0, 2^64 - 1]: near 2^64, lo + size and
// remaining + workers - 1 may not fit in 64 bits, so never compute them.
//
// Two kinds of cost exponent appear below, and it pays to keep them apart:
//   - the cost of ONE number x grows like x^q (trial division: up to sqrt(x), q = 0.5);
//   - the TOTAL cost of all numbers below x then grows like W(x) = x^(1 + q).
// chunks_power_law takes the exponent of the total, p = 1 + q (the notebooks' 1.3);
// chunks_equal_cost takes the exponent of one number, q.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "parlab/range.hpp"

namespace parlab::lab02 {

using Chunks = std::vector<Range>;

// The notebooks' empirical exponent of the total cost: W(x) = x^1.3.
inline constexpr double kSeedExponent = 1.3;
// Trial division of x tries divisors up to sqrt(x): one number costs at most x^0.5.
inline constexpr double kTrialDivisionExponent = 0.5;

// Task 1. Equal-size chunks of `size` numbers; only the last one may be shorter.
// Throws std::invalid_argument if size == 0. Must not overflow for ranges that end
// near 2^64 (lo + size may not fit in 64 bits).
[[nodiscard]] Chunks chunks(Range r, std::uint64_t size);

// Task 2. The notebooks' shrinking chunks, done right. The first chunk holds
// min(first, r.size()) numbers. After a chunk [a, b), the next chunk [b, b + t) costs
// as much as [a, b) did under the total-cost model W(x) = x^p:
//       W(b + t) - W(b) = W(b) - W(a),
// with t rounded to the nearest integer, then kept between 1 and b - a (never empty,
// never larger than the chunk before) and cut at r.hi. So sizes never increase.
// The equation must be solved without losing precision where x^p is huge (ranges near
// 2^63: x^1.3 there is about 2^82, and a double keeps only 53 bits of it).
// Throws std::invalid_argument if first == 0, or p is not a finite number >= 1
// (p = 1 means every number costs the same: equal chunks).
[[nodiscard]] Chunks chunks_power_law(Range r, std::uint64_t first, double p = kSeedExponent);

// Task 3. The notebooks' search for a first chunk size: tries first = r.size() / i for
// i = 1, 2, 3, ... and returns chunks_power_law(r, first, p) for the first i whose
// chunking has at least `workers` chunks. A range of fewer than `workers` numbers gets
// one chunk per number. Throws std::invalid_argument if workers == 0 (or p is bad).
[[nodiscard]] Chunks start_chunks(Range r, unsigned workers, double p = kSeedExponent);

// Task 4. An equal-cost partition from a cost model: exactly min(k, r.size()) chunks
// of (nearly) equal total cost when one number x costs x^q. The borders solve
//       W(x_j) = W(lo) + (j / k) * (W(hi) - W(lo)),   W(x) = x^(1 + q),
// (for r.lo == 0: x_j = hi * (j / k)^(1 / (1 + q))), rounded to the nearest integer and
// then moved, if needed, so that every chunk holds at least one number. Must stay
// accurate near 2^63, like task 2.
// Throws std::invalid_argument if k == 0, or q is not a finite number >= 0.
[[nodiscard]] Chunks chunks_equal_cost(Range r, std::size_t k, double q = kTrialDivisionExponent);

// Task 5. OpenMP's guided schedule: each chunk takes ceil(remaining / workers) numbers
// of what is still unassigned, but at least `min` (the last chunk may be shorter when
// fewer than `min` remain). Sizes never increase. With one worker, or a `min` of at
// least r.size(), the whole range is one chunk.
// Throws std::invalid_argument if workers == 0 or min == 0.
[[nodiscard]] Chunks chunks_guided(Range r, unsigned workers, std::uint64_t min = 1);

}  // namespace parlab::lab02
