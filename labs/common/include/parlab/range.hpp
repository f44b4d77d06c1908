#pragma once
// A half-open interval [lo, hi) of unsigned 64-bit integers: the unit of work every
// lab hands to its workers.

#include <cstdint>
#include <ostream>

namespace parlab {

struct Range {
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;  // one past the last value; hi <= lo means empty

  [[nodiscard]] constexpr std::uint64_t size() const noexcept { return hi > lo ? hi - lo : 0; }
  [[nodiscard]] constexpr bool empty() const noexcept { return hi <= lo; }
  [[nodiscard]] constexpr bool contains(std::uint64_t x) const noexcept { return lo <= x && x < hi; }
  friend constexpr bool operator==(const Range&, const Range&) = default;
};

inline std::ostream& operator<<(std::ostream& out, const Range& r) {
  return out << '[' << r.lo << ", " << r.hi << ')';
}

}  // namespace parlab
