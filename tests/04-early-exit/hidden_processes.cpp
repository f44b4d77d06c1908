// Lab 04, task 3: hidden tests for the mmap flag and is_prime_processes.
// Early exit is checked in divisions counted, never in seconds.
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../../labs/04-early-exit/tests/lab04_support.hpp"
#include "parlab/child_process.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/explain.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

// Every call into the lab's code runs in a child (parlab_test::isolated); the checks run
// here on what it handed back. What a call leaves behind (children, fds, mappings) is
// counted in the child it ran in.
using namespace std::chrono_literals;
using namespace parlab::lab04;
using lab04_test::KnownAnswer;
using lab04_test::VerdictAndLeaks;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

namespace {
// Two SharedStopFlags a and b: shared mappings before, while and after they live, and
// what each said after only a was raised.
struct TwoFlags {
  int before;
  int during;
  int after;
  bool a_set;
  bool b_set;
};

// Up to `attempts` searches of n in one child, with the leaks and mappings of all of them;
// the first verdict is the first search's.
template <class Search>
VerdictAndLeaks early_exit_attempts_with_leaks(std::uint64_t n, std::size_t finder, std::uint64_t factor, Search search) {
  return isolated([&] {
    const parlab_test::ResourceSnapshot before;
    VerdictAndLeaks run;
    run.mappings_before = lab04_test::shared_mappings();
    run.verdicts = lab04_test::early_exit_attempts(n, finder, factor, search);
    run.leaks = before.leaks();
    run.mappings_after = lab04_test::shared_mappings();
    return run;
  });
}
}  // namespace

TEST_CASE("a SharedStopFlag raised in the parent reaches a child already running", "[lab04][task3]") {
  parlab_test::Watchdog watchdog("a child polling a SharedStopFlag the parent raises", 20s);
  const auto [child_succeeded, seen] = isolated([] {
    SharedStopFlag go;
    SharedStopFlag seen_by_child;
    auto child = parlab::ChildProcess::fork([&] {
      while (!go.is_set()) {
      }
      seen_by_child.raise();
      return 0;
    });
    go.raise();
    const bool succeeded = child.wait().success();
    return std::pair{succeeded, seen_by_child.is_set()};
  });
  REQUIRE(child_succeeded);
  CHECK(seen);
}

TEST_CASE("a SharedStopFlag is safe for threads of one process too", "[lab04][task3]") {
  // Between processes ThreadSanitizer cannot see a byte read and written without atomics;
  // between threads of one process it can, and the grader's race check reruns this case
  // under it.
  parlab_test::Watchdog watchdog("threads polling a SharedStopFlag another thread raises", 20s);
  PARLAB_EXPLAIN("a race on the flag byte: read and write it through std::atomic_ref (relaxed), never as a plain or volatile byte");
  const auto [saw_it, cleared_reads_set] = isolated([] {
    SharedStopFlag flag;
    std::atomic<unsigned> pollers_that_saw_it{0};
    {
      std::vector<std::jthread> pollers;
      for (int t = 0; t < 3; ++t) {
        pollers.emplace_back([&] {
          while (!flag.is_set()) std::this_thread::yield();
          ++pollers_that_saw_it;
        });
      }
      std::jthread raiser([&] { flag.raise(); });
    }
    std::jthread([&] { flag.clear(); }).join();
    return std::pair{pollers_that_saw_it.load(), flag.is_set()};
  });
  CHECK(saw_it == 3);
  CHECK_FALSE(cleared_reads_set);
}

TEST_CASE("SharedStopFlags are separate mappings that are all given back", "[lab04][task3]") {
  const TwoFlags seen = isolated([] {
    TwoFlags two{};
    two.before = lab04_test::shared_mappings();
    {
      SharedStopFlag a, b;
      two.during = lab04_test::shared_mappings();
      a.raise();
      two.a_set = a.is_set();
      two.b_set = b.is_set();
    }
    two.after = lab04_test::shared_mappings();
    return two;
  });
  CHECK(seen.during == seen.before + 2);
  CHECK(seen.a_set);
  CHECK_FALSE(seen.b_set);
  CHECK(seen.after == seen.before);
}

TEST_CASE("is_prime_processes answers 0 to 4 even numbers squares and numbers near 2^64", "[lab04][task3]") {
  const unsigned workers = GENERATE(1u, 2u, 5u);
  const auto& answers = lab04_test::cheap_answers();
  // All the searches in one child, which sees what all of them leave behind in it.
  parlab_test::Watchdog watchdog("is_prime_processes on the cheap known answers", 120s);
  const VerdictAndLeaks run = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    VerdictAndLeaks searched;
    searched.mappings_before = lab04_test::shared_mappings();
    for (const KnownAnswer& want : answers) searched.verdicts.push_back(is_prime_processes(want.n, workers));
    searched.leaks = before.leaks();
    searched.mappings_after = lab04_test::shared_mappings();
    return searched;
  });
  REQUIRE(run.verdicts.size() == answers.size());
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const KnownAnswer& want = answers[i];
    CAPTURE(want.n, workers);
    CHECK(lab04_test::verdict_problems(want, workers, run.verdicts[i]) == "");
  }
  CHECK(run.leaks == "");
  CHECK(run.mappings_after == run.mappings_before);
}

