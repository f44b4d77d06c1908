// Lab 02, tasks 4 and 5: visible tests for equal-cost partitions and the guided schedule.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
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

#include "lab02_support.hpp"

// Every call into the code you write runs through isolated(): in a child process that hands
// its result back, so that the checks run where your code does not.
using namespace std::chrono_literals;
using namespace parlab::lab02;
using parlab::Range;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;
using lab02_test::names_word;

namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

std::vector<std::uint64_t> sizes_of(const Chunks& c) {
  std::vector<std::uint64_t> out;
  for (const Range& r : c) out.push_back(r.size());
  return out;
}

}  // namespace

TEST_CASE("equal cost chunks for cost x^0.5 all cost the same", "[lab02][task4]") {
  const Range r{0, 1'000'000};
  const Chunks c = isolated([&] { return chunks_equal_cost(r, 4, 0.5); });
  REQUIRE(describe_cover_problem(r, c) == "");
  REQUIRE(c.size() == 4);
  const PowerLawCost cost{0.5};
  for (const Range& chunk : c) CHECK(std::abs(cost(chunk) / cost(c[0]) - 1.0) < 1e-4);
  // The later chunks hold fewer numbers, because each number there costs more.
  CHECK(c[0].size() > c[3].size());
}

TEST_CASE("equal cost chunks balance two simulated workers", "[lab02][task4]") {
  const Range r{0, 10'000'000};
  const Chunks c = isolated([&] { return chunks_equal_cost(r, 2, 0.5); });
  const Simulation sim = simulate(c, 2, PowerLawCost{0.5});
  CHECK(sim.imbalance < 1.001);
  CHECK_THROWS_AS(isolated([&] { return chunks_equal_cost(r, 0, 0.5); }), std::invalid_argument);
}

TEST_CASE("equal cost chunks of 0 to 1000 for cost x split at 500 707 866", "[lab02][task4]") {
  // q = 1: W(x) = x^2, so border j is 1000 * sqrt(j / 4), rounded to the nearest integer.
  CHECK(isolated([] { return chunks_equal_cost(Range{0, 1000}, 4, 1.0); }) == Chunks{{0, 500}, {500, 707}, {707, 866}, {866, 1000}});
}

TEST_CASE("equal cost chunks of 100 to 200 for cost x split at 158", "[lab02][task4]") {
  // W(x) = x^2: the border x solves x^2 = (100^2 + 200^2) / 2 = 25000, so x = 158.1.
  CHECK(isolated([] { return chunks_equal_cost(Range{100, 200}, 2, 1.0); }) == Chunks{{100, 158}, {158, 200}});
}

TEST_CASE("equal cost chunks with q = 0 are equal chunks", "[lab02][task4]") {
  const Range r{0, 1000};
  CHECK(isolated([&] { return chunks_equal_cost(r, 4, 0.0); }) == isolated([&] { return chunks(r, 250); }));
}

TEST_CASE("equal cost chunks of 3 numbers in 8 parts are 3 single numbers", "[lab02][task4]") {
  CHECK(isolated([] { return chunks_equal_cost(Range{10, 13}, 8, 0.5); }) == Chunks{{10, 11}, {11, 12}, {12, 13}});
}

TEST_CASE("equal cost chunks just above 2^62 where the cost is flat are equal", "[lab02][task4]") {
  // x^1.5 is about 2^93 there: W(hi) - W(lo) computed directly loses every digit of the
  // difference, while the distances from lo come out exactly 250, 500, 750.
  const Range r{std::uint64_t{1} << 62, (std::uint64_t{1} << 62) + 1000};
  CHECK(isolated([&] { return chunks_equal_cost(r, 4, 0.5); }) == isolated([&] { return chunks(r, 250); }));
}

TEST_CASE("equal cost chunks check k and q even for an empty range", "[lab02][task4]") {
  CHECK(isolated([] { return chunks_equal_cost(Range{9, 9}, 4, 0.5); }).empty());
  CHECK_THROWS_AS(isolated([] { return chunks_equal_cost(Range{9, 9}, 0, 0.5); }), std::invalid_argument);
  CHECK_THROWS_AS(isolated([] { return chunks_equal_cost(Range{0, 100}, 4, -1.0); }), std::invalid_argument);
  CHECK_THROWS_AS(isolated([] { return chunks_equal_cost(Range{0, 100}, 4, std::numeric_limits<double>::infinity()); }),
                  std::invalid_argument);
}

TEST_CASE("equal cost chunks move borders that round to the same number apart", "[lab02][task4]") {
  // Promise: exactly min(k, r.size()) chunks, every one holding at least one number. For
  // cost x^3 over 0 to 10 the 8 borders 10 * (j / 8)^(1/4) crowd near 10 (5.9, 7.1, 7.8, 8.4,
  // 8.9, 9.3, 9.7): several round to the same integer, and must be moved so that no chunk
  // is empty.
  const Range r{0, 10};
  const Chunks c = isolated([&] { return chunks_equal_cost(r, 8, 3.0); });
  CHECK(describe_cover_problem(r, c) == "");
  CHECK(c.size() == 8);
}

