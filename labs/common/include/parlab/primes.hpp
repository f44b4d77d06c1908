#pragma once
// Trial division: the workload all labs share. Its cost grows like sqrt(n), which is
// exactly why equal-sized chunks of numbers are not equal amounts of work (lab 02).

#include <bit>
#include <cstdint>
#include <vector>

#include "parlab/range.hpp"

namespace parlab {

// Exact floor(sqrt(n)) for every uint64_t. A double has 53 bits of mantissa, so
// std::sqrt is off by one for large squares such as 316400221^2 - 1; Newton's
// method on integers is exact and cannot overflow (x <= 2^32 throughout).
[[nodiscard]] constexpr std::uint64_t isqrt(std::uint64_t n) noexcept {
  if (n < 2) return n;
  const auto half_bits = static_cast<unsigned>((std::bit_width(n) + 1) / 2);
  std::uint64_t x = std::uint64_t{1} << half_bits;  // x >= sqrt(n): a safe start from above
  while (true) {
    const std::uint64_t y = (x + n / x) / 2;
    if (y >= x) return x;
    x = y;
  }
}

// True if n is prime. Correct for 0, 1, 2 and every value up to 2^64 - 1: the loop
// bound is isqrt(n), so no d * d is ever formed and nothing overflows.
[[nodiscard]] constexpr bool is_prime(std::uint64_t n) noexcept {
  if (n < 2) return false;
  if (n < 4) return true;
  if (n % 2 == 0) return false;
  const std::uint64_t limit = isqrt(n);
  for (std::uint64_t d = 3; d <= limit; d += 2) {
    if (n % d == 0) return false;
  }
  return true;
}

// All primes in r, ascending. Safe for ranges that end at 2^64 - 1.
[[nodiscard]] std::vector<std::uint64_t> primes_in(Range r);

}  // namespace parlab
