// Lab 03, task 4: hidden tests for the turn gate and the ordered writers.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "parlab/child_process.hpp"
#include "parlab/lab03/scratch_dir.hpp"
#include "parlab/lab03/turns.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

#include "leaks_after_failure.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab03;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;
using lab03_hidden::leaks_after_failure;

PARLAB_ISOLATED_EXCEPTION(parlab::lab03::WorkerFailed);

namespace {

std::vector<std::string> read_lines(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string line_text(unsigned w, unsigned r) {
  return "child " + std::to_string(w) + " round " + std::to_string(r) + " sum 10";
}

std::vector<std::string> expected_lines(unsigned writers, unsigned rounds) {
  std::vector<std::string> lines;
  for (unsigned r = 0; r < rounds; ++r) {
    for (unsigned w = 0; w < writers; ++w) lines.push_back(line_text(w, r));
  }
  return lines;
}

}  // namespace

TEST_CASE("writers keep strict turn order even when the last ones are ready first", "[lab03][task4]") {
  const unsigned writers = GENERATE(1u, 2u, 5u, 10u);
  const unsigned rounds = GENERATE(1u, 3u);
  CAPTURE(writers, rounds);
  parlab_test::Watchdog watchdog("ordered_writes(" + std::to_string(writers) + " writers, " +
                                     std::to_string(rounds) + " rounds)",
                                 60s);
  const ScratchDir dir;
  const std::string leaks = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    ordered_writes(dir / "out.txt", writers, rounds, [writers](unsigned w, unsigned r) {
      // Later writers finish their work first, so arrival order is the reverse of turn order.
      std::this_thread::sleep_for(std::chrono::milliseconds(2 * (writers - w)));
      return line_text(w, r);
    });
    return before.leaks();
  });
  CHECK(read_lines(dir / "out.txt") == expected_lines(writers, rounds));
  CHECK(leaks == "");
}

TEST_CASE("long lines written one character at a time never interleave", "[lab03][task4]") {
  parlab_test::Watchdog watchdog("ordered_writes(4 writers, 2 rounds, 300-character lines)", 60s);
  const ScratchDir dir;
  isolated([&] {
    ordered_writes(dir / "out.txt", 4, 2,
                   [](unsigned w, unsigned) { return std::string(300, static_cast<char>('a' + w)); });
  });
  std::vector<std::string> want;
  for (int r = 0; r < 2; ++r) {
    for (unsigned w = 0; w < 4; ++w) want.push_back(std::string(300, static_cast<char>('a' + w)));
  }
  CHECK(read_lines(dir / "out.txt") == want);
}

TEST_CASE("ordered_writes truncates the output file first", "[lab03][task4]") {
  parlab_test::Watchdog watchdog("ordered_writes(2 writers, 0 and 1 rounds)", 30s);
  const ScratchDir dir;
  {
    std::ofstream old(dir / "out.txt");
    old << "stale line from an earlier run\n";
  }
  isolated([&] { ordered_writes(dir / "out.txt", 2, 1, line_text); });
  CHECK(read_lines(dir / "out.txt") == expected_lines(2, 1));
  isolated([&] { ordered_writes(dir / "out.txt", 3, 0, line_text); });
  CHECK(read_lines(dir / "out.txt").empty());
  CHECK(std::filesystem::exists(dir / "out.txt"));
}

TEST_CASE("a writer that throws becomes WorkerFailed and the writers after it do not hang", "[lab03][task4]") {
  parlab_test::Watchdog watchdog("ordered_writes where writer 1 throws", 30s);
  const ScratchDir dir;
  const auto line = [](unsigned w, unsigned r) -> std::string {
    if (w == 1 && r == 1) throw std::runtime_error("writer one ran out of ink");
    return line_text(w, r);
  };
  const auto run = [&] { ordered_writes(dir / "out.txt", 4, 2, line); };
  CHECK_THROWS_AS(isolated(run), WorkerFailed);
  CHECK_THROWS_WITH(isolated(run), ContainsSubstring("ran out of ink"));
  CHECK(leaks_after_failure<WorkerFailed>(run) == "");
}

