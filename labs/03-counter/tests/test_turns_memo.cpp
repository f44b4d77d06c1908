// Lab 03, tasks 4 and 5: visible tests for ordered writers and the memo cache.
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "parlab/lab03/memo.hpp"
#include "parlab/lab03/scratch_dir.hpp"
#include "parlab/lab03/turns.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab03;
using parlab_test::ContainsSubstring;

namespace {
std::vector<std::string> read_lines(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string numbered_line(unsigned w, unsigned r) { return std::to_string(w) + "/" + std::to_string(r); }

}  // namespace

TEST_CASE("threads pass a TurnGate in ticket order", "[lab03][task4]") {
  parlab_test::Watchdog watchdog("four threads waiting on a TurnGate", 30s);
  TurnGate gate;
  std::mutex m;
  std::vector<unsigned> order;
  {
    std::vector<std::jthread> threads;
    for (unsigned t : {3u, 1u, 0u, 2u}) {
      threads.emplace_back([&, t] {
        gate.wait_for(t);
        {
          const std::lock_guard lock(m);
          order.push_back(t);
        }
        gate.advance();
      });
    }
  }
  CHECK(order == std::vector<unsigned>{0, 1, 2, 3});
  CHECK(gate.current() == 4);
}

TEST_CASE("three writer processes write their lines in turn", "[lab03][task4]") {
  parlab_test::Watchdog watchdog("ordered_writes(3 writers, 2 rounds)", 30s);
  const ScratchDir dir;
  const parlab_test::ResourceSnapshot before;
  ordered_writes(dir / "out.txt", 3, 2,
                 [](unsigned w, unsigned r) { return "writer " + std::to_string(w) + " round " + std::to_string(r); });
  CHECK(read_lines(dir / "out.txt") == std::vector<std::string>{"writer 0 round 0", "writer 1 round 0",
                                                                "writer 2 round 0", "writer 0 round 1",
                                                                "writer 1 round 1", "writer 2 round 1"});
  CHECK(before.leaks() == "");
}

TEST_CASE("a new TurnGate is at ticket 0 and wait_for the current ticket returns at once", "[lab03][task4]") {
  TurnGate gate;
  CHECK(gate.current() == 0);
  gate.wait_for(0);
  gate.advance();
  CHECK(gate.current() == 1);
  gate.wait_for(1);
  CHECK(gate.current() == 1);  // waiting does not move the turn
}

TEST_CASE("waiting for a ticket whose turn has passed is a logic_error", "[lab03][task4]") {
  TurnGate gate;
  gate.advance();
  gate.advance();
  CHECK_THROWS_AS(gate.wait_for(1), std::logic_error);
  CHECK(gate.current() == 2);
}

TEST_CASE("ordered_writes empties the file first and 0 rounds leave it empty", "[lab03][task4]") {
  parlab_test::Watchdog watchdog("ordered_writes(2 writers, 0 rounds, then 1 round)", 30s);
  const ScratchDir dir;
  const auto out = dir / "out.txt";
  {
    std::ofstream old(out);
    old << "old line\n";
  }
  ordered_writes(out, 2, 0, numbered_line);
  CHECK(read_text(out) == "");
  ordered_writes(out, 2, 1, numbered_line);
  CHECK(read_text(out) == "0/0\n1/0\n");
}

TEST_CASE("a writer whose line maker throws becomes WorkerFailed that names it", "[lab03][task4]") {
  parlab_test::Watchdog watchdog("ordered_writes(3 writers, 2 rounds), writer 1 throws", 30s);
  const ScratchDir dir;
  const parlab_test::ResourceSnapshot before;
  const LineMaker line = [](unsigned w, unsigned r) -> std::string {
    if (w == 1) throw std::runtime_error("no text for writer 1");
    return numbered_line(w, r);
  };
  CHECK_THROWS_AS(ordered_writes(dir / "out.txt", 3, 2, line), WorkerFailed);
  CHECK_THROWS_WITH(ordered_writes(dir / "out.txt", 3, 2, line),
                    ContainsSubstring("writer 1 of 3") && ContainsSubstring("no text for writer 1"));
  CHECK(before.leaks() == "");
}

TEST_CASE("ordered_writes rejects 0 and 257 writers", "[lab03][task4]") {
  const ScratchDir dir;
  CHECK_THROWS_AS(ordered_writes(dir / "out.txt", 0, 1, numbered_line), std::invalid_argument);
  CHECK_THROWS_WITH(ordered_writes(dir / "out.txt", 257, 1, numbered_line), ContainsSubstring("writers"));
}

TEST_CASE("the memo cache computes a value once and then reads it from disk", "[lab03][task5]") {
  const ScratchDir dir;
  DiskMemo memo(dir.path());
  int calls = 0;
  const auto compute = [&] {
    ++calls;
    return std::string("54208");
  };
  CHECK_FALSE(memo.lookup("primes-100M").has_value());
  CHECK(memo.get_or_compute("primes-100M", compute) == "54208");
  CHECK(memo.get_or_compute("primes-100M", compute) == "54208");
  CHECK(DiskMemo(dir.path()).lookup("primes-100M") == std::optional<std::string>("54208"));
  CHECK(calls == 1);
}

TEST_CASE("a memo needs a directory that exists", "[lab03][task5]") {
  const ScratchDir dir;
  const auto missing = dir / "missing";
  CHECK_THROWS_AS(DiskMemo(missing), std::invalid_argument);
  CHECK_THROWS_WITH(DiskMemo(missing), ContainsSubstring(missing.string()));
  {
    std::ofstream file(dir / "plain-file");
    file << "x";
  }
  CHECK_THROWS_AS(DiskMemo(dir / "plain-file"), std::invalid_argument);
}

TEST_CASE("memo keys must be safe file names", "[lab03][task5]") {
  const ScratchDir dir;
  DiskMemo memo(dir.path());
  int calls = 0;
  const auto compute = [&] {
    ++calls;
    return std::string("v");
  };
  for (const std::string& key : {std::string(), std::string("../escape"), std::string(".hidden"),
                                std::string("a/b"), std::string("with space"), std::string(101, 'k')}) {
    CAPTURE(key);
    CHECK_THROWS_AS(memo.get_or_compute(key, compute), std::invalid_argument);
    CHECK_THROWS_AS(memo.lookup(key), std::invalid_argument);
  }
  CHECK_THROWS_WITH(memo.lookup("a/b"), ContainsSubstring("a/b"));
  CHECK(calls == 0);
  CHECK(memo.get_or_compute("Az09_.-", compute) == "v");
  CHECK(memo.get_or_compute(std::string(100, 'k'), compute) == "v");
}

TEST_CASE("a failed compute stores nothing and the next call computes again", "[lab03][task5]") {
  const ScratchDir dir;
  DiskMemo memo(dir.path());
  CHECK_THROWS_WITH(memo.get_or_compute("answer", []() -> std::string { throw std::runtime_error("compute failed"); }),
                    ContainsSubstring("compute failed"));
  CHECK_FALSE(memo.lookup("answer").has_value());
  CHECK(memo.get_or_compute("answer", [] { return std::string("42"); }) == "42");
}

TEST_CASE("two keys are kept apart and an empty value is a value", "[lab03][task5]") {
  const ScratchDir dir;
  DiskMemo memo(dir.path());
  CHECK(memo.get_or_compute("one", [] { return std::string("1"); }) == "1");
  CHECK(memo.get_or_compute("empty", [] { return std::string(); }) == "");
  CHECK(memo.lookup("one") == std::optional<std::string>("1"));
  CHECK(memo.lookup("empty") == std::optional<std::string>(""));
  CHECK(memo.get_or_compute("empty", [] { return std::string("recomputed"); }) == "");
}

TEST_CASE("a thread that asks while another computes gets that value without computing", "[lab03][task5]") {
  parlab_test::Watchdog watchdog("two threads asking a DiskMemo for one key", 30s);
  const ScratchDir dir;
  DiskMemo memo(dir.path());
  std::atomic<int> calls{0};
  std::atomic<bool> computing{false};
  std::string second_got;
  {
    std::jthread second;
    const auto slow = [&] {
      ++calls;
      computing = true;
      // Give the second thread time to ask while this one computes. A slow machine may
      // make it ask later; it must then read the stored value, so the checks still hold.
      std::this_thread::sleep_for(100ms);
      return std::string("slow value");
    };
    std::jthread first([&] { (void)memo.get_or_compute("shared", slow); });
    while (!computing) std::this_thread::sleep_for(1ms);
    second = std::jthread([&] { second_got = memo.get_or_compute("shared", slow); });
  }
  CHECK(second_got == "slow value");
  CHECK(calls == 1);
}
