// Lab 04, task 3: visible tests for the mmap flag and is_prime_processes.
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "lab04_support.hpp"
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
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

namespace {
// What SharedStopFlag::is_set() said in the parent around a child that raised it.
struct RaisedByChild {
  bool fresh;
  bool child_succeeded;
  bool after_child;
  bool cleared;
};

// The largest prime below 2^64: its search has about 2^31 odd divisors, seconds of work for
// each of two workers, so a CPU limit of one second kills them long before they finish.
constexpr std::uint64_t kLargestPrime = 18'446'744'073'709'551'557u;

// Shared mappings before, while and after a SharedStopFlag lives.
struct Mappings {
  int before;
  int during;
  int after;
};
}  // namespace

TEST_CASE("a SharedStopFlag raised in a child is seen by its parent", "[lab04][task3]") {
  parlab_test::Watchdog watchdog("a child raising a SharedStopFlag", 20s);
  const RaisedByChild seen = isolated([] {
    SharedStopFlag flag;
    RaisedByChild states{};
    states.fresh = flag.is_set();
    auto child = parlab::ChildProcess::fork([&] {
      flag.raise();
      return 0;
    });
    states.child_succeeded = child.wait().success();
    states.after_child = flag.is_set();
    flag.clear();
    states.cleared = flag.is_set();
    return states;
  });
  CHECK_FALSE(seen.fresh);
  REQUIRE(seen.child_succeeded);
  CHECK(seen.after_child);
  CHECK_FALSE(seen.cleared);
}

TEST_CASE("a SharedStopFlag gives its mapping back", "[lab04][task3]") {
  const Mappings m = isolated([] {
    Mappings counts{};
    counts.before = lab04_test::shared_mappings();
    {
      SharedStopFlag flag;
      counts.during = lab04_test::shared_mappings();
    }
    counts.after = lab04_test::shared_mappings();
    return counts;
  });
  CHECK(m.during == m.before + 1);
  CHECK(m.after == m.before);
}

TEST_CASE("is_prime_processes answers the curriculum's numbers", "[lab04][task3]") {
  parlab_test::Watchdog watchdog("is_prime_processes on the curriculum's numbers", 60s);
  const auto [composite, prime] = isolated([] {
    return std::pair{is_prime_processes(lab04_test::kComposite2, 2), is_prime_processes(lab04_test::kPrime2, 2)};
  });
  INFO(lab04_test::describe(lab04_test::kComposite2, composite));
  CHECK_FALSE(composite.prime);
  CHECK(composite.factor == lab04_test::kComposite2Factor);
  INFO(lab04_test::describe(lab04_test::kPrime2, prime));
  CHECK(prime.prime);
}

TEST_CASE("is_prime_processes leaves no child or fd or mapping behind", "[lab04][task3]") {
  parlab_test::Watchdog watchdog("is_prime_processes(1000006000009, 3)", 60s);
  const lab04_test::VerdictAndLeaks run = isolated([] {
    const parlab_test::ResourceSnapshot before;
    const int mappings = lab04_test::shared_mappings();
    const Verdict v = is_prime_processes(1'000'006'000'009, 3);  // 1000003 squared
    return lab04_test::VerdictAndLeaks{{v}, before.leaks(), mappings, lab04_test::shared_mappings()};
  });
  REQUIRE(run.verdicts.size() == 1);
  CHECK_FALSE(run.verdicts[0].prime);
  CHECK(run.verdicts[0].factor == 1'000'003);
  CHECK(run.leaks == "");
  CHECK(run.mappings_after == run.mappings_before);
}

TEST_CASE("is_prime_processes calls off the first worker once the second finds 150000001", "[lab04][task3]") {
  using lab04_test::kEarlyFactorOf2;
  parlab_test::Watchdog watchdog("is_prime_processes(" + std::to_string(kEarlyFactorOf2) + ", 2), up to three times", 120s);
  PARLAB_EXPLAIN("worker 0 ran on after worker 1 raised the flag: the flag must live in the shared mapping, made before the fork, so that both children see one byte");
  CHECK(lab04_test::early_exit_in_some_attempt(kEarlyFactorOf2, 1, lab04_test::kEarlyFactorOf2Factor,
                                               [] { return is_prime_processes(kEarlyFactorOf2, 2); }) == "");
}

TEST_CASE("is_prime_processes rejects 0 and 257 workers without forking", "[lab04][task3]") {
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

TEST_CASE("is_prime_processes gives each worker the range plan_search planned", "[lab04][task3]") {
  parlab_test::Watchdog watchdog("is_prime_processes(1000006000009, 3)", 60s);
  const Verdict v = isolated([] { return is_prime_processes(1'000'006'000'009, 3); });  // 1000003 squared
  CHECK(lab04_test::verdict_problems({1'000'006'000'009, false, 1'000'003}, 3, v) == "");
}

TEST_CASE("is_prime_processes turns workers killed by a CPU limit into a runtime_error naming them", "[lab04][task3]") {
  // Promise: a child that dies without a result becomes a std::runtime_error naming the
  // worker ("worker 0") and how it ended (ExitStatus::describe(): "killed by signal ..."),
  // and every child, fd and mapping is given back before it throws. The children here
  // inherit a CPU limit of one second and die of it in the middle of their ranges.
  parlab_test::Watchdog watchdog("is_prime_processes(2^64 - 59, 2) with workers killed at 1 s of CPU", 60s);
  const auto [message, leaks] = isolated([] {
    const parlab_test::ResourceSnapshot before;
    const int mappings = lab04_test::shared_mappings();
    parlab_test::limit_cpu_seconds(1);
    std::string what = "no exception";
    try {
      (void)is_prime_processes(kLargestPrime, 2);
    } catch (const std::runtime_error& e) {
      what = e.what();
    }
    std::string left = before.leaks();
    if (lab04_test::shared_mappings() != mappings) left += "a shared mapping was not unmapped";
    return std::pair{what, left};
  });
  CHECK_THAT(message, ContainsSubstring("worker "));
  CHECK_THAT(message, ContainsSubstring("killed by signal"));
  CHECK(leaks == "");
}
