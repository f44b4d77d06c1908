// Lab 05, task 3: hidden tests for Monte Carlo pi and per-worker random streams.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <numbers>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "parlab/lab05/monte_carlo.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab05;
using parlab_test::ContainsSubstring;

namespace {

// An independent count, written from the header's contract (x first, then y, <= 1).
std::uint64_t expected_inside(std::uint64_t samples, std::uint64_t stream_seed) {
  Rng rng(stream_seed);
  std::uint64_t inside = 0;
  for (std::uint64_t i = 0; i < samples; ++i) {
    const double x = rng.uniform();
    const double y = rng.uniform();
    if (x * x + y * y <= 1.0) ++inside;
  }
  return inside;
}

// What any correct estimate must contain, built from the student's own worker_seed.
std::uint64_t expected_total(std::uint64_t samples, unsigned workers, std::uint64_t seed) {
  std::uint64_t total = 0;
  for (unsigned w = 0; w < workers; ++w) {
    total += expected_inside(worker_share(samples, workers, w), worker_seed(seed, w));
  }
  return total;
}

std::string call(const char* fn, std::uint64_t samples, unsigned workers, std::uint64_t seed) {
  return std::string(fn) + "(" + std::to_string(samples) + ", " + std::to_string(workers) + ", " +
         std::to_string(seed) + ")";
}

}  // namespace

TEST_CASE("count_inside follows the stated recipe exactly", "[lab05][task3]") {
  for (const std::uint64_t seed : std::initializer_list<std::uint64_t>{0ULL, 1ULL, 42ULL, 0xdeadbeefULL, ~0ULL}) {
    for (const std::uint64_t samples : std::initializer_list<std::uint64_t>{0ULL, 1ULL, 2ULL, 1000ULL, 65537ULL}) {
      CAPTURE(seed, samples);
      CHECK(count_inside(samples, seed) == expected_inside(samples, seed));
    }
  }
}

TEST_CASE("worker_seed gives every seed and worker pair its own stream", "[lab05][task3]") {
  // 64 seeds x 64 workers: seed + worker and seed ^ worker both collide here.
  std::set<std::uint64_t> seen;
  for (std::uint64_t seed = 0; seed < 64; ++seed) {
    for (unsigned w = 0; w < 64; ++w) seen.insert(worker_seed(seed, w));
  }
  CHECK(seen.size() == 64 * 64);
  CHECK(worker_seed(0, 1) != worker_seed(1, 0));
  CHECK(worker_seed(~0ULL, 0) != worker_seed(0, 0));
}

TEST_CASE("the streams of different workers start with different numbers", "[lab05][task3]") {
  for (const std::uint64_t seed : std::initializer_list<std::uint64_t>{0ULL, 7ULL, 123456789ULL}) {
    std::set<std::uint64_t> firsts;
    std::set<std::uint64_t> seconds;
    for (unsigned w = 0; w < 16; ++w) {
      Rng rng(worker_seed(seed, w));
      firsts.insert(rng.next());
      seconds.insert(rng.next());
    }
    CAPTURE(seed);
    CHECK(firsts.size() == 16);
    CHECK(seconds.size() == 16);
  }
}

TEST_CASE("threads and processes agree exactly for every seed and worker count", "[lab05][task3]") {
  for (const std::uint64_t seed : std::initializer_list<std::uint64_t>{0ULL, 1ULL, 42ULL, ~0ULL}) {
    for (const unsigned workers : {1u, 2u, 3u, 5u, 8u}) {
      const std::uint64_t samples = 10007;
      CAPTURE(seed, workers);
      parlab_test::Watchdog watchdog(call("estimate_pi_processes", samples, workers, seed), 60s);
      const parlab_test::ResourceSnapshot before;
      const PiEstimate t = estimate_pi_threads(samples, workers, seed);
      const PiEstimate p = estimate_pi_processes(samples, workers, seed);
      CHECK(t.samples == samples);
      CHECK(p.samples == samples);
      CHECK(t.workers == workers);
      CHECK(p.workers == workers);
      CHECK(t.inside == p.inside);
      CHECK(t.inside == expected_total(samples, workers, seed));
      CHECK(before.leaks() == "");
    }
  }
}

