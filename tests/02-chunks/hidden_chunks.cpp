// Lab 02, tasks 1-3: hidden tests for equal chunks, power-law chunks and start_chunks.
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "parlab/lab02/chunks.hpp"
#include "parlab/lab02/schedule.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"

#include "../../labs/02-chunks/tests/lab02_support.hpp"

using namespace parlab::lab02;
using parlab::Range;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t k2to63 = std::uint64_t{1} << 63;

// Empty if sizes never increase; otherwise where they first do.
std::string describe_growth(const Chunks& c) {
  for (std::size_t i = 1; i < c.size(); ++i) {
    if (c[i].size() > c[i - 1].size()) {
      return "chunk " + std::to_string(i) + " holds " + std::to_string(c[i].size()) +
             " numbers, more than chunk " + std::to_string(i - 1) + " (" +
             std::to_string(c[i - 1].size()) + ")";
    }
  }
  return "";
}

// An independent answer key for task 1.
Chunks expected_equal_chunks(Range r, std::uint64_t size) {
  Chunks out;
  if (r.empty()) return out;
  const std::uint64_t full = r.size() / size;
  for (std::uint64_t i = 0; i < full; ++i) out.push_back({r.lo + i * size, r.lo + (i + 1) * size});
  if (r.size() % size != 0) out.push_back({r.lo + full * size, r.hi});
  return out;
}

// Total cost W(b) - W(a) with W(x) = x^p, computed without cancellation.
double total_cost(Range c, double p) { return PowerLawCost{p - 1.0}(c) * p; }

}  // namespace

// ---- Task 1 ------------------------------------------------------------------------------

TEST_CASE("chunks matches an independent answer for many sizes", "[lab02][task1]") {
  for (const Range r : {Range{0, 1}, Range{0, 100}, Range{1, 100}, Range{37, 1000}, Range{1000, 1001}}) {
    for (const std::uint64_t size : {std::uint64_t{1}, std::uint64_t{3}, std::uint64_t{7}, std::uint64_t{64},
                                     std::uint64_t{99}, std::uint64_t{100}, std::uint64_t{1000}}) {
      INFO("range " << r << ", size " << size);
      const Chunks c = isolated([&] { return chunks(r, size); });
      CHECK(c == expected_equal_chunks(r, size));
      CHECK(describe_cover_problem(r, c) == "");
    }
  }
}

TEST_CASE("chunks larger than the range give one chunk", "[lab02][task1]") {
  CHECK(isolated([] { return chunks(Range{10, 20}, 11); }) == Chunks{{10, 20}});
  CHECK(isolated([] { return chunks(Range{10, 20}, kMax); }) == Chunks{{10, 20}});
}

TEST_CASE("chunks of empty and reversed ranges are empty", "[lab02][task1]") {
  CHECK(isolated([] { return chunks(Range{0, 0}, 1); }).empty());
  CHECK(isolated([] { return chunks(Range{7, 3}, 2); }).empty());
  CHECK(isolated([] { return chunks(Range{kMax, kMax}, 5); }).empty());
}

TEST_CASE("chunks with size 0 throws invalid_argument naming the size", "[lab02][task1]") {
  CHECK_THROWS_AS(isolated([] { return chunks(Range{0, 100}, 0); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return chunks(Range{0, 100}, 0); }), ContainsSubstring("size"));
  // Checked before looking at the range: a bad argument is bad even when there is no work.
  CHECK_THROWS_AS(isolated([] { return chunks(Range{5, 5}, 0); }), std::invalid_argument);
}

TEST_CASE("chunks near 2^64 do not overflow", "[lab02][task1]") {
  const Range top{kMax - 10, kMax};
  CHECK(isolated([&] { return chunks(top, 4); }) == Chunks{{kMax - 10, kMax - 6}, {kMax - 6, kMax - 2}, {kMax - 2, kMax}});
  const Range all{0, kMax};
  const Chunks halves = isolated([&] { return chunks(all, k2to63); });
  CHECK(halves == Chunks{{0, k2to63}, {k2to63, kMax}});
  const Range near63{k2to63 - 5, k2to63 + 5};
  CHECK(isolated([&] { return chunks(near63, 3); }) == expected_equal_chunks(near63, 3));
}

// ---- Task 2 ------------------------------------------------------------------------------

