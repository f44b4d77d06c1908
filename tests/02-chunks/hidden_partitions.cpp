// Lab 02, tasks 4 and 5: hidden tests for equal-cost partitions and the guided schedule.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "parlab/lab02/chunks.hpp"
#include "parlab/lab02/schedule.hpp"
#include "parlab/primes.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/sieve.hpp"
#include "parlab_test/watchdog.hpp"

#include "../../labs/02-chunks/tests/lab02_support.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab02;
using parlab::Range;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t k2to63 = std::uint64_t{1} << 63;

std::string describe_growth(const Chunks& c, std::uint64_t slack = 0) {
  for (std::size_t i = 1; i < c.size(); ++i) {
    if (c[i].size() > c[i - 1].size() + slack) {
      return "chunk " + std::to_string(i) + " holds " + std::to_string(c[i].size()) +
             " numbers, more than chunk " + std::to_string(i - 1) + " (" +
             std::to_string(c[i - 1].size()) + ")";
    }
  }
  return "";
}

// The guided schedule, written independently: sizes only.
std::vector<std::uint64_t> guided_sizes(std::uint64_t n, std::uint64_t workers, std::uint64_t min) {
  std::vector<std::uint64_t> out;
  while (n > 0) {
    std::uint64_t share = n / workers;
    if (share * workers < n) ++share;
    const std::uint64_t len = std::min(n, std::max(share, min));
    out.push_back(len);
    n -= len;
  }
  return out;
}

std::vector<std::uint64_t> sizes_of(const Chunks& c) {
  std::vector<std::uint64_t> out;
  for (const Range& r : c) out.push_back(r.size());
  return out;
}

}  // namespace

// ---- Task 4 ------------------------------------------------------------------------------

TEST_CASE("equal cost chunks have exactly min of k and size chunks", "[lab02][task4]") {
  for (const Range r : {Range{0, 1}, Range{0, 10}, Range{1, 100}, Range{0, 1'000'000}, Range{5'000'000, 5'000'100}}) {
    for (const std::size_t k : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{8}, std::size_t{100},
                                std::size_t{1000}}) {
      for (const double q : {0.0, 0.3, 0.5, 1.0, 3.0}) {
        INFO("range " << r << ", k " << k << ", q " << q);
        const Chunks c = isolated([&] { return chunks_equal_cost(r, k, q); });
        REQUIRE(describe_cover_problem(r, c) == "");
        CHECK(c.size() == std::min<std::uint64_t>(k, r.size()));
      }
    }
  }
}

TEST_CASE("equal cost borders from 0 follow hi times j over k to the power 1 over 1 plus q", "[lab02][task4]") {
  const Range r{0, 1'000'000};
  const Chunks c = isolated([&] { return chunks_equal_cost(r, 4, 0.5); });
  REQUIRE(c.size() == 4);
  for (std::size_t j = 1; j < 4; ++j) {
    const double want = 1e6 * std::pow(static_cast<double>(j) / 4.0, 1.0 / 1.5);
    INFO("border " << j << ": want " << want << ", got " << c[j].lo);
    CHECK(std::abs(static_cast<double>(c[j].lo) - want) <= 1.0);
  }
}

TEST_CASE("equal cost chunks with q 0 are sizes that differ by at most one", "[lab02][task4]") {
  const Chunks c = isolated([] { return chunks_equal_cost(Range{10, 1010}, 7, 0.0); });
  REQUIRE(c.size() == 7);
  const auto [lo, hi] = std::minmax_element(c.begin(), c.end(), [](Range a, Range b) { return a.size() < b.size(); });
  CHECK(hi->size() - lo->size() <= 1);
}

TEST_CASE("equal cost chunks cost the same under the model and shrink", "[lab02][task4]") {
  for (const double q : {0.3, 0.5, 1.0}) {
    for (const Range r : {Range{0, 10'000'000}, Range{1'000'000, 2'000'000}}) {
      INFO("range " << r << ", q " << q);
      const Chunks c = isolated([&] { return chunks_equal_cost(r, 16, q); });
      REQUIRE(describe_cover_problem(r, c) == "");
      const PowerLawCost cost{q};
      double lo = cost(c[0]), hi = lo;
      for (const Range& chunk : c) {
        lo = std::min(lo, cost(chunk));
        hi = std::max(hi, cost(chunk));
      }
      CHECK(hi / lo < 1.0001);
      CHECK(describe_growth(c, 1) == "");
    }
  }
}

