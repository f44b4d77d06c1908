// Lab 03, tasks 4 and 5: visible tests for ordered writers and the memo cache.
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
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

namespace {
std::vector<std::string> read_lines(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}
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