TEST_CASE("power law chunks cover exactly and never grow for many inputs", "[lab02][task2]") {
  for (const Range r : {Range{0, 1}, Range{0, 100}, Range{1, 100}, Range{0, 1'000'000},
                        Range{100'000'000, 101'000'000}}) {
    for (const std::uint64_t first : {std::uint64_t{1}, std::uint64_t{7}, r.size() / 10 + 1, r.size(),
                                      2 * r.size()}) {
      for (const double p : {1.0, 1.3, 1.5, 2.0}) {
        // (hundreds of thousands of tiny chunks per call are too slow to be useful, under coverage
        // above all: the small ranges cover first sizes 1 and 7)
        if (first <= 7 && r.size() > 1000) continue;
        INFO("range " << r << ", first " << first << ", p " << p);
        const Chunks c = isolated([&] { return chunks_power_law(r, first, p); });
        REQUIRE(describe_cover_problem(r, c) == "");
        CHECK(c.front().size() == std::min(first, r.size()));
        CHECK(describe_growth(c) == "");
      }
    }
  }
}

TEST_CASE("power law chunks of 1 to 100 from 50 are 1-51 51-87 87-100", "[lab02][task2]") {
  // (51 + t)^1.3 - 51^1.3 = 51^1.3 - 1^1.3 gives t = 35.7, rounded to 36; the next chunk
  // would hold about 29 numbers but only 13 are left.
  CHECK(isolated([] { return chunks_power_law(Range{1, 100}, 50, 1.3); }) == Chunks{{1, 51}, {51, 87}, {87, 100}});
}

