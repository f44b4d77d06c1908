// Lab 02, given code: the cost model, the scheduling simulator and the checks on chunk
// lists. Students read this file; they do not edit it.
#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "parlab/lab02/schedule.hpp"

namespace parlab::lab02 {

std::string_view to_string(Assignment a) noexcept {
  switch (a) {
    case Assignment::dynamic: return "dynamic";
    case Assignment::round_robin: return "round-robin";
    case Assignment::blocks: return "blocks";
  }
  return "unknown";
}

double imbalance(std::span<const double> loads) {
  if (loads.empty()) throw std::invalid_argument("imbalance: there are no loads to compare");
  double max = 0.0;
  double sum = 0.0;
  for (const double load : loads) {
    if (!(load >= 0.0)) throw std::invalid_argument("imbalance: a load is negative or not a number");
    max = std::max(max, load);
    sum += load;
  }
  if (sum == 0.0) return 1.0;
  return max / (sum / static_cast<double>(loads.size()));
}

std::string describe_cover_problem(Range r, std::span<const Range> chunks) {
  std::ostringstream out;
  if (r.empty()) {
    if (!chunks.empty()) {
      out << "the range " << r << " is empty, but there are " << chunks.size() << " chunks";
    }
    return out.str();
  }
  if (chunks.empty()) {
    out << "no chunks for the non-empty range " << r;
    return out.str();
  }
  std::uint64_t expected_lo = r.lo;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const Range& c = chunks[i];
    if (c.empty()) {
      out << "chunk " << i << " " << c << " is empty";
      return out.str();
    }
    if (c.lo != expected_lo) {
      out << "chunk " << i << " " << c << " starts at " << c.lo << " but should start at "
          << expected_lo << (c.lo > expected_lo ? " (a gap)" : " (an overlap)");
      return out.str();
    }
    if (c.hi > r.hi) {
      out << "chunk " << i << " " << c << " ends past the range " << r;
      return out.str();
    }
    expected_lo = c.hi;
  }
  if (expected_lo != r.hi) {
    out << "the chunks end at " << expected_lo << " but the range " << r << " ends at " << r.hi;
  }
  return out.str();
}

double PowerLawCost::operator()(Range r) const {
  if (!std::isfinite(exponent) || exponent < 0.0) {
    throw std::invalid_argument("PowerLawCost: the exponent must be a finite number >= 0");
  }
  if (r.empty()) return per_chunk;
  // integral of x^q over [lo, hi) = (hi^e - lo^e) / e with e = q + 1. Subtracting two
  // huge, nearly equal powers would cancel every significant digit near 2^63, so use
  //   hi^e - lo^e = lo^e * ((hi/lo)^e - 1) = lo^e * expm1(e * log1p(size / lo)).
  const double e = exponent + 1.0;
  const double lo = static_cast<double>(r.lo);
  const double size = static_cast<double>(r.size());
  if (r.lo == 0) return per_chunk + std::pow(size, e) / e;
  return per_chunk + std::pow(lo, e) * std::expm1(e * std::log1p(size / lo)) / e;
}

std::vector<std::size_t> static_share(Assignment assignment, std::size_t count, unsigned workers,
                                      unsigned worker) {
  if (workers == 0) throw std::invalid_argument("static_share: workers must be at least 1");
  if (worker >= workers) throw std::invalid_argument("static_share: worker number out of range");
  std::vector<std::size_t> share;
  if (assignment == Assignment::round_robin) {
    for (std::size_t i = worker; i < count; i += workers) share.push_back(i);
  } else if (assignment == Assignment::blocks) {
    // Block w is [w*K/N, (w+1)*K/N), written so that w*K cannot overflow.
    const auto start = [&](std::size_t w) { return (count / workers) * w + (count % workers) * w / workers; };
    for (std::size_t i = start(worker); i < start(std::size_t{worker} + 1); ++i) share.push_back(i);
  } else {
    throw std::invalid_argument("static_share: a dynamic assignment has no fixed share");
  }
  return share;
}

Simulation simulate(std::span<const Range> chunks, unsigned workers, const CostModel& cost,
                    Assignment assignment) {
  if (workers == 0) throw std::invalid_argument("simulate: workers must be at least 1");
  Simulation sim;
  sim.workers.resize(workers);
  if (assignment == Assignment::dynamic) {
    // Min-heap of (time the worker becomes free, worker number): the top is the first
    // free worker, and among equally free ones the lowest number.
    using Slot = std::pair<double, unsigned>;
    std::priority_queue<Slot, std::vector<Slot>, std::greater<>> free_at;
    for (unsigned w = 0; w < workers; ++w) free_at.emplace(0.0, w);
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      const auto [when, w] = free_at.top();
      free_at.pop();
      SimulatedWorker& worker = sim.workers[w];
      worker.load = when + cost(chunks[i]);
      worker.chunks.push_back(i);
      free_at.emplace(worker.load, w);
    }
  } else {
    for (unsigned w = 0; w < workers; ++w) {
      SimulatedWorker& worker = sim.workers[w];
      worker.chunks = static_share(assignment, chunks.size(), workers, w);
      for (const std::size_t i : worker.chunks) worker.load += cost(chunks[i]);
    }
  }
  std::vector<double> loads;
  loads.reserve(workers);
  for (const auto& worker : sim.workers) loads.push_back(worker.load);
  sim.makespan = *std::max_element(loads.begin(), loads.end());
  double sum = 0.0;
  for (const double load : loads) sum += load;
  sim.mean_load = sum / static_cast<double>(workers);
  sim.imbalance = imbalance(loads);
  return sim;
}

}  // namespace parlab::lab02
