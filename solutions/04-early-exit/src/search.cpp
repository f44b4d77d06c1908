// Lab 04, task 1 (reference): the serial parts of a cooperative primality search.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "parlab/lab04/early_exit.hpp"

namespace parlab::lab04 {

namespace {

// The pre-check runs alone: nobody can raise this flag, and nobody needs to.
class LoweredFlag final : public StopFlag {
 public:
  bool is_set() override { return false; }
  void raise() override {}
  void clear() override {}
};

}  // namespace

RangeResult check_range(std::uint64_t n, std::uint64_t from, std::uint64_t to, StopFlag& flag,
                        std::uint64_t check_every) {
  if (from < 3) {
    throw std::invalid_argument("check_range: from = " + std::to_string(from) +
                                ", but divisors start at 3 (1 divides every number, and 2 is the "
                                "parity test done before any division)");
  }
  const std::uint64_t bound = isqrt(n) + 1;  // isqrt(n) < 2^32: no overflow
  if (to > bound) {
    throw std::invalid_argument("check_range: to = " + std::to_string(to) + " is above isqrt(n) + 1 = " +
                                std::to_string(bound) +
                                ": no divisor above the square root is ever needed");
  }

  RangeResult result;
  std::uint64_t d = from | 1;  // the first odd divisor >= from
  // Work in blocks of check_every divisions and read the flag between blocks: the inner
  // loop then holds nothing but the division, which keeps it as fast as the serial one.
  while (d < to) {
    const std::uint64_t left = (to - d + 1) / 2;  // odd divisors d, d + 2, ... below `to`
    const std::uint64_t block = check_every == kNeverCheck ? left : std::min(left, check_every);
    for (std::uint64_t i = 0; i < block; ++i, d += 2) {
      if (n % d == 0) {
        result.divisions += i + 1;
        result.outcome = Outcome::found;
        result.factor = d;
        flag.raise();
        return result;
      }
    }
    result.divisions += block;
    if (d >= to) break;  // the range is done: no need to ask
    if (flag.is_set()) {
      result.outcome = Outcome::stopped;
      return result;
    }
  }
  result.outcome = Outcome::not_found;
  return result;
}

SearchPlan plan_search(std::uint64_t n, unsigned workers) {
  if (workers == 0) throw std::invalid_argument("plan_search: workers must be at least 1, got 0");
  if (workers > kMaxWorkers) {
    throw std::invalid_argument("plan_search: workers = " + std::to_string(workers) + " is more than " +
                                std::to_string(kMaxWorkers) + " (kMaxWorkers)");
  }
  SearchPlan plan;
  plan.n = n;
  auto decide = [&](bool prime, std::uint64_t factor) {
    plan.decided = true;
    plan.verdict.prime = prime;
    plan.verdict.factor = factor;
    return plan;
  };
  if (n < 2) return decide(false, 0);
  if (n < 4) return decide(true, 0);
  if (n % 2 == 0) return decide(false, 2);

  const std::uint64_t root = isqrt(n);
  LoweredFlag nobody;
  const RangeResult pre = check_range(n, 3, std::min(root + 1, kPrecheckLimit), nobody, kNeverCheck);
  plan.verdict.precheck_divisions = pre.divisions;
  if (pre.outcome == Outcome::found) return decide(false, pre.factor);
  if (root < kFirstParallelDivisor) return decide(true, 0);

  // Odd divisors kFirstParallelDivisor, +2, ..., up to root: m of them, at most 2^31.
  const std::uint64_t m = (root - kFirstParallelDivisor) / 2 + 1;
  const std::uint64_t w = std::min<std::uint64_t>(workers, m);
  plan.ranges.reserve(w);
  for (std::uint64_t i = 0; i < w; ++i) {
    const std::uint64_t lo = kFirstParallelDivisor + 2 * (i * m / w);  // i * m < 2^39
    const std::uint64_t hi = i + 1 == w ? root + 1 : kFirstParallelDivisor + 2 * ((i + 1) * m / w);
    plan.ranges.push_back({lo, hi});
  }
  return plan;
}

Verdict conclude(const SearchPlan& plan, std::span<const RangeResult> results) {
  if (results.size() != plan.ranges.size()) {
    throw std::invalid_argument("conclude: " + std::to_string(results.size()) + " results for " +
                                std::to_string(plan.ranges.size()) + " ranges");
  }
  Verdict v = plan.verdict;
  if (plan.decided) return v;
  bool found = false, stopped = false;
  std::uint64_t factor = 0;
  v.workers.reserve(results.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    const RangeResult& r = results[i];
    v.workers.push_back({plan.ranges[i], r});
    if (r.outcome == Outcome::found) {
      factor = found ? std::min(factor, r.factor) : r.factor;
      found = true;
    } else if (r.outcome == Outcome::stopped) {
      stopped = true;
    }
  }
  if (!found && stopped) {
    throw std::runtime_error("conclude: a worker stopped early, but no worker found a divisor of " +
                             std::to_string(plan.n) +
                             ": the stop flag was raised by someone else (left over from an earlier "
                             "search?), so the search proves nothing");
  }
  v.prime = !found;
  v.factor = found ? factor : 0;
  return v;
}

}  // namespace parlab::lab04