TEST_CASE("one seed gives one answer on every run", "[lab05][task3]") {
  parlab_test::Watchdog watchdog(call("estimate_pi_processes", 50000, 3, 99) + " three times", 60s);
  const PiEstimate first = estimate_pi_processes(50000, 3, 99);
  for (int run = 0; run < 2; ++run) {
    CHECK(estimate_pi_processes(50000, 3, 99).inside == first.inside);
    CHECK(estimate_pi_threads(50000, 3, 99).inside == first.inside);
  }
  CHECK(estimate_pi_threads(50000, 3, 100).inside != first.inside);
}

TEST_CASE("pi is within 4 sigma on threads and on processes", "[lab05][task3]") {
  for (const std::uint64_t seed : std::initializer_list<std::uint64_t>{3ULL, 2718281828ULL}) {
    for (const unsigned workers : {1u, 2u, 4u}) {
      CAPTURE(seed, workers);
      parlab_test::Watchdog watchdog(call("estimate_pi", 1000000, workers, seed), 120s);
      const PiEstimate t = estimate_pi_threads(1000000, workers, seed);
      const PiEstimate p = estimate_pi_processes(1000000, workers, seed);
      CHECK(std::abs(t.value() - std::numbers::pi) < 4 * t.sigma());
      CHECK(std::abs(p.value() - std::numbers::pi) < 4 * p.sigma());
    }
  }
}

TEST_CASE("more workers than samples still counts every sample once", "[lab05][task3]") {
  parlab_test::Watchdog watchdog(call("estimate_pi_processes", 3, 8, 5), 30s);
  const parlab_test::ResourceSnapshot before;
  const PiEstimate t = estimate_pi_threads(3, 8, 5);
  const PiEstimate p = estimate_pi_processes(3, 8, 5);
  CHECK(t.inside == p.inside);
  CHECK(t.inside == expected_total(3, 8, 5));
  CHECK(t.inside <= 3);
  const PiEstimate single = estimate_pi_processes(1, 1, 0);
  CHECK(single.inside == expected_inside(1, worker_seed(0, 0)));
  CHECK(before.leaks() == "");
}

TEST_CASE("estimates reject zero samples and zero workers on both transports", "[lab05][task3]") {
  const parlab_test::ResourceSnapshot before;
  CHECK_THROWS_AS(estimate_pi_threads(0, 2, 1), std::invalid_argument);
  CHECK_THROWS_WITH(estimate_pi_threads(0, 2, 1), ContainsSubstring("samples"));
  CHECK_THROWS_AS(estimate_pi_processes(0, 2, 1), std::invalid_argument);
  CHECK_THROWS_WITH(estimate_pi_processes(0, 2, 1), ContainsSubstring("samples"));
  CHECK_THROWS_AS(estimate_pi_threads(100, 0, 1), std::invalid_argument);
  CHECK_THROWS_WITH(estimate_pi_threads(100, 0, 1), ContainsSubstring("workers"));
  CHECK_THROWS_AS(estimate_pi_processes(100, 0, 1), std::invalid_argument);
  CHECK_THROWS_WITH(estimate_pi_processes(100, 0, 1), ContainsSubstring("workers"));
  CHECK(before.leaks() == "");
}

TEST_CASE("children forked with one inherited generator all draw the same numbers unlike worker streams", "[lab05][task3]") {
  // The seed notebooks' warning: numpy's generator, seeded once before the pool forked,
  // gave every process the same stream. The given helper does exactly that on purpose.
  parlab_test::Watchdog watchdog("draws_with_inherited_state(4, 64, 2024)", 30s);
  const parlab_test::ResourceSnapshot before;
  const auto inherited = draws_with_inherited_state(4, 64, 2024);
  REQUIRE(inherited.size() == 4);
  for (const auto& child : inherited) {
    CHECK(child.size() == 64);
    CHECK(child == inherited.front());
  }
  // The fix: every worker draws from the stream its (seed, worker) pair selects.
  std::set<std::vector<std::uint64_t>> streams;
  for (unsigned w = 0; w < 4; ++w) {
    Rng rng(worker_seed(2024, w));
    std::vector<std::uint64_t> draws(64);
    for (auto& d : draws) d = rng.next();
    streams.insert(draws);
  }
  CHECK(streams.size() == 4);
  // And the workers' counts differ as well: four workers of one seed count differently.
  std::set<std::uint64_t> counts;
  for (unsigned w = 0; w < 4; ++w) counts.insert(count_inside(1000, worker_seed(2024, w)));
  CHECK(counts.size() > 1);
  CHECK(before.leaks() == "");
}
