// Lab 01, task 4: hidden tests for the pipeline on processes. The student's code runs only
// inside parlab_test::isolated(); each child returns the primes, what a call threw and the
// fds and children left behind in it (the process that ran primes_processes), and the
// checks run here.
#include <chrono>
#include <csignal>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include <unistd.h>

#include "../../labs/01-queues/tests/lab01_support.hpp"
#include "parlab/lab01/pipeline.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/sieve.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab01;
using parlab::Range;
using lab01_test::message_of;
using lab01_test::outcome_of;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

PARLAB_ISOLATED_EXCEPTION(parlab::lab01::WorkerDied);

namespace {
std::string call_text(unsigned workers, std::uint64_t n, std::uint64_t chunk) {
  return "primes_processes(" + std::to_string(workers) + ", " + std::to_string(n) + ", " +
         std::to_string(chunk) + ")";
}
}  // namespace

TEST_CASE("primes_processes equals a sieve for every size and chunk and worker count", "[lab01][task4]") {
  const std::uint64_t n = GENERATE(0u, 1u, 2u, 3u, 10u, 100u, 100000u, 1000000u);
  const unsigned workers = GENERATE(1u, 2u, 3u, 8u);
  const std::uint64_t chunk = GENERATE_COPY(values<std::uint64_t>({1, 7, std::max<std::uint64_t>(1, n / 64), std::max<std::uint64_t>(1, n), 2 * n + 1}));
  if (n >= 1000000 && chunk < 100) return;
  CAPTURE(n, workers, chunk);
  parlab_test::Watchdog watchdog(call_text(workers, n, chunk), 60s);
  const auto got = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    auto primes = primes_processes(workers, n, chunk);
    return lab01_test::PrimesAndLeaks{primes, before.leaks()};
  });
  CHECK(parlab_test::describe_mismatch(got.primes, parlab_test::sieve_primes_below(n)) == "");
  CHECK(got.leaks == "");
}

TEST_CASE("more tasks than a pipe can hold do not deadlock the pipeline", "[lab01][task4]") {
  // 200000 records are far more than the 64 KiB a pipe buffers: a parent that writes every
  // task before reading any result blocks, while its workers block writing results.
  parlab_test::Watchdog watchdog(call_text(2, 200000, 1) + " (pipes fill up on both sides)", 60s);
  const auto got = isolated([] { return primes_processes(2, 200000, 1); });
  CHECK(got.size() == 17984);
}

TEST_CASE("a result larger than a pipe's buffer arrives whole", "[lab01][task4]") {
  parlab_test::Watchdog watchdog(call_text(1, 1000000, 1000000) + " (one 628 KB result frame)", 60s);
  const auto got = isolated([] { return primes_processes(1, 1000000, 1000000); });
  CHECK(got.size() == 78498);
  CHECK(got.back() == 999983);
}

TEST_CASE("a worker killed by a signal becomes an error and not a hang", "[lab01][task4]") {
  const unsigned workers = GENERATE(1u, 2u, 4u);
  CAPTURE(workers);
  parlab_test::Watchdog watchdog(call_text(workers, 100000, 1000) + " with a worker that is SIGKILLed", 30s);
  const RangeFunction killer = [](Range r) {
    if (r.contains(50000)) ::raise(SIGKILL);
    return parlab::primes_in(r);
  };
  const auto [outcome, leaks] = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    auto what_happened = outcome_of<WorkerDied>([&] { (void)primes_processes(workers, 100000, 1000, killer); }, "WorkerDied");
    return std::pair{what_happened, before.leaks()};
  });
  CHECK(outcome == "WorkerDied");
  CHECK(leaks == "");
}

TEST_CASE("a worker that exits early without its finished marker becomes an error", "[lab01][task4]") {
  parlab_test::Watchdog watchdog(call_text(2, 100000, 1000) + " with a worker that calls _exit(0)", 30s);
  const RangeFunction quitter = [](Range r) {
    if (r.contains(30000)) ::_exit(0);
    return parlab::primes_in(r);
  };
  const auto [outcome, leaks] = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    auto what_happened = outcome_of<WorkerDied>([&] { (void)primes_processes(2, 100000, 1000, quitter); }, "WorkerDied");
    return std::pair{what_happened, before.leaks()};
  });
  CHECK(outcome == "WorkerDied");
  CHECK(leaks == "");
}

TEST_CASE("every worker dying at once is reported and not waited on forever", "[lab01][task4]") {
  parlab_test::Watchdog watchdog(call_text(3, 1000000, 10) + " where every worker dies", 30s);
  const RangeFunction killer = [](Range) -> std::vector<std::uint64_t> { ::raise(SIGKILL); return {}; };
  const auto [outcome, leaks] = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    auto what_happened = outcome_of<WorkerDied>([&] { (void)primes_processes(3, 1000000, 10, killer); }, "WorkerDied");
    return std::pair{what_happened, before.leaks()};
  });
  CHECK(outcome == "WorkerDied");
  CHECK(leaks == "");
}

TEST_CASE("an exception in a worker's range function comes back as WorkerDied with its message", "[lab01][task4]") {
  parlab_test::Watchdog watchdog(call_text(2, 10000, 100) + " with a throwing range function", 30s);
  const RangeFunction failing = [](Range r) -> std::vector<std::uint64_t> {
    if (r.contains(5000)) throw std::runtime_error("bad range on purpose");
    return parlab::primes_in(r);
  };
  const auto [outcome, message, leaks] = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    auto what_happened = outcome_of<WorkerDied>([&] { (void)primes_processes(2, 10000, 100, failing); }, "WorkerDied");
    auto what_it_said = message_of([&] { (void)primes_processes(2, 10000, 100, failing); });
    return std::tuple{what_happened, what_it_said, before.leaks()};
  });
  CHECK(outcome == "WorkerDied");
  CHECK_THAT(message, ContainsSubstring("bad range on purpose"));
  CHECK(leaks == "");
}

TEST_CASE("primes_processes rejects zero workers and zero-sized chunks", "[lab01][task4]") {
  const auto [zero_workers, zero_workers_message, zero_chunk, zero_chunk_message, leaks] = isolated([] {
    const parlab_test::ResourceSnapshot before;
    const auto no_workers = [] { (void)primes_processes(0, 100, 10); };
    const auto no_chunk = [] { (void)primes_processes(2, 100, 0); };
    auto workers_outcome = outcome_of<std::invalid_argument>(no_workers, "std::invalid_argument");
    auto workers_message = message_of(no_workers);
    auto chunk_outcome = outcome_of<std::invalid_argument>(no_chunk, "std::invalid_argument");
    auto chunk_message = message_of(no_chunk);
    return std::tuple{workers_outcome, workers_message, chunk_outcome, chunk_message, before.leaks()};
  });
  CHECK(zero_workers == "std::invalid_argument");
  CHECK_THAT(zero_workers_message, ContainsSubstring("workers"));
  CHECK(zero_chunk == "std::invalid_argument");
  CHECK_THAT(zero_chunk_message, ContainsSubstring("chunk"));
  CHECK(leaks == "");
}
