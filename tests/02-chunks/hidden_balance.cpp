// Lab 02: hidden tests of how well each scheme balances the work, judged by the given
// scheduling simulator under the cost model "one number x costs x^0.5". The simulator
// is deterministic, so these thresholds never depend on the machine's load.
#include <cstdint>
#include <vector>

#include "parlab/lab02/chunks.hpp"
#include "parlab/lab02/schedule.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"

#include "../../labs/02-chunks/tests/lab02_support.hpp"

using namespace parlab::lab02;
using parlab::Range;
using parlab_test::isolated;

namespace {

constexpr Range kRange{0, 10'000'000};
const PowerLawCost kTrialDivision{0.5};

double simulated(const Chunks& c, unsigned workers, Assignment a = Assignment::dynamic) {
  return simulate(c, workers, kTrialDivision, a).imbalance;
}

}  // namespace

TEST_CASE("balance of equal static chunks shows the problem and small dynamic chunks fix most of it",
          "[lab02][task1]") {
  // One chunk per worker: the last worker gets the most expensive numbers.
  // Cost of [0, n/2) against [n/2, n) under x^0.5 is 0.354 : 0.646, so max/mean = 1.29.
  const Chunks halves = isolated([] { return chunks(kRange, kRange.size() / 2); });
  CHECK(simulated(halves, 2, Assignment::blocks) > 1.29);
  CHECK(simulated(halves, 2, Assignment::blocks) < 1.30);
  const Chunks small = isolated([] { return chunks(kRange, kRange.size() / 64); });
  CHECK(simulated(small, 2) < 1.02);
  CHECK(simulated(small, 4) < 1.05);
}

TEST_CASE("balance of power law chunks with a small first chunk", "[lab02][task2]") {
  CHECK(simulated(isolated([] { return chunks_power_law(kRange, kRange.size() / 16); }), 2) < 1.02);
  // With the model's own exponent (total cost x^1.5) every chunk costs the same: four
  // chunks on two or four workers are perfectly balanced, except for the leftover chunk.
  const Chunks c = isolated([] { return chunks_power_law(kRange, 3'968'503, 1.5); });  // 10^7 * (1/4)^(2/3), rounded
  CHECK(c.size() <= 5);
  CHECK(simulated(c, 4) < 1.01);
}

TEST_CASE("balance of start_chunks with several chunks per worker", "[lab02][task3]") {
  CHECK(simulated(isolated([] { return start_chunks(kRange, 4 * 2); }), 2) < 1.03);
  CHECK(simulated(isolated([] { return start_chunks(kRange, 8 * 8, 1.5); }), 8) < 1.02);
}

TEST_CASE("balance of equal cost chunks is perfect under their own model", "[lab02][task4]") {
  for (const unsigned workers : {2u, 3u, 4u, 8u}) {
    INFO("workers " << workers);
    CHECK(simulated(isolated([&] { return chunks_equal_cost(kRange, workers, 0.5); }), workers, Assignment::blocks) < 1.001);
    CHECK(simulated(isolated([&] { return chunks_equal_cost(kRange, 4 * workers, 0.5); }), workers) < 1.001);
  }
}

TEST_CASE("balance of equal cost chunks with more workers than numbers", "[lab02][task4]") {
  const Chunks c = isolated([] { return chunks_equal_cost(Range{0, 3}, 8, 0.5); });
  REQUIRE(c.size() == 3);
  const Simulation sim = simulate(c, 8, kTrialDivision);
  unsigned busy = 0;
  for (const SimulatedWorker& w : sim.workers) busy += w.chunks.empty() ? 0U : 1U;
  CHECK(busy == 3);
}

TEST_CASE("balance of the guided schedule", "[lab02][task5]") {
  for (const unsigned workers : {2u, 4u, 8u}) {
    INFO("workers " << workers);
    CHECK(simulated(isolated([&] { return chunks_guided(kRange, workers, kRange.size() / 1000); }), workers) < 1.01);
  }
  const Chunks tiny = isolated([] { return chunks_guided(Range{0, 5}, 8, 1); });
  REQUIRE(tiny.size() == 5);
  CHECK(simulate(tiny, 8, kTrialDivision).workers[7].chunks.empty());
}