TEST_CASE("equal cost chunks with more chunks than numbers give single numbers", "[lab02][task4]") {
  CHECK(sizes_of(isolated([] { return chunks_equal_cost(Range{0, 5}, 9, 0.5); })) == std::vector<std::uint64_t>(5, 1));
  CHECK(sizes_of(isolated([] { return chunks_equal_cost(Range{kMax - 3, kMax}, 100, 0.5); })) ==
        std::vector<std::uint64_t>(3, 1));
}

TEST_CASE("equal cost chunks of empty ranges are empty and bad arguments throw", "[lab02][task4]") {
  CHECK(isolated([] { return chunks_equal_cost(Range{3, 3}, 4, 0.5); }).empty());
  CHECK(isolated([] { return chunks_equal_cost(Range{9, 1}, 4, 0.5); }).empty());
  CHECK_THROWS_AS(isolated([] { return chunks_equal_cost(Range{0, 100}, 0, 0.5); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return chunks_equal_cost(Range{0, 100}, 0, 0.5); }), ContainsSubstring("k"));
  CHECK_THROWS_AS(isolated([] { return chunks_equal_cost(Range{0, 100}, 4, -0.5); }), std::invalid_argument);
  CHECK_THROWS_AS(isolated([] { return chunks_equal_cost(Range{0, 100}, 4, std::nan("")); }), std::invalid_argument);
  CHECK_THROWS_AS(isolated([] { return chunks_equal_cost(Range{3, 3}, 0, 0.5); }), std::invalid_argument);
}

