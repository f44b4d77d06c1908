// Lab 05, task 3: visible tests for Monte Carlo pi.
//
// Every call into your code runs in a child process (parlab_test::isolated), which hands
// back what it returned or threw; the checks run here, on that result.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "lab05_support.hpp"
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

TEST_CASE("threads and processes give the same pi for one seed and it is close to pi", "[lab05][task3]") {
  parlab_test::Watchdog watchdog("estimate_pi_threads/processes(200000, 2, 7)", 60s);
  const BothEstimates both = estimate_both(200000, 2, 7);
  const PiEstimate& t = both.threads;
  const PiEstimate& p = both.processes;
  CHECK(t.samples == 200000);
  CHECK(t.workers == 2);
  CHECK(t.inside == p.inside);
  CHECK(std::abs(t.value() - std::numbers::pi) < 4 * t.sigma());
}

TEST_CASE("each worker gets its own stream seed", "[lab05][task3]") {
  const std::vector<std::uint64_t> four = worker_seeds(2024, 4);
  const std::set<std::uint64_t> seeds(four.begin(), four.end());
  CHECK(seeds.size() == 4);
  CHECK(worker_seed_of(2024, 3) == worker_seed_of(2024, 3));
}

TEST_CASE("forked children that inherit one generator draw the same numbers - per-worker seeds do not", "[lab05][task3]") {
  parlab_test::Watchdog watchdog("draws_with_inherited_state(3, 4, 1)", 30s);
  // The seed notebooks' warning, shown with the given (wrong) helper ...
  const auto inherited = draws_with_inherited_state(3, 4, 1);
  REQUIRE(inherited.size() == 3);
  CHECK(inherited[0] == inherited[1]);
  CHECK(inherited[1] == inherited[2]);
  // ... and what worker_seed changes: three different streams.
  std::set<std::uint64_t> first_draws;
  for (const std::uint64_t stream_seed : worker_seeds(1, 3)) first_draws.insert(Rng(stream_seed).next());
  CHECK(first_draws.size() == 3);
}

TEST_CASE("estimate_pi_threads rejects zero workers", "[lab05][task3]") {
  CHECK_THROWS_AS(isolated([] { return estimate_pi_threads(1000, 0, 1); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return estimate_pi_threads(1000, 0, 1); }), ContainsSubstring("workers"));
}

TEST_CASE("worker_seed keeps seed 0 worker 1 apart from seed 1 worker 0", "[lab05][task3]") {
  // seed + worker and seed ^ worker both give 1 for these two pairs: one stream for two workers.
  CHECK(worker_seed_of(0, 1) != worker_seed_of(1, 0));
  CHECK(worker_seed_of(2, 3) != worker_seed_of(3, 2));
}

TEST_CASE("count_inside throws x then y from the stream and counts x squared plus y squared up to 1", "[lab05][task3]") {
  Rng rng(99);
  std::uint64_t want = 0;
  for (int i = 0; i < 50; ++i) {
    const double x = rng.uniform();
    const double y = rng.uniform();
    if (x * x + y * y <= 1.0) ++want;
  }
  CHECK(isolated([] { return count_inside(50, 99); }) == want);
  CHECK(isolated([] { return count_inside(0, 99); }) == 0);
}

TEST_CASE("estimate_pi_threads splits the samples by worker_share over the workers' own streams", "[lab05][task3]") {
  parlab_test::Watchdog watchdog("estimate_pi_threads(1001, 3, 5)", 30s);
  struct Split {
    std::uint64_t want;  // the workers' counts, each from count_inside on its own stream
    PiEstimate t;
  };
  const Split split = isolated([] {
    std::uint64_t want = 0;
    for (unsigned w = 0; w < 3; ++w) want += count_inside(worker_share(1001, 3, w), worker_seed(5, w));
    return Split{want, estimate_pi_threads(1001, 3, 5)};
  });
  CHECK(split.t.inside == split.want);
  CHECK(split.t.samples == 1001);
  CHECK(split.t.workers == 3);
}

TEST_CASE("estimate_pi_processes rejects zero workers and both estimates zero samples", "[lab05][task3]") {
  // Each call and its leak check run in one child: the check must see the process it ran in.
  const Failure threads_samples = failure_of<std::exception>([] { return estimate_pi_threads(0, 2, 1); });
  const Failure processes_samples = failure_of<std::exception>([] { return estimate_pi_processes(0, 2, 1); });
  const Failure processes_workers = failure_of<std::exception>([] { return estimate_pi_processes(1000, 0, 1); });
  CHECK_THAT(message_or_none(threads_samples), ContainsSubstring("samples"));
  CHECK_THAT(message_or_none(processes_samples), ContainsSubstring("samples"));
  CHECK_THAT(message_or_none(processes_workers), ContainsSubstring("workers"));
  CHECK(threads_samples.leaks + processes_samples.leaks + processes_workers.leaks == "");
}

TEST_CASE("estimate_pi_processes leaves no child or fd behind", "[lab05][task3]") {
  parlab_test::Watchdog watchdog("estimate_pi_processes(10000, 4, 3)", 30s);
  const BothEstimates both = estimate_both(10000, 4, 3);
  CHECK(both.processes.inside == both.threads.inside);
  CHECK(both.leaks == "");
}

TEST_CASE("estimate_pi_processes turns children killed by a CPU limit into a runtime_error", "[lab05][task3]") {
  // Promise: a child that dies before sending its count is a std::runtime_error naming the
  // worker ("worker 0") and how it ended, never a hang, and every child and fd is given
  // back. Each child here has a trillion points to throw and a CPU limit of one second.
  parlab_test::Watchdog watchdog("estimate_pi_processes(10^12, 2) with children killed at 1 s of CPU", 60s);
  const Failure failed = failure_of<std::runtime_error>([] {
    parlab_test::limit_cpu_seconds(1);
    return estimate_pi_processes(1'000'000'000'000, 2, 7);
  });
  CHECK_THAT(lab05_test::message_or_none(failed), ContainsSubstring("worker "));
  CHECK_THAT(lab05_test::message_or_none(failed), ContainsSubstring("killed by signal"));
  CHECK(failed.leaks == "");
}
