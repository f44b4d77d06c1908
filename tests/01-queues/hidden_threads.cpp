// Lab 01, tasks 2 and 3: hidden tests for the worker and the threaded pipeline. The
// student's code runs only inside parlab_test::isolated(); each child returns what it
// observed (messages, queue sizes, primes) and the checks run here.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../../labs/01-queues/tests/lab01_support.hpp"
#include "parlab/lab01/pipeline.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/explain.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/sieve.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab01;
using parlab::Range;
using parlab_test::isolated;

namespace {
struct AfterOnePill {
  std::size_t tasks_left;
  bool next_task_is_pill;
  std::size_t results;
};
}  // namespace

TEST_CASE("a worker takes exactly one pill and leaves the others", "[lab01][task2]") {
  parlab_test::Watchdog watchdog("prime_worker with two pills in its queue", 10s);
  PARLAB_EXPLAIN("a worker went on after its own poison pill, or took more than one: it must stop at its first pill so that the next pill stays for another worker");
  const AfterOnePill seen = isolated([] {
    BlockingQueue<TaskMessage> tasks;
    BlockingQueue<ResultMessage> results;
    tasks.push(Range{0, 5});
    tasks.push(PoisonPill{});
    tasks.push(PoisonPill{});
    tasks.push(Range{5, 10});
    prime_worker(0, tasks, results);
    AfterOnePill s{};
    s.tasks_left = tasks.size();
    s.next_task_is_pill = std::holds_alternative<PoisonPill>(tasks.pop());
    s.results = results.size();
    return s;
  });
  CHECK(seen.tasks_left == 2);  // the second pill and the range behind it are someone else's
  CHECK(seen.next_task_is_pill);
  CHECK(seen.results == 2);  // one batch, one finished marker
}

TEST_CASE("a worker reports the finished marker after every batch", "[lab01][task2]") {
  parlab_test::Watchdog watchdog("prime_worker over 50 ranges", 10s);
  const auto [messages, left_over] = isolated([] {
    BlockingQueue<TaskMessage> tasks;
    BlockingQueue<ResultMessage> results;
    for (std::uint64_t lo = 0; lo < 500; lo += 10) tasks.push(Range{lo, lo + 10});
    tasks.push(PoisonPill{});
    prime_worker(7, tasks, results);
    std::vector<std::string> kinds(50, "PrimeBatch");
    kinds.push_back("WorkerFinished");
    auto popped = lab01_test::pop_expecting(results, kinds);
    return std::pair{popped, results.size()};
  });
  std::vector<std::uint64_t> primes;
  for (std::size_t i = 0; i < 50; ++i) {
    REQUIRE(messages.size() > i);
    REQUIRE(messages[i].kind == "PrimeBatch");
    CHECK(messages[i].worker == 7);
    primes.insert(primes.end(), messages[i].primes.begin(), messages[i].primes.end());
  }
  REQUIRE(messages.size() == 51);
  REQUIRE(messages[50].kind == "WorkerFinished");
  CHECK(left_over == 0);
  CHECK(parlab_test::describe_mismatch(primes, parlab_test::sieve_primes_below(500)) == "");
}

TEST_CASE("a worker whose range function throws reports the failure and stops", "[lab01][task2]") {
  parlab_test::Watchdog watchdog("prime_worker with a failing range function", 10s);
  const RangeFunction failing = [](Range r) -> std::vector<std::uint64_t> {
    if (r.lo == 10) throw std::runtime_error("disk on fire");
    return parlab::primes_in(r);
  };
  const auto [messages, left_over] = isolated([&] {
    BlockingQueue<TaskMessage> tasks;
    BlockingQueue<ResultMessage> results;
    tasks.push(Range{0, 10});
    tasks.push(Range{10, 20});
    tasks.push(PoisonPill{});
    prime_worker(1, tasks, results, failing);
    auto popped = lab01_test::pop_expecting(results, {"PrimeBatch", "WorkerFailed"});
    return std::pair{popped, results.size()};
  });
  REQUIRE(messages.size() >= 1);
  REQUIRE(messages[0].kind == "PrimeBatch");
  REQUIRE(messages.size() == 2);
  REQUIRE(messages[1].kind == "WorkerFailed");
  CHECK(messages[1].worker == 1);
  CHECK(messages[1].error == "disk on fire");  // the exception it carries
  CHECK(left_over == 0);
}