TEST_CASE("a writer killed by a signal becomes WorkerFailed and not a hang", "[lab03][task4]") {
  parlab_test::Watchdog watchdog("ordered_writes where writer 0 is SIGKILLed", 30s);
  const ScratchDir dir;
  const auto run = [&] {
    ordered_writes(dir / "out.txt", 5, 3, [](unsigned w, unsigned r) {
      if (w == 0 && r == 2) ::raise(SIGKILL);
      return line_text(w, r);
    });
  };
  CHECK_THROWS_WITH(isolated(run), ContainsSubstring("signal"));
  CHECK(leaks_after_failure<std::exception>(run) == "");
}

TEST_CASE("ordered_writes rejects 0 and more than 256 writers", "[lab03][task4]") {
  const ScratchDir dir;
  CHECK_THROWS_AS(isolated([&] { ordered_writes(dir / "out.txt", 0, 1, line_text); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([&] { ordered_writes(dir / "out.txt", 257, 1, line_text); }), ContainsSubstring("writers"));
}

TEST_CASE("sixteen threads in random arrival order pass the gate in ticket order", "[lab03][task4]") {
  parlab_test::Watchdog watchdog("16 threads waiting on a TurnGate", 30s);
  std::vector<unsigned> tickets(16);
  for (unsigned i = 0; i < 16; ++i) tickets[i] = i;
  std::shuffle(tickets.begin(), tickets.end(), std::mt19937(12345));
  const auto [order, current] = isolated([&] {
    TurnGate gate;
    std::mutex m;
    std::vector<unsigned> passed;
    {
      std::vector<std::jthread> threads;
      for (unsigned t : tickets) {
        threads.emplace_back([&, t] {
          for (unsigned round = 0; round < 3; ++round) {
            gate.wait_for(round * 16 + t);
            {
              const std::lock_guard lock(m);
              passed.push_back(round * 16 + t);
            }
            gate.advance();
          }
        });
      }
    }
    return std::pair{passed, gate.current()};
  });
  std::vector<unsigned> want(48);
  for (unsigned i = 0; i < 48; ++i) want[i] = i;
  CHECK(order == want);
  CHECK(current == 48);
}

TEST_CASE("waiting for a turn that has passed is a logic error and not a hang", "[lab03][task4]") {
  parlab_test::Watchdog watchdog("TurnGate::wait_for on a passed ticket", 10s);
  struct Seen {
    std::uint64_t new_gate;
    std::uint64_t after_two_advances;
    bool passed_ticket_was_logic_error;
  };
  const Seen seen = isolated([] {
    TurnGate gate;
    Seen s{};
    s.new_gate = gate.current();
    gate.wait_for(0);  // already our turn: returns at once
    gate.advance();
    gate.advance();
    s.after_two_advances = gate.current();
    try {
      gate.wait_for(1);
    } catch (const std::logic_error&) {
      s.passed_ticket_was_logic_error = true;
    }
    gate.wait_for(2);
    return s;
  });
  CHECK(seen.new_gate == 0);
  CHECK(seen.after_two_advances == 2);
  CHECK(seen.passed_ticket_was_logic_error);
}

TEST_CASE("a TurnGate made before fork orders processes", "[lab03][task4]") {
  parlab_test::Watchdog watchdog("three processes waiting on one TurnGate", 30s);
  const ScratchDir dir;
  struct Seen {
    bool child_succeeded[3];
    std::uint64_t current;
  };
  const Seen seen = isolated([&] {
    Seen s{};
    TurnGate gate;
    std::vector<parlab::ChildProcess> children;
    for (unsigned c = 3; c-- > 0;) {  // forked in reverse order
      children.push_back(parlab::ChildProcess::fork([&, c] {
        gate.wait_for(c);
        std::ofstream(dir / "log.txt", std::ios::app) << c << '\n';
        gate.advance();
        return 0;
      }));
    }
    for (std::size_t c = 0; c < children.size(); ++c) s.child_succeeded[c] = children[c].wait().success();
    s.current = gate.current();
    return s;
  });
  for (const bool succeeded : seen.child_succeeded) CHECK(succeeded);
  CHECK(read_lines(dir / "log.txt") == std::vector<std::string>{"0", "1", "2"});
  CHECK(seen.current == 3);
}