TEST_CASE("each power law chunk costs as much as the one before it", "[lab02][task2]") {
  for (const double p : {1.3, 1.5, 2.0}) {
    const Range r{0, 10'000'000};
    const Chunks c = isolated([&] { return chunks_power_law(r, 500'000, p); });
    REQUIRE(describe_cover_problem(r, c) == "");
    for (std::size_t i = 1; i + 1 < c.size(); ++i) {
      INFO("p " << p << ", chunk " << i << " " << c[i] << " after " << c[i - 1]);
      const double ratio = total_cost(c[i], p) / total_cost(c[i - 1], p);
      CHECK(std::abs(ratio - 1.0) < 1.5 / static_cast<double>(c[i].size()) + 1e-9);
    }
  }
}

TEST_CASE("power law chunks from a first size of 1 are never empty", "[lab02][task2]") {
  // The exact next size is below 1 here: (1 + t)^1.3 = 2 gives t = 0.70. It must become 1,
  // never 0 (an empty chunk, and a loop that makes no progress).
  const Chunks c = isolated([] { return chunks_power_law(Range{0, 500}, 1, 1.3); });
  CHECK(c.size() == 500);
  CHECK(describe_cover_problem(Range{0, 500}, c) == "");
}

TEST_CASE("power law chunks of empty ranges are empty and bad arguments throw", "[lab02][task2]") {
  CHECK(isolated([] { return chunks_power_law(Range{4, 4}, 3); }).empty());
  CHECK(isolated([] { return chunks_power_law(Range{9, 2}, 3); }).empty());
  CHECK_THROWS_AS(isolated([] { return chunks_power_law(Range{0, 10}, 0); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return chunks_power_law(Range{0, 10}, 0); }), ContainsSubstring("first"));
  CHECK_THROWS_AS(isolated([] { return chunks_power_law(Range{0, 10}, 0, 1.3); }), std::invalid_argument);
  CHECK_THROWS_AS(isolated([] { return chunks_power_law(Range{0, 10}, 3, 0.9); }), std::invalid_argument);
  CHECK_THROWS_AS(isolated([] { return chunks_power_law(Range{0, 10}, 3, std::nan("")); }), std::invalid_argument);
  CHECK_THROWS_AS(isolated([] { return chunks_power_law(Range{0, 10}, 3, std::numeric_limits<double>::infinity()); }),
                  std::invalid_argument);
  CHECK_THROWS_AS(isolated([] { return chunks_power_law(Range{5, 5}, 0); }), std::invalid_argument);
}

TEST_CASE("power law chunks near 2^63 keep their precision", "[lab02][task2]") {
  // Around 2^63 the cost per number is flat to 15 digits, so every chunk must hold the
  // same 100000 numbers. Computing x^1.3 directly (about 2^82) loses the difference.
  const Range r{k2to63 - 1'000'000, k2to63 + 1'000'000};
  const Chunks c = isolated([&] { return chunks_power_law(r, 100'000, 1.3); });
  REQUIRE(describe_cover_problem(r, c) == "");
  CHECK(c.size() == 20);
  for (const Range& chunk : c) CHECK(chunk.size() == 100'000);
}

TEST_CASE("power law chunks near 2^64 do not overflow", "[lab02][task2]") {
  const Range top{kMax - 1000, kMax};
  const Chunks c = isolated([&] { return chunks_power_law(top, 64, 1.3); });
  REQUIRE(describe_cover_problem(top, c) == "");
  CHECK(describe_growth(c) == "");

  const Range all{0, kMax};
  const Chunks big = isolated([&] { return chunks_power_law(all, std::uint64_t{1} << 62, 1.3); });
  REQUIRE(describe_cover_problem(all, big) == "");
  CHECK(describe_growth(big) == "");
  // (2^64 / 2^62)^1.3 = 6.06 chunks of equal cost: the seventh holds the remainder.
  CHECK(big.size() == 7);
}

// ---- Task 3 ------------------------------------------------------------------------------

TEST_CASE("start_chunks returns the first size in the search that feeds every worker", "[lab02][task3]") {
  for (const Range r : {Range{0, 1'000'000}, Range{1, 100}, Range{100'000'000, 101'000'000}}) {
    for (const unsigned workers : {1u, 2u, 3u, 8u, 64u}) {
      for (const double p : {1.3, 1.5}) {
        INFO("range " << r << ", workers " << workers << ", p " << p);
        const Chunks c = isolated([&] { return start_chunks(r, workers, p); });
        REQUIRE(describe_cover_problem(r, c) == "");
        CHECK(c.size() >= workers);
        CHECK(describe_growth(c) == "");
        // The search: first = size / i for i = 1, 2, ...; the first i that gives enough wins.
        // (One child runs the whole search: it calls chunks_power_law once per step.)
        const Chunks want = isolated([&] {
          Chunks found;
          for (std::uint64_t i = 1; i <= r.size(); ++i) {
            found = chunks_power_law(r, r.size() / i, p);
            if (found.size() >= workers) break;
          }
          return found;
        });
        CHECK(c == want);
      }
    }
  }
}

TEST_CASE("start_chunks with one worker is one chunk", "[lab02][task3]") {
  CHECK(isolated([] { return start_chunks(Range{3, 1000}, 1); }) == Chunks{{3, 1000}});
}

TEST_CASE("start_chunks with more workers than numbers gives single numbers", "[lab02][task3]") {
  CHECK(isolated([] { return start_chunks(Range{0, 1}, 4); }) == Chunks{{0, 1}});
  CHECK(isolated([] { return start_chunks(Range{100, 105}, 64); }) == Chunks{{100, 101}, {101, 102}, {102, 103}, {103, 104}, {104, 105}});
  const Range top{kMax - 3, kMax};
  CHECK(isolated([&] { return start_chunks(top, 10); }) == Chunks{{kMax - 3, kMax - 2}, {kMax - 2, kMax - 1}, {kMax - 1, kMax}});
}

TEST_CASE("start_chunks of an empty range is empty and zero workers is an error", "[lab02][task3]") {
  CHECK(isolated([] { return start_chunks(Range{8, 8}, 3); }).empty());
  CHECK_THROWS_AS(isolated([] { return start_chunks(Range{0, 100}, 0); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return start_chunks(Range{0, 100}, 0); }), ContainsSubstring("workers"));
  CHECK_THROWS_AS(isolated([] { return start_chunks(Range{0, 0}, 0); }), std::invalid_argument);
  CHECK_THROWS_AS(isolated([] { return start_chunks(Range{0, 100}, 2, 0.5); }), std::invalid_argument);
}

TEST_CASE("start_chunks near 2^63 splits into nearly equal chunks", "[lab02][task3]") {
  // Cost is flat there, so first = size / i gives i equal chunks: i = 4 is the answer.
  const Range r{k2to63, k2to63 + 12'000'000};
  const Chunks c = isolated([&] { return start_chunks(r, 4); });
  REQUIRE(describe_cover_problem(r, c) == "");
  CHECK(c.size() == 4);
  for (const Range& chunk : c) CHECK(chunk.size() == 3'000'000);
}