TEST_CASE("primes_threads equals a sieve for every size and chunk and worker count", "[lab01][task3]") {
  const std::uint64_t n = GENERATE(0u, 1u, 2u, 3u, 10u, 100u, 100000u, 1000000u);
  const unsigned workers = GENERATE(1u, 2u, 3u, 8u);
  const std::uint64_t chunk = GENERATE_COPY(values<std::uint64_t>({1, 7, std::max<std::uint64_t>(1, n / 64), std::max<std::uint64_t>(1, n), 2 * n + 1}));
  if (n >= 1000000 && chunk < 100) return;  // a million one-number messages adds nothing but time
  CAPTURE(n, workers, chunk);
  parlab_test::Watchdog watchdog("primes_threads(" + std::to_string(workers) + ", " + std::to_string(n) +
                                     ", " + std::to_string(chunk) + ")",
                                 60s);
  PARLAB_EXPLAIN("primes missing or doubled: every chunk must be pushed once, every worker needs its own pill (one per worker, after the last chunk), and the results are collected only after every worker finished");
  const auto got = isolated([&] { return primes_threads(workers, n, chunk); });
  CHECK(parlab_test::describe_mismatch(got, parlab_test::sieve_primes_below(n)) == "");
}

TEST_CASE("primes_threads hands out every chunk exactly once", "[lab01][task3]") {
  parlab_test::Watchdog watchdog("primes_threads(3, 10007, 100)", 20s);
  PARLAB_EXPLAIN("a chunk done twice or never: chunks are pushed once each, and one poison pill per worker is sent after the last chunk");
  // The ranges the workers were given, as (lo, hi) pairs.
  const auto ranges = isolated([] {
    std::mutex m;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> recorded;
    const RangeFunction recording = [&](Range r) {
      {
        std::lock_guard lock(m);
        recorded.emplace_back(r.lo, r.hi);
      }
      return parlab::primes_in(r);
    };
    (void)primes_threads(3, 10007, 100, recording);
    return recorded;
  });
  std::vector<Range> seen;
  for (const auto& [lo, hi] : ranges) seen.push_back(Range{lo, hi});
  std::sort(seen.begin(), seen.end(), [](Range a, Range b) { return a.lo < b.lo; });
  REQUIRE(seen.size() == 101);
  std::uint64_t expected_lo = 0;
  for (const auto& r : seen) {
    CHECK(r.lo == expected_lo);
    CHECK(r.size() == std::min<std::uint64_t>(100, 10007 - r.lo));
    expected_lo = r.hi;
  }
  CHECK(expected_lo == 10007);
}

TEST_CASE("primes_threads rethrows a worker's failure instead of hanging", "[lab01][task3]") {
  parlab_test::Watchdog watchdog("primes_threads with one failing range", 20s);
  const RangeFunction failing = [](Range r) -> std::vector<std::uint64_t> {
    if (r.contains(5000)) throw std::runtime_error("range function failed on purpose");
    return parlab::primes_in(r);
  };
  const unsigned workers = GENERATE(1u, 2u, 4u);
  CAPTURE(workers);
  CHECK_THROWS_WITH(isolated([&] { (void)primes_threads(workers, 20000, 100, failing); }), "range function failed on purpose");
}

TEST_CASE("primes_threads survives every worker failing", "[lab01][task3]") {
  parlab_test::Watchdog watchdog("primes_threads where every range fails", 20s);
  const RangeFunction always_failing = [](Range) -> std::vector<std::uint64_t> {
    throw std::runtime_error("nothing works");
  };
  CHECK_THROWS_WITH(isolated([&] { (void)primes_threads(3, 100000, 10, always_failing); }), "nothing works");
}

TEST_CASE("primes_threads rejects zero workers and zero-sized chunks", "[lab01][task3]") {
  using parlab_test::ContainsSubstring;
  CHECK_THROWS_AS(isolated([] { (void)primes_threads(0, 100, 10); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { (void)primes_threads(0, 100, 10); }), ContainsSubstring("workers"));
  CHECK_THROWS_AS(isolated([] { (void)primes_threads(2, 100, 0); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { (void)primes_threads(2, 100, 0); }), ContainsSubstring("chunk"));
}
