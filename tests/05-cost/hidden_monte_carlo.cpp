// Lab 05, task 3: hidden tests for Monte Carlo pi and per-worker random streams. Every call
// into the student's code runs in a child process (parlab_test::isolated), and so does every
// leak check (it must look at the process the code ran in); the checks run here.
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

#include <nlohmann/json.hpp>

#include "../../labs/05-cost/tests/lab05_support.hpp"
#include "parlab/lab05/monte_carlo.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab05;
using lab05_test::BothEstimates;
using lab05_test::estimate_both;
using lab05_test::failure_of;
using lab05_test::Failure;
using lab05_test::worker_seed_of;
using lab05_test::worker_seeds;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

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

// What any correct estimate must contain, built from the student's own worker_seed
// (the stream seeds come from a child).
std::uint64_t expected_total(std::uint64_t samples, unsigned workers, std::uint64_t seed) {
  const std::vector<std::uint64_t> stream_seeds = worker_seeds(seed, workers);
  std::uint64_t total = 0;
  for (unsigned w = 0; w < workers; ++w) {
    total += expected_inside(worker_share(samples, workers, w), stream_seeds[w]);
  }
  return total;
}

// What the inherited-generator case looks at, from one child.
struct Streams {
  std::vector<std::vector<std::uint64_t>> inherited;  // draws_with_inherited_state(4, 64, 2024)
  std::vector<std::uint64_t> stream_seeds;            // worker_seed(2024, w), w = 0 .. 3
  std::vector<std::uint64_t> counts;                  // count_inside(1000, stream seed w)
  std::string leaks;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Streams, inherited, stream_seeds, counts, leaks)

// An estimate on processes, and what it left behind.
struct ProcessesRun {
  PiEstimate estimate;
  std::string leaks;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ProcessesRun, estimate, leaks)

std::string call(const char* fn, std::uint64_t samples, unsigned workers, std::uint64_t seed) {
  return std::string(fn) + "(" + std::to_string(samples) + ", " + std::to_string(workers) + ", " +
         std::to_string(seed) + ")";
}

}  // namespace

TEST_CASE("count_inside follows the stated recipe exactly", "[lab05][task3]") {
  for (const std::uint64_t seed : std::initializer_list<std::uint64_t>{0ULL, 1ULL, 42ULL, 0xdeadbeefULL, ~0ULL}) {
    for (const std::uint64_t samples : std::initializer_list<std::uint64_t>{0ULL, 1ULL, 2ULL, 1000ULL, 65537ULL}) {
      CAPTURE(seed, samples);
      CHECK(isolated([&] { return count_inside(samples, seed); }) == expected_inside(samples, seed));
    }
  }
}

TEST_CASE("worker_seed gives every seed and worker pair its own stream", "[lab05][task3]") {
  // 64 seeds x 64 workers: seed + worker and seed ^ worker both collide here.
  const std::vector<std::uint64_t> all = isolated([] {
    std::vector<std::uint64_t> seeds;
    for (std::uint64_t seed = 0; seed < 64; ++seed) {
      for (unsigned w = 0; w < 64; ++w) seeds.push_back(worker_seed(seed, w));
    }
    return seeds;
  });
  const std::set<std::uint64_t> seen(all.begin(), all.end());
  CHECK(seen.size() == 64 * 64);
  CHECK(worker_seed_of(0, 1) != worker_seed_of(1, 0));
  CHECK(worker_seed_of(~0ULL, 0) != worker_seed_of(0, 0));
}

TEST_CASE("the streams of different workers start with different numbers", "[lab05][task3]") {
  for (const std::uint64_t seed : std::initializer_list<std::uint64_t>{0ULL, 7ULL, 123456789ULL}) {
    std::set<std::uint64_t> firsts;
    std::set<std::uint64_t> seconds;
    for (const std::uint64_t stream_seed : worker_seeds(seed, 16)) {
      Rng rng(stream_seed);
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
      const BothEstimates both = estimate_both(samples, workers, seed);
      const PiEstimate& t = both.threads;
      const PiEstimate& p = both.processes;
      CHECK(t.samples == samples);
      CHECK(p.samples == samples);
      CHECK(t.workers == workers);
      CHECK(p.workers == workers);
      CHECK(t.inside == p.inside);
      CHECK(t.inside == expected_total(samples, workers, seed));
      CHECK(both.leaks == "");
    }
  }
}

TEST_CASE("one seed gives one answer on every run", "[lab05][task3]") {
  parlab_test::Watchdog watchdog(call("estimate_pi_processes", 50000, 3, 99) + " three times", 60s);
  // Each estimate in a child of its own: a run of its own.
  const PiEstimate first = isolated([] { return estimate_pi_processes(50000, 3, 99); });
  for (int run = 0; run < 2; ++run) {
    CHECK(isolated([] { return estimate_pi_processes(50000, 3, 99); }).inside == first.inside);
    CHECK(isolated([] { return estimate_pi_threads(50000, 3, 99); }).inside == first.inside);
  }
  CHECK(isolated([] { return estimate_pi_threads(50000, 3, 100); }).inside != first.inside);
}

