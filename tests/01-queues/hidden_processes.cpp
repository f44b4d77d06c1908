// Lab 01, task 4: hidden tests for the pipeline on processes.
#include <chrono>
#include <csignal>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "parlab/lab01/pipeline.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/sieve.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab01;
using parlab::Range;
using parlab_test::ContainsSubstring;

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
  const parlab_test::ResourceSnapshot before;
  const auto got = primes_processes(workers, n, chunk);
  CHECK(parlab_test::describe_mismatch(got, parlab_test::sieve_primes_below(n)) == "");
  CHECK(before.leaks() == "");
}

TEST_CASE("more tasks than a pipe can hold do not deadlock the pipeline", "[lab01][task4]") {
  // 200000 records are far more than the 64 KiB a pipe buffers: a parent that writes every
  // task before reading any result blocks, while its workers block writing results.
  parlab_test::Watchdog watchdog(call_text(2, 200000, 1) + " (pipes fill up on both sides)", 60s);
  const auto got = primes_processes(2, 200000, 1);
  CHECK(got.size() == 17984);
}

TEST_CASE("a result larger than a pipe's buffer arrives whole", "[lab01][task4]") {
  parlab_test::Watchdog watchdog(call_text(1, 1000000, 1000000) + " (one 628 KB result frame)", 60s);
  const auto got = primes_processes(1, 1000000, 1000000);
  CHECK(got.size() == 78498);
  CHECK(got.back() == 999983);
}

TEST_CASE("a worker killed by a signal becomes an error and not a hang", "[lab01][task4]") {
  const unsigned workers = GENERATE(1u, 2u, 4u);
  CAPTURE(workers);
  parlab_test::Watchdog watchdog(call_text(workers, 100000, 1000) + " with a worker that is SIGKILLed", 30s);
  const parlab_test::ResourceSnapshot before;
  const RangeFunction killer = [](Range r) {
    if (r.contains(50000)) ::raise(SIGKILL);
    return parlab::primes_in(r);
  };
  CHECK_THROWS_AS(primes_processes(workers, 100000, 1000, killer), WorkerDied);
  CHECK(before.leaks() == "");
}

TEST_CASE("a worker that exits early without its finished marker becomes an error", "[lab01][task4]") {
  parlab_test::Watchdog watchdog(call_text(2, 100000, 1000) + " with a worker that calls _exit(0)", 30s);
  const parlab_test::ResourceSnapshot before;
  const RangeFunction quitter = [](Range r) {
    if (r.contains(30000)) ::_exit(0);
    return parlab::primes_in(r);
  };
  CHECK_THROWS_AS(primes_processes(2, 100000, 1000, quitter), WorkerDied);
  CHECK(before.leaks() == "");
}

TEST_CASE("every worker dying at once is reported and not waited on forever", "[lab01][task4]") {
  parlab_test::Watchdog watchdog(call_text(3, 1000000, 10) + " where every worker dies", 30s);
  const parlab_test::ResourceSnapshot before;
  const RangeFunction killer = [](Range) -> std::vector<std::uint64_t> { ::raise(SIGKILL); return {}; };
  CHECK_THROWS_AS(primes_processes(3, 1000000, 10, killer), WorkerDied);
  CHECK(before.leaks() == "");
}

TEST_CASE("an exception in a worker's range function comes back as WorkerDied with its message", "[lab01][task4]") {
  parlab_test::Watchdog watchdog(call_text(2, 10000, 100) + " with a throwing range function", 30s);
  const parlab_test::ResourceSnapshot before;
  const RangeFunction failing = [](Range r) -> std::vector<std::uint64_t> {
    if (r.contains(5000)) throw std::runtime_error("bad range on purpose");
    return parlab::primes_in(r);
  };
  CHECK_THROWS_AS(primes_processes(2, 10000, 100, failing), WorkerDied);
  CHECK_THROWS_WITH(primes_processes(2, 10000, 100, failing), ContainsSubstring("bad range on purpose"));
  CHECK(before.leaks() == "");
}

TEST_CASE("primes_processes rejects zero workers and zero-sized chunks", "[lab01][task4]") {
  const parlab_test::ResourceSnapshot before;
  CHECK_THROWS_AS(primes_processes(0, 100, 10), std::invalid_argument);
  CHECK_THROWS_WITH(primes_processes(0, 100, 10), ContainsSubstring("workers"));
  CHECK_THROWS_AS(primes_processes(2, 100, 0), std::invalid_argument);
  CHECK_THROWS_WITH(primes_processes(2, 100, 0), ContainsSubstring("chunk"));
  CHECK(before.leaks() == "");
}
