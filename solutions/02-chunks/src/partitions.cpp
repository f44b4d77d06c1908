// Lab 02, tasks 4 and 5: an equal-cost partition from a cost model, the guided schedule.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "parlab/lab02/chunks.hpp"

namespace parlab::lab02 {

namespace {

// offset_j = x_j - lo for the border with W(x_j) = W(lo) + f * (W(hi) - W(lo)),
// W(x) = x^e. For lo > 0, with A = (hi/lo)^e - 1 = expm1(e * log1p(size/lo)):
//   x_j = lo * (1 + f*A)^(1/e)   so   offset_j = lo * expm1(log1p(f*A) / e).
// Only ratios near 1 go through log1p/expm1, so nothing cancels near 2^63.
double border_offset(Range r, double f, double e) {
  const double size = static_cast<double>(r.size());
  if (r.lo == 0) return size * std::pow(f, 1.0 / e);
  const double lo = static_cast<double>(r.lo);
  const double log_ratio = std::log1p(size / lo);  // log(hi / lo)
  const double a = std::expm1(e * log_ratio);
  // When (hi/lo)^e does not fit in a double, log1p(f*A) is log(f) + log(A), and
  // log(A) is e * log(hi/lo) to within a relative 1/A.
  const double log_growth = std::isfinite(a) ? std::log1p(f * a) : std::log(f) + e * log_ratio;
  return lo * std::expm1(log_growth / e);
}

}  // namespace

Chunks chunks_equal_cost(Range r, std::size_t k, double q) {
  if (k == 0) throw std::invalid_argument("chunks_equal_cost: the number of chunks k must be at least 1 (got 0)");
  if (!std::isfinite(q) || q < 0.0) {
    throw std::invalid_argument("chunks_equal_cost: the cost exponent q must be a finite number >= 0 (got " +
                                std::to_string(q) + ")");
  }
  Chunks out;
  if (r.empty()) return out;
  const std::uint64_t count = std::min<std::uint64_t>(k, r.size());
  const double e = 1.0 + q;
  out.reserve(static_cast<std::size_t>(count));
  std::uint64_t lo = r.lo;
  for (std::uint64_t j = 1; j < count; ++j) {
    const double f = static_cast<double>(j) / static_cast<double>(count);
    const double offset = border_offset(r, f, e);
    std::uint64_t border = r.hi;  // for an offset too large (or NaN) to convert safely
    if (offset < static_cast<double>(r.size())) {
      // Below size as a double, so the conversion is defined; size itself may have been
      // rounded up on the way to double, hence the second check before adding to lo.
      const auto step = static_cast<std::uint64_t>(std::floor(std::max(0.0, offset) + 0.5));
      if (step < r.size()) border = r.lo + step;
    }
    // Every chunk keeps at least one number, and leaves one for each chunk after it.
    border = std::clamp(border, lo + 1, r.hi - (count - j));
    out.push_back({lo, border});
    lo = border;
  }
  out.push_back({lo, r.hi});
  return out;
}

Chunks chunks_guided(Range r, unsigned workers, std::uint64_t min) {
  if (workers == 0) throw std::invalid_argument("chunks_guided: workers must be at least 1 (got 0)");
  if (min == 0) throw std::invalid_argument("chunks_guided: the minimum chunk size min must be at least 1 (got 0)");
  Chunks out;
  for (std::uint64_t lo = r.lo; lo < r.hi;) {
    const std::uint64_t remaining = r.hi - lo;
    // ceil(remaining / workers) without remaining + workers - 1, which can overflow.
    const std::uint64_t share = remaining / workers + (remaining % workers != 0 ? 1 : 0);
    const std::uint64_t len = std::min(std::max(share, min), remaining);
    out.push_back({lo, lo + len});
    lo += len;
  }
  return out;
}

}  // namespace parlab::lab02
