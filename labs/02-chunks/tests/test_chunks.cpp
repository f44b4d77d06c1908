// Lab 02, tasks 1-3: visible tests for equal chunks, power-law chunks and start_chunks.
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "parlab/lab02/chunks.hpp"
#include "parlab/lab02/schedule.hpp"
#include "parlab_test/catch.hpp"

using namespace parlab::lab02;
using parlab::Range;
using parlab_test::ContainsSubstring;

namespace {

std::vector<std::uint64_t> sizes_of(const Chunks& c) {
  std::vector<std::uint64_t> out;
  for (const Range& r : c) out.push_back(r.size());
  return out;
}

bool non_increasing(const Chunks& c) {
  for (std::size_t i = 1; i < c.size(); ++i) {
    if (c[i].size() > c[i - 1].size()) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("chunks cuts 0 to 10 into sizes 4 4 2", "[lab02][task1]") {
  const Chunks c = chunks(Range{0, 10}, 4);
  CHECK(c == Chunks{{0, 4}, {4, 8}, {8, 10}});
}

TEST_CASE("chunks of an empty range is empty and size 0 is an error", "[lab02][task1]") {
  CHECK(chunks(Range{5, 5}, 3).empty());
  CHECK_THROWS_AS(chunks(Range{0, 10}, 0), std::invalid_argument);
  CHECK_THROWS_WITH(chunks(Range{0, 10}, 0), ContainsSubstring("size"));
}

TEST_CASE("power law chunks of 1 to 100 shrink and cover the range", "[lab02][task2]") {
  const Range r{1, 100};
  const Chunks c = chunks_power_law(r, 50);
  CHECK(describe_cover_problem(r, c) == "");
  REQUIRE(!c.empty());
  CHECK(c.front() == Range{1, 51});
  CHECK(non_increasing(c));
}

TEST_CASE("power law chunks with p = 1 are equal chunks", "[lab02][task2]") {
  const Range r{0, 1000};
  CHECK(chunks_power_law(r, 300, 1.0) == chunks(r, 300));
}

TEST_CASE("power law chunks reject a first size of 0 and p below 1", "[lab02][task2]") {
  CHECK_THROWS_AS(chunks_power_law(Range{0, 10}, 0), std::invalid_argument);
  CHECK_THROWS_AS(chunks_power_law(Range{0, 10}, 5, 0.5), std::invalid_argument);
}

TEST_CASE("start_chunks gives every worker at least one chunk", "[lab02][task3]") {
  const Range r{0, 1'000'000};
  for (const unsigned workers : {1u, 2u, 8u}) {
    const Chunks c = start_chunks(r, workers);
    CHECK(describe_cover_problem(r, c) == "");
    CHECK(c.size() >= workers);
    CHECK(non_increasing(c));
  }
}

TEST_CASE("start_chunks with more workers than numbers gives one chunk per number", "[lab02][task3]") {
  CHECK(sizes_of(start_chunks(Range{10, 13}, 8)) == std::vector<std::uint64_t>{1, 1, 1});
}