TEST_CASE("pi is within 4 sigma on threads and on processes", "[lab05][task3]") {
  for (const std::uint64_t seed : std::initializer_list<std::uint64_t>{3ULL, 2718281828ULL}) {
    for (const unsigned workers : {1u, 2u, 4u}) {
      CAPTURE(seed, workers);
      parlab_test::Watchdog watchdog(call("estimate_pi", 1000000, workers, seed), 120s);
      const BothEstimates both = estimate_both(1000000, workers, seed);
      const PiEstimate& t = both.threads;
      const PiEstimate& p = both.processes;
      CHECK(std::abs(t.value() - std::numbers::pi) < 4 * t.sigma());
      CHECK(std::abs(p.value() - std::numbers::pi) < 4 * p.sigma());
    }
  }
}

TEST_CASE("more workers than samples still counts every sample once", "[lab05][task3]") {
  parlab_test::Watchdog watchdog(call("estimate_pi_processes", 3, 8, 5), 30s);
  const BothEstimates both = estimate_both(3, 8, 5);
  const PiEstimate& t = both.threads;
  const PiEstimate& p = both.processes;
  CHECK(t.inside == p.inside);
  CHECK(t.inside == expected_total(3, 8, 5));
  CHECK(t.inside <= 3);
  const ProcessesRun single = isolated([] {
    const parlab_test::ResourceSnapshot before;
    const PiEstimate estimate = estimate_pi_processes(1, 1, 0);
    return ProcessesRun{estimate, before.leaks()};
  });
  CHECK(single.estimate.inside == expected_inside(1, worker_seed_of(0, 0)));
  CHECK(both.leaks == "");
  CHECK(single.leaks == "");
}

TEST_CASE("estimates reject zero samples and zero workers on both transports", "[lab05][task3]") {
  // Each call and its leak check run in one child; message: the std::invalid_argument's what().
  const Failure threads_samples = failure_of<std::invalid_argument>([] { return estimate_pi_threads(0, 2, 1); });
  CHECK(threads_samples.message.has_value());
  CHECK_THAT(message_or_none(threads_samples), ContainsSubstring("samples"));
  const Failure processes_samples = failure_of<std::invalid_argument>([] { return estimate_pi_processes(0, 2, 1); });
  CHECK(processes_samples.message.has_value());
  CHECK_THAT(message_or_none(processes_samples), ContainsSubstring("samples"));
  const Failure threads_workers = failure_of<std::invalid_argument>([] { return estimate_pi_threads(100, 0, 1); });
  CHECK(threads_workers.message.has_value());
  CHECK_THAT(message_or_none(threads_workers), ContainsSubstring("workers"));
  const Failure processes_workers = failure_of<std::invalid_argument>([] { return estimate_pi_processes(100, 0, 1); });
  CHECK(processes_workers.message.has_value());
  CHECK_THAT(message_or_none(processes_workers), ContainsSubstring("workers"));
  CHECK(threads_samples.leaks + processes_samples.leaks + threads_workers.leaks + processes_workers.leaks == "");
}

TEST_CASE("children forked with one inherited generator all draw the same numbers unlike worker streams", "[lab05][task3]") {
  // The seed notebooks' warning: numpy's generator, seeded once before the pool forked,
  // gave every process the same stream. The given helper does exactly that on purpose.
  parlab_test::Watchdog watchdog("draws_with_inherited_state(4, 64, 2024)", 30s);
  const Streams seen = isolated([] {
    const parlab_test::ResourceSnapshot before;
    Streams streams;
    streams.inherited = draws_with_inherited_state(4, 64, 2024);
    for (unsigned w = 0; w < 4; ++w) streams.stream_seeds.push_back(worker_seed(2024, w));
    for (const std::uint64_t stream_seed : streams.stream_seeds) streams.counts.push_back(count_inside(1000, stream_seed));
    streams.leaks = before.leaks();
    return streams;
  });
  const auto& inherited = seen.inherited;
  REQUIRE(inherited.size() == 4);
  for (const auto& child : inherited) {
    CHECK(child.size() == 64);
    CHECK(child == inherited.front());
  }
  // The fix: every worker draws from the stream its (seed, worker) pair selects.
  std::set<std::vector<std::uint64_t>> streams;
  for (const std::uint64_t stream_seed : seen.stream_seeds) {
    Rng rng(stream_seed);
    std::vector<std::uint64_t> draws(64);
    for (auto& d : draws) d = rng.next();
    streams.insert(draws);
  }
  CHECK(streams.size() == 4);
  // And the workers' counts differ as well: four workers of one seed count differently.
  const std::set<std::uint64_t> counts(seen.counts.begin(), seen.counts.end());
  CHECK(counts.size() > 1);
  CHECK(seen.leaks == "");
}
