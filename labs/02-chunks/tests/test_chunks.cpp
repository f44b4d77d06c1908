// Lab 02, tasks 1-3: visible tests for equal chunks, power-law chunks and start_chunks.
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "parlab/lab02/chunks.hpp"
#include "parlab/lab02/schedule.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"

#include "lab02_support.hpp"

// Every call into the code you write runs through isolated(): in a child process that hands
// its result back, so that the checks run where your code does not.
using namespace parlab::lab02;
using parlab::Range;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;
using lab02_test::names_word;

namespace {

std::vector<std::uint64_t> sizes_of(const Chunks& c) {
  std::vector<std::uint64_t> out;
  for (const Range& r : c) out.push_back(r.size());
  return out;
}

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t k2to62 = std::uint64_t{1} << 62;

// "" if every chunk holds `size` numbers, else which one is the first that does not: a short
// sentence, where printing a wrong list of a million chunks would flood the screen.
std::string first_chunk_not_of_size(const Chunks& c, std::uint64_t size) {
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (c[i].size() != size) {
      return "chunk " + std::to_string(i) + " of " + std::to_string(c.size()) + " holds " +
             std::to_string(c[i].size()) + " numbers";
    }
  }
  return "";
}

bool non_increasing(const Chunks& c) {
  for (std::size_t i = 1; i < c.size(); ++i) {
    if (c[i].size() > c[i - 1].size()) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("chunks cuts 0 to 10 into sizes 4 4 2", "[lab02][task1]") {
  const Chunks c = isolated([] { return chunks(Range{0, 10}, 4); });
  CHECK(c == Chunks{{0, 4}, {4, 8}, {8, 10}});
}

TEST_CASE("chunks of an empty range is empty and size 0 is an error", "[lab02][task1]") {
  CHECK(isolated([] { return chunks(Range{5, 5}, 3); }).empty());
  CHECK_THROWS_AS(isolated([] { return chunks(Range{0, 10}, 0); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return chunks(Range{0, 10}, 0); }), ContainsSubstring("size"));
}

TEST_CASE("chunks checks the size even for an empty range and hi below lo is empty", "[lab02][task1]") {
  CHECK(isolated([] { return chunks(Range{10, 5}, 3); }).empty());
  CHECK_THROWS_AS(isolated([] { return chunks(Range{5, 5}, 0); }), std::invalid_argument);
}

TEST_CASE("a chunk size beyond the range gives the whole range as one chunk", "[lab02][task1]") {
  CHECK(isolated([] { return chunks(Range{3, 10}, 100); }) == Chunks{{3, 10}});
}

TEST_CASE("chunks at the top of the 64-bit range end exactly at hi", "[lab02][task1]") {
  // lo + size does not fit in 64 bits here: compute min(size, hi - lo) instead.
  CHECK(isolated([] { return chunks(Range{kMax - 10, kMax}, 4); }) ==
        Chunks{{kMax - 10, kMax - 6}, {kMax - 6, kMax - 2}, {kMax - 2, kMax}});
  CHECK(isolated([] { return chunks(Range{kMax - 10, kMax}, kMax); }) == Chunks{{kMax - 10, kMax}});
}

TEST_CASE("power law chunks for p = 2 follow the equal-cost recurrence", "[lab02][task2]") {
  // W(x) = x^2. After [100, 200): (200 + t)^2 - 200^2 = 200^2 - 100^2 gives t = 64.6, so 65.
  // After [200, 265): (265 + t)^2 - 265^2 = 265^2 - 200^2 gives t = 51.9, so 52.
  const Range r{100, 1000};
  const Chunks c = isolated([&] { return chunks_power_law(r, 100, 2.0); });
  REQUIRE(c.size() >= 3);
  CHECK(c[0] == Range{100, 200});
  CHECK(c[1] == Range{200, 265});
  CHECK(c[2] == Range{265, 317});
  CHECK(describe_cover_problem(r, c) == "");
}

TEST_CASE("power law chunks with a first size beyond the range are one chunk", "[lab02][task2]") {
  CHECK(isolated([] { return chunks_power_law(Range{0, 10}, 50); }) == Chunks{{0, 10}});
}

TEST_CASE("power law chunks check first and p even for an empty range", "[lab02][task2]") {
  CHECK(isolated([] { return chunks_power_law(Range{7, 7}, 3); }).empty());
  CHECK_THROWS_WITH(isolated([] { return chunks_power_law(Range{0, 10}, 0); }), ContainsSubstring("first"));
  CHECK_THROWS_AS(isolated([] { return chunks_power_law(Range{7, 7}, 0); }), std::invalid_argument);
  CHECK_THROWS_AS(isolated([] { return chunks_power_law(Range{0, 10}, 3, std::numeric_limits<double>::quiet_NaN()); }),
                  std::invalid_argument);
  CHECK_THROWS_AS(isolated([] { return chunks_power_law(Range{0, 10}, 3, std::numeric_limits<double>::infinity()); }),
                  std::invalid_argument);
}

TEST_CASE("power law chunks just above 2^62 all hold the first size", "[lab02][task2]") {
  // 2^62 + 2^26 is only 1 + 2^-36 times 2^62: every number there costs the same to 11
  // digits, so each chunk holds 2^20 numbers. Computing b^1.3 (about 2^80) directly keeps
  // too few digits and gets sizes off by hundreds.
  const Range r{k2to62, k2to62 + (std::uint64_t{1} << 26)};
  const Chunks c = isolated([&] { return chunks_power_law(r, std::uint64_t{1} << 20); });
  CHECK(first_chunk_not_of_size(c, std::uint64_t{1} << 20) == "");
  CHECK(c.size() == 64);
}

TEST_CASE("power law chunks of 1 to 100 shrink and cover the range", "[lab02][task2]") {
  const Range r{1, 100};
  const Chunks c = isolated([&] { return chunks_power_law(r, 50); });
  CHECK(describe_cover_problem(r, c) == "");
  REQUIRE(!c.empty());
  CHECK(c.front() == Range{1, 51});
  CHECK(non_increasing(c));
}

TEST_CASE("power law chunks with p = 1 are equal chunks", "[lab02][task2]") {
  const Range r{0, 1000};
  CHECK(isolated([&] { return chunks_power_law(r, 300, 1.0); }) == isolated([&] { return chunks(r, 300); }));
}

TEST_CASE("power law chunks never hold 0 numbers: first 1 with p = 2 gives single numbers", "[lab02][task2]") {
  // Promise: t is kept between 1 and b - a. After [0, 1) the equation (1 + t)^2 - 1 = 1 gives
  // t = 0.41, which rounds to 0: the chunk must still hold 1 number, and so must every next.
  CHECK(isolated([] { return chunks_power_law(Range{0, 5}, 1, 2.0); }) ==
        Chunks{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}});
}

TEST_CASE("power law chunks at the top of the 64-bit range end exactly at hi", "[lab02][task2]") {
  // Promise: any range inside [0, 2^64 - 1] works, and the last chunk is cut at r.hi. Near
  // 2^64 the cost is flat, so the chunks are 4, 4 and the 2 numbers left.
  CHECK(isolated([] { return chunks_power_law(Range{kMax - 10, kMax}, 4); }) ==
        Chunks{{kMax - 10, kMax - 6}, {kMax - 6, kMax - 2}, {kMax - 2, kMax}});
}

TEST_CASE("power law chunks name p in the message for a bad exponent", "[lab02][task2]") {
  // Promise: the message names the bad argument by its parameter name, as a word of its own
  // ("... p must be ..."), so that the caller knows which argument to fix.
  CHECK_THROWS_WITH(isolated([] { return chunks_power_law(Range{0, 10}, 3, 0.5); }), names_word("p"));
  CHECK_THROWS_WITH(isolated([] { return start_chunks(Range{0, 10}, 2, 0.5); }), names_word("p"));
}

TEST_CASE("power law chunks reject a first size of 0 and p below 1", "[lab02][task2]") {
  CHECK_THROWS_AS(isolated([] { return chunks_power_law(Range{0, 10}, 0); }), std::invalid_argument);
  CHECK_THROWS_AS(isolated([] { return chunks_power_law(Range{0, 10}, 5, 0.5); }), std::invalid_argument);
}

TEST_CASE("start_chunks gives every worker at least one chunk", "[lab02][task3]") {
  const Range r{0, 1'000'000};
  for (const unsigned workers : {1u, 2u, 8u}) {
    const Chunks c = isolated([&] { return start_chunks(r, workers); });
    CHECK(describe_cover_problem(r, c) == "");
    CHECK(c.size() >= workers);
    CHECK(non_increasing(c));
  }
}

TEST_CASE("start_chunks with more workers than numbers gives one chunk per number", "[lab02][task3]") {
  CHECK(sizes_of(isolated([] { return start_chunks(Range{10, 13}, 8); })) == std::vector<std::uint64_t>{1, 1, 1});
}

TEST_CASE("start_chunks for 4 workers over 0 to 1000 stops the search at first = 333", "[lab02][task3]") {
  // first = 1000 gives 1 chunk, first = 500 gives 3 (fewer than 4 workers), first = 333
  // gives 5: the search stops there.
  const Range r{0, 1000};
  const Chunks c = isolated([&] { return start_chunks(r, 4); });
  CHECK(c == Chunks{{0, 333}, {333, 568}, {568, 776}, {776, 968}, {968, 1000}});
  CHECK(c == isolated([&] { return chunks_power_law(r, 333); }));
  CHECK(isolated([&] { return start_chunks(r, 2); }) == isolated([&] { return chunks_power_law(r, 500); }));
}

TEST_CASE("start_chunks checks workers and p before looking at the range", "[lab02][task3]") {
  CHECK(isolated([] { return start_chunks(Range{4, 4}, 2); }).empty());
  CHECK_THROWS_WITH(isolated([] { return start_chunks(Range{0, 100}, 0); }), ContainsSubstring("workers"));
  CHECK_THROWS_AS(isolated([] { return start_chunks(Range{4, 4}, 0); }), std::invalid_argument);
  CHECK_THROWS_AS(isolated([] { return start_chunks(Range{0, 100}, 2, 0.9); }), std::invalid_argument);
}
