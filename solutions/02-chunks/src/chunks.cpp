// Lab 02, tasks 1-3: equal chunks, shrinking power-law chunks, the first-size search.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "parlab/lab02/chunks.hpp"

namespace parlab::lab02 {

namespace {

void check_total_cost_exponent(const char* function, double p) {
  if (!std::isfinite(p) || p < 1.0) {
    throw std::invalid_argument(std::string(function) + ": the exponent p must be a finite number >= 1 (got " +
                                std::to_string(p) + ")");
  }
}

// Rounds a non-negative real to the nearest integer, as a chunk size between 1 and
// `largest`. Anything at or above `largest`, infinite or NaN becomes `largest`; the
// comparison happens in double *before* the conversion, because converting a double
// that does not fit in uint64_t is undefined behaviour.
std::uint64_t to_size(double t, std::uint64_t largest) {
  if (!(t < static_cast<double>(largest))) return largest;
  if (!(t >= 0.5)) return 1;
  return std::min(largest, static_cast<std::uint64_t>(std::floor(t + 0.5)));
}

// The size t of the chunk after [b - s, b) under W(x) = x^p:
//   (b + t)^p - b^p = b^p - (b - s)^p.
// Dividing by b^p, with u = s / b in (0, 1]:
//   (1 + t/b)^p = 1 + rhs,   rhs = 1 - (1 - u)^p = -expm1(p * log1p(-u))
//   t = b * expm1(log1p(rhs) / p)
// Every step works with ratios near 1 through log1p/expm1, so nothing cancels even when
// b is near 2^63 and b^p itself would have no significant digit left for the difference.
double next_power_law_size(std::uint64_t b, std::uint64_t s, double p) {
  const double bd = static_cast<double>(b);
  const double u = static_cast<double>(s) / bd;
  const double rhs = -std::expm1(p * std::log1p(-u));
  return bd * std::expm1(std::log1p(rhs) / p);
}

}  // namespace

Chunks chunks(Range r, std::uint64_t size) {
  if (size == 0) throw std::invalid_argument("chunks: the chunk size must be at least 1 (got 0)");
  Chunks out;
  if (r.empty()) return out;
  out.reserve(static_cast<std::size_t>(r.size() / size + 1));
  for (std::uint64_t lo = r.lo; lo < r.hi;) {
    const std::uint64_t len = std::min(size, r.hi - lo);  // never lo + size: it may overflow
    out.push_back({lo, lo + len});
    lo += len;
  }
  return out;
}

Chunks chunks_power_law(Range r, std::uint64_t first, double p) {
  if (first == 0) throw std::invalid_argument("chunks_power_law: the first chunk size must be at least 1 (got 0)");
  check_total_cost_exponent("chunks_power_law", p);
  Chunks out;
  if (r.empty()) return out;
  std::uint64_t size = std::min(first, r.size());
  std::uint64_t lo = r.lo;
  while (true) {
    out.push_back({lo, lo + size});
    lo += size;
    if (lo == r.hi) break;
    const std::uint64_t next = p == 1.0 ? size : to_size(next_power_law_size(lo, size, p), size);
    size = std::min(next, r.hi - lo);
  }
  return out;
}

Chunks start_chunks(Range r, unsigned workers, double p) {
  if (workers == 0) throw std::invalid_argument("start_chunks: workers must be at least 1 (got 0)");
  check_total_cost_exponent("start_chunks", p);
  if (r.empty()) return {};
  const std::uint64_t n = r.size();
  if (n < workers) return chunks(r, 1);
  // Sizes never increase, so first = n / i gives at least i chunks: the loop ends by
  // i = workers at the latest.
  for (std::uint64_t i = 1;; ++i) {
    Chunks c = chunks_power_law(r, n / i, p);
    if (c.size() >= workers) return c;
  }
}

}  // namespace parlab::lab02