TEST_CASE("equal cost chunks near 2^63 keep their precision", "[lab02][task4]") {
  // The cost per number is flat there to 13 digits: 8 chunks of 250000 numbers, give or
  // take the rounding of one border. x^1.5 near 2^63 is about 2^94: subtracting two of
  // those directly leaves errors of a thousand numbers.
  const Range r{k2to63 - 1'000'000, k2to63 + 1'000'000};
  const Chunks c = isolated([&] { return chunks_equal_cost(r, 8, 0.5); });
  REQUIRE(describe_cover_problem(r, c) == "");
  REQUIRE(c.size() == 8);
  for (const Range& chunk : c) {
    CHECK(chunk.size() >= 249'999);
    CHECK(chunk.size() <= 250'001);
  }
}

TEST_CASE("equal cost chunks near 2^64 do not overflow", "[lab02][task4]") {
  const Range top{kMax - 100, kMax};
  const Chunks c = isolated([&] { return chunks_equal_cost(top, 7, 0.5); });
  REQUIRE(describe_cover_problem(top, c) == "");
  CHECK(c.size() == 7);

  const Range all{0, kMax};
  const Chunks thirds = isolated([&] { return chunks_equal_cost(all, 3, 0.5); });
  REQUIRE(describe_cover_problem(all, thirds) == "");
  REQUIRE(thirds.size() == 3);
  const double want = 18446744073709551615.0 * std::pow(1.0 / 3.0, 1.0 / 1.5);
  CHECK(std::abs(static_cast<double>(thirds[1].lo) / want - 1.0) < 1e-9);

  const Range from_one{1, kMax};
  const Chunks steep = isolated([&] { return chunks_equal_cost(from_one, 5, 3.0); });
  REQUIRE(describe_cover_problem(from_one, steep) == "");
  CHECK(steep.size() == 5);

  // q = 20: (hi/lo)^21 is far beyond the largest double; the borders must still be right.
  const Chunks steeper = isolated([&] { return chunks_equal_cost(from_one, 5, 20.0); });
  REQUIRE(describe_cover_problem(from_one, steeper) == "");
  REQUIRE(steeper.size() == 5);
  for (std::size_t j = 1; j < 5; ++j) {
    const double border = 18446744073709551615.0 * std::pow(static_cast<double>(j) / 5.0, 1.0 / 21.0);
    INFO("border " << j);
    CHECK(std::abs(static_cast<double>(steeper[j].lo) / border - 1.0) < 1e-9);
  }
}

// ---- Task 5 ------------------------------------------------------------------------------

TEST_CASE("guided chunks match an independent answer", "[lab02][task5]") {
  for (const std::uint64_t n : {std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{10}, std::uint64_t{97},
                                std::uint64_t{1000}, std::uint64_t{123457}}) {
    for (const unsigned workers : {1u, 2u, 3u, 8u, 200u}) {
      for (const std::uint64_t min : {std::uint64_t{1}, std::uint64_t{4}, std::uint64_t{50}, n + 1}) {
        INFO("n " << n << ", workers " << workers << ", min " << min);
        const Range r{1000, 1000 + n};
        const Chunks c = isolated([&] { return chunks_guided(r, workers, min); });
        REQUIRE(describe_cover_problem(r, c) == "");
        CHECK(sizes_of(c) == guided_sizes(n, workers, min));
        CHECK(describe_growth(c) == "");
      }
    }
  }
}

TEST_CASE("guided chunks with one worker or a large min are one chunk", "[lab02][task5]") {
  CHECK(isolated([] { return chunks_guided(Range{5, 500}, 1, 1); }) == Chunks{{5, 500}});
  CHECK(isolated([] { return chunks_guided(Range{5, 500}, 4, 1000); }) == Chunks{{5, 500}});
}

TEST_CASE("guided chunks with more workers than numbers give single numbers", "[lab02][task5]") {
  CHECK(sizes_of(isolated([] { return chunks_guided(Range{0, 6}, 16, 1); })) == std::vector<std::uint64_t>(6, 1));
}

TEST_CASE("guided chunks of empty ranges are empty and bad arguments throw", "[lab02][task5]") {
  CHECK(isolated([] { return chunks_guided(Range{2, 2}, 4, 1); }).empty());
  CHECK(isolated([] { return chunks_guided(Range{9, 1}, 4, 1); }).empty());
  CHECK_THROWS_AS(isolated([] { return chunks_guided(Range{0, 100}, 0, 1); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return chunks_guided(Range{0, 100}, 0, 1); }), ContainsSubstring("workers"));
  CHECK_THROWS_AS(isolated([] { return chunks_guided(Range{0, 100}, 2, 0); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return chunks_guided(Range{0, 100}, 2, 0); }), ContainsSubstring("min"));
  CHECK_THROWS_AS(isolated([] { return chunks_guided(Range{3, 3}, 2, 0); }), std::invalid_argument);
}

TEST_CASE("guided chunks of a range ending near 2^64 do not overflow", "[lab02][task5]") {
  const Range all{0, kMax};
  const Chunks c = isolated([&] { return chunks_guided(all, 3, std::uint64_t{1} << 60); });
  REQUIRE(describe_cover_problem(all, c) == "");
  // ceil((2^64 - 1) / 3) = 6148914691236517205 exactly.
  CHECK(c.front().size() == 6148914691236517205ULL);
  CHECK(describe_growth(c) == "");
  const Range top{kMax - 1000, kMax};
  CHECK(sizes_of(isolated([&] { return chunks_guided(top, 7, 10); })) == guided_sizes(1000, 7, 10));
}

TEST_CASE("guided chunks on real threads run every chunk exactly once", "[lab02][task5]") {
  parlab_test::Watchdog watchdog("execute(chunks_guided(0..300000, 4, 64), 4 threads)", 60s);
  const Range r{0, 300'000};
  const Chunks c = isolated([&] { return chunks_guided(r, 4, 64); });
  // execute() is given code: it may run here.
  for (const Assignment mode : {Assignment::dynamic, Assignment::round_robin, Assignment::blocks}) {
    INFO("assignment " << to_string(mode));
    const Execution run = execute(c, 4, [](Range chunk) {
      return static_cast<std::uint64_t>(parlab::primes_in(chunk).size());
    }, mode);
    CHECK(run.total == parlab_test::sieve_primes_below(300'000).size());
    std::multiset<std::size_t> seen;
    for (const WorkerRecord& w : run.workers) {
      for (const ChunkRun& cr : w.runs) {
        seen.insert(cr.index);
        CHECK(cr.range == c[cr.index]);
        CHECK(cr.end >= cr.start);
      }
    }
    CHECK(seen.size() == c.size());
    CHECK(std::set<std::size_t>(seen.begin(), seen.end()).size() == c.size());
  }
}