TEST_CASE("equal cost chunks at the top of the 64-bit range end exactly at hi", "[lab02][task4]") {
  // Promise: any range inside [0, 2^64 - 1] works. Near 2^64 the cost is flat, so 4 chunks
  // of 1000 numbers hold 250 each, the last one ending at hi.
  const Range r{kMax - 1000, kMax};
  CHECK(isolated([&] { return chunks_equal_cost(r, 4, 0.5); }) == isolated([&] { return chunks(r, 250); }));
}

TEST_CASE("equal cost chunks name k or q in the message and reject a NaN q", "[lab02][task4]") {
  // Promise: a bad argument throws std::invalid_argument whose message names it ("... k must
  // be ...", "... q must be ..."); q must be a finite number, so NaN is refused too.
  CHECK_THROWS_WITH(isolated([] { return chunks_equal_cost(Range{0, 100}, 0, 0.5); }), names_word("k"));
  CHECK_THROWS_WITH(isolated([] { return chunks_equal_cost(Range{0, 100}, 4, -0.5); }), names_word("q"));
  CHECK_THROWS_AS(isolated([] { return chunks_equal_cost(Range{0, 100}, 4, std::numeric_limits<double>::quiet_NaN()); }),
                  std::invalid_argument);
}

TEST_CASE("guided chunks of 0 to 100 for 4 workers with min 5", "[lab02][task5]") {
  const Chunks c = isolated([] { return chunks_guided(Range{0, 100}, 4, 5); });
  CHECK(sizes_of(c) == std::vector<std::uint64_t>{25, 19, 14, 11, 8, 6, 5, 5, 5, 2});
  CHECK_THROWS_WITH(isolated([] { return chunks_guided(Range{0, 100}, 4, 0); }), ContainsSubstring("min"));
}

TEST_CASE("guided chunks run on three threads count every prime once", "[lab02][task5]") {
  parlab_test::Watchdog watchdog("execute(chunks_guided(0..200000, 3, 100), 3 threads)", 30s);
  const Range r{0, 200'000};
  const Chunks c = isolated([&] { return chunks_guided(r, 3, 100); });
  // execute() is given code: it may run here.
  const Execution run = execute(c, 3, [](Range chunk) {
    return static_cast<std::uint64_t>(parlab::primes_in(chunk).size());
  });
  CHECK(run.total == parlab_test::sieve_primes_below(200'000).size());
  CHECK(run.chunks_run() == c.size());
}

TEST_CASE("guided chunks with one worker or a min beyond the range are one chunk", "[lab02][task5]") {
  CHECK(isolated([] { return chunks_guided(Range{7, 70}, 1, 1); }) == Chunks{{7, 70}});
  CHECK(isolated([] { return chunks_guided(Range{7, 70}, 3, 63); }) == Chunks{{7, 70}});
}

TEST_CASE("guided chunks at the top of the 64-bit range match those at 0", "[lab02][task5]") {
  // Only the count of numbers left matters, not where they are.
  const Chunks top = isolated([] { return chunks_guided(Range{kMax - 100, kMax}, 4, 5); });
  CHECK(describe_cover_problem(Range{kMax - 100, kMax}, top) == "");
  CHECK(sizes_of(top) == sizes_of(isolated([] { return chunks_guided(Range{0, 100}, 4, 5); })));
}

TEST_CASE("guided chunks of the whole 64-bit range start with half of it", "[lab02][task5]") {
  // ceil((2^64 - 1) / 2) = 2^63. Written as (remaining + workers - 1) / workers the sum
  // wraps around to 0, and the first chunk would be min = 2^62 instead.
  const Range all{0, kMax};
  const std::uint64_t min = std::uint64_t{1} << 62;
  const Chunks c = isolated([&] { return chunks_guided(all, 2, min); });
  CHECK(describe_cover_problem(all, c) == "");
  CHECK(sizes_of(c) == std::vector<std::uint64_t>{std::uint64_t{1} << 63, min, min - 1});
}

TEST_CASE("guided chunks check workers even for an empty range", "[lab02][task5]") {
  CHECK(isolated([] { return chunks_guided(Range{9, 1}, 4, 1); }).empty());
  CHECK_THROWS_WITH(isolated([] { return chunks_guided(Range{0, 100}, 0, 1); }), ContainsSubstring("workers"));
  CHECK_THROWS_AS(isolated([] { return chunks_guided(Range{3, 3}, 0, 1); }), std::invalid_argument);
}