TEST_CASE("is_prime_processes proves 100109100129100151 prime", "[lab04][task3]") {
  parlab_test::Watchdog watchdog("is_prime_processes(100109100129100151, 2)", 120s);
  const Verdict v = isolated([] { return is_prime_processes(lab04_test::kPrime1, 2); });
  CHECK(lab04_test::verdict_problems({lab04_test::kPrime1, true, 0}, 2, v) == "");
}

TEST_CASE("is_prime_processes finds the factor of the square of a large prime", "[lab04][task3]") {
  parlab_test::Watchdog watchdog("is_prime_processes(99999989^2, 2)", 60s);
  const KnownAnswer want{9'999'997'800'000'121, false, 99'999'989};
  const Verdict v = isolated([&] { return is_prime_processes(want.n, 2); });
  CHECK(lab04_test::verdict_problems(want, 2, v) == "");
}

TEST_CASE("is_prime_processes stops the other worker early when the factor opens the second range", "[lab04][task3]") {
  // The factor lies ten divisions into the second range (see lab04_support.hpp): the first
  // worker must stop long before the end of its 75 million divisions, whatever the load.
  using lab04_test::kEarlyFactorOf2;
  using lab04_test::kEarlyFactorOf2Factor;
  parlab_test::Watchdog watchdog("is_prime_processes(" + std::to_string(kEarlyFactorOf2) + ", 2) three times", 120s);
  PARLAB_EXPLAIN("a worker kept going after the flag was raised: the flag must be in memory mapped MAP_SHARED before fork (a child's ordinary memory is a copy) and read every check_every divisions");
  const Verdict v = isolated([] { return is_prime_processes(kEarlyFactorOf2, 2); });
  CHECK(lab04_test::verdict_problems({kEarlyFactorOf2, false, kEarlyFactorOf2Factor}, 2, v) == "");
  CHECK(lab04_test::early_exit_in_some_attempt(kEarlyFactorOf2, 1, kEarlyFactorOf2Factor,
                                               [] { return is_prime_processes(kEarlyFactorOf2, 2); }) == "");
}

TEST_CASE("is_prime_processes stops three workers early when the factor opens the second of four ranges", "[lab04][task3]") {
  using lab04_test::kEarlyFactorOf4;
  using lab04_test::kEarlyFactorOf4Factor;
  parlab_test::Watchdog watchdog("is_prime_processes(" + std::to_string(kEarlyFactorOf4) + ", 4) three times", 120s);
  PARLAB_EXPLAIN("a worker kept going after the flag was raised: one SharedStopFlag mapped before fork, read by every child every check_every divisions");
  // One child makes every search and counts what they all leave behind in it.
  const VerdictAndLeaks run = early_exit_attempts_with_leaks(kEarlyFactorOf4, 1, kEarlyFactorOf4Factor,
                                                             [] { return is_prime_processes(kEarlyFactorOf4, 4); });
  REQUIRE_FALSE(run.verdicts.empty());
  CHECK(lab04_test::verdict_problems({kEarlyFactorOf4, false, kEarlyFactorOf4Factor}, 4, run.verdicts.front()) == "");
  CHECK(lab04_test::early_exit_in_some(run.verdicts, kEarlyFactorOf4, 1, kEarlyFactorOf4Factor) == "");
  CHECK(run.leaks == "");
  CHECK(run.mappings_after == run.mappings_before);
}

TEST_CASE("is_prime_processes starts every search with the flag down", "[lab04][task3]") {
  parlab_test::Watchdog watchdog("is_prime_processes on a composite, then on a prime", 60s);
  PARLAB_EXPLAIN("the flag of an earlier search is still up: map a fresh SharedStopFlag (or clear it) for every search");
  // Both searches in one child: a flag left up by the first must show in the second.
  const auto [composite, v] = isolated([] {
    return std::pair{is_prime_processes(lab04_test::kComposite2, 2), is_prime_processes(1'000'000'000'039, 2, 1)};
  });
  CHECK_FALSE(composite.prime);
  CHECK(lab04_test::verdict_problems({1'000'000'000'039, true, 0}, 2, v) == "");
}

TEST_CASE("is_prime_processes with check_every never lets every worker finish its range", "[lab04][task3]") {
  parlab_test::Watchdog watchdog("is_prime_processes(100109100129101027, 2, never)", 60s);
  const Verdict v = isolated([] { return is_prime_processes(lab04_test::kComposite2, 2, kNeverCheck); });
  REQUIRE(v.workers.size() == 2);
  CHECK(to_string(v.workers[0].result.outcome) == std::string("not_found"));
  CHECK(v.workers[0].result.divisions == lab04_test::odd_count(v.workers[0].divisors));
}

TEST_CASE("is_prime_processes rejects a bad number of workers without forking", "[lab04][task3]") {
  CHECK_THROWS_AS(isolated([] { return is_prime_processes(lab04_test::kPrime1, 0); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return is_prime_processes(lab04_test::kPrime1, kMaxWorkers + 1); }), ContainsSubstring("workers"));
  // The same calls again in one child, which sees what they leave behind in it.
  const std::string leaks = isolated([] {
    const parlab_test::ResourceSnapshot before;
    lab04_test::ignore_thrown<std::invalid_argument>([] { return is_prime_processes(lab04_test::kPrime1, 0); });
    lab04_test::ignore_thrown<std::invalid_argument>([] { return is_prime_processes(lab04_test::kPrime1, kMaxWorkers + 1); });
    return before.leaks();
  });
  CHECK(leaks == "");
}
