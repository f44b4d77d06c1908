// Lab 02, tasks 4 and 5: visible tests for equal-cost partitions and the guided schedule.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "parlab/lab02/chunks.hpp"
#include "parlab/lab02/schedule.hpp"
#include "parlab/primes.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/sieve.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab02;
using parlab::Range;
using parlab_test::ContainsSubstring;

TEST_CASE("equal cost chunks for cost x^0.5 all cost the same", "[lab02][task4]") {
  const Range r{0, 1'000'000};
  const Chunks c = chunks_equal_cost(r, 4, 0.5);
  REQUIRE(describe_cover_problem(r, c) == "");
  REQUIRE(c.size() == 4);
  const PowerLawCost cost{0.5};
  for (const Range& chunk : c) CHECK(std::abs(cost(chunk) / cost(c[0]) - 1.0) < 1e-4);
  // The later chunks hold fewer numbers, because each number there costs more.
  CHECK(c[0].size() > c[3].size());
}

TEST_CASE("equal cost chunks balance two simulated workers", "[lab02][task4]") {
  const Range r{0, 10'000'000};
  const Chunks c = chunks_equal_cost(r, 2, 0.5);
  const Simulation sim = simulate(c, 2, PowerLawCost{0.5});
  CHECK(sim.imbalance < 1.001);
  CHECK_THROWS_AS(chunks_equal_cost(r, 0, 0.5), std::invalid_argument);
}

TEST_CASE("guided chunks of 0 to 100 for 4 workers with min 5", "[lab02][task5]") {
  const Chunks c = chunks_guided(Range{0, 100}, 4, 5);
  std::vector<std::uint64_t> sizes;
  for (const Range& chunk : c) sizes.push_back(chunk.size());
  CHECK(sizes == std::vector<std::uint64_t>{25, 19, 14, 11, 8, 6, 5, 5, 5, 2});
  CHECK_THROWS_WITH(chunks_guided(Range{0, 100}, 4, 0), ContainsSubstring("min"));
}

TEST_CASE("guided chunks run on three threads count every prime once", "[lab02][task5]") {
  parlab_test::Watchdog watchdog("execute(chunks_guided(0..200000, 3, 100), 3 threads)", 30s);
  const Range r{0, 200'000};
  const Chunks c = chunks_guided(r, 3, 100);
  const Execution run = execute(c, 3, [](Range chunk) {
    return static_cast<std::uint64_t>(parlab::primes_in(chunk).size());
  });
  CHECK(run.total == parlab_test::sieve_primes_below(200'000).size());
  CHECK(run.chunks_run() == c.size());
}
