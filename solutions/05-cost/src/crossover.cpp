// Lab 05, task 4: the crossover work size (reference solution).
#include "parlab/lab05/crossover.hpp"

#include <limits>
#include <stdexcept>

namespace parlab::lab05 {

std::optional<std::uint64_t> crossover(const CostFunction& cost, std::uint64_t lo, std::uint64_t hi) {
  if (!cost) throw std::invalid_argument("crossover: the cost function is empty");
  if (lo == 0) throw std::invalid_argument("crossover: lo is zero; the smallest work size is 1");
  if (lo > hi) throw std::invalid_argument("crossover: the range [lo, hi] is empty (lo > hi)");

  const auto two_win = [&](std::uint64_t work) { return cost(work, 2) < cost(work, 1); };
  if (two_win(lo)) return lo;

  // Gallop: lo + 1, lo + 3, lo + 7, ... (capped at hi) until 2 workers win. Invariant: they
  // lose at `lose`. The step doubles, so reaching any size takes about log2(size) tries.
  std::uint64_t lose = lo;
  std::uint64_t step = 1;
  std::uint64_t win = 0;
  for (;;) {
    const std::uint64_t next = hi - lose <= step ? hi : lose + step;  // no overflow near 2^64
    if (two_win(next)) {
      win = next;
      break;
    }
    if (next == hi) return std::nullopt;
    lose = next;
    step = step > std::numeric_limits<std::uint64_t>::max() / 2 ? std::numeric_limits<std::uint64_t>::max()
                                                                 : step * 2;
  }
  // Bisect: 2 workers lose at `lose` and win at `win`; the answer is in (lose, win].
  while (win - lose > 1) {
    const std::uint64_t mid = lose + (win - lose) / 2;
    if (two_win(mid)) {
      win = mid;
    } else {
      lose = mid;
    }
  }
  return win;
}

}  // namespace parlab::lab05
