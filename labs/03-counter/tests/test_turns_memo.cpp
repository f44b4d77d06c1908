// Lab 03, tasks 4 and 5: visible tests for ordered writers and the memo cache.
#include <atomic>
#include <csignal>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "parlab/child_process.hpp"
#include "parlab/lab03/memo.hpp"
#include "parlab/lab03/scratch_dir.hpp"
#include "parlab/lab03/turns.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab03;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;  // every call into the code under test runs in a child process

PARLAB_ISOLATED_EXCEPTION(parlab::lab03::WorkerFailed);

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

// What one DiskMemo answered to a case's questions, asked in a child process and checked here.
struct ComputeOnce {
  std::optional<std::string> before;
  std::string first;
  std::string second;
  std::optional<std::string> from_new_memo;
  int calls;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ComputeOnce, before, first, second, from_new_memo, calls)

struct KeyRefusals {
  std::set<std::string> refused_by_get;     // keys get_or_compute threw std::invalid_argument for
  std::set<std::string> refused_by_lookup;  // keys lookup threw std::invalid_argument for
  std::optional<std::string> a_b_message;   // what lookup("a/b") threw, if it threw
  int calls;  // computes for the bad keys
  std::string safe_value;
  std::string longest_value;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(KeyRefusals, refused_by_get, refused_by_lookup, a_b_message, calls, safe_value,
                                   longest_value)

struct RetryAfterFailure {
  std::optional<std::string> thrown;  // what the failing get_or_compute threw, if it threw
  std::optional<std::string> stored;
  std::string recomputed;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RetryAfterFailure, thrown, stored, recomputed)

struct TwoKeys {
  std::string one;
  std::string empty;
  std::optional<std::string> lookup_one;
  std::optional<std::string> lookup_empty;
  std::string empty_again;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TwoKeys, one, empty, lookup_one, lookup_empty, empty_again)

// The message of the exception `call` throws, or nothing when it returns (run in a child:
// several calls on one object must be made in the same process).
template <class Exception, class Call>
std::optional<std::string> message_thrown(Call&& call) {
  try {
    call();
  } catch (const Exception& e) {
    return e.what();
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("threads pass a TurnGate in ticket order", "[lab03][task4]") {
  parlab_test::Watchdog watchdog("four threads waiting on a TurnGate", 30s);
  const auto [order, current] = isolated([] {
    TurnGate gate;
    std::mutex m;
    std::vector<unsigned> passed;
    {
      std::vector<std::jthread> threads;
      for (unsigned t : {3u, 1u, 0u, 2u}) {
        threads.emplace_back([&, t] {
          gate.wait_for(t);
          {
            const std::lock_guard lock(m);
            passed.push_back(t);
          }
          gate.advance();
        });
      }
    }
    return std::pair{passed, gate.current()};
  });
  CHECK(order == std::vector<unsigned>{0, 1, 2, 3});
  CHECK(current == 4);
}

TEST_CASE("three writer processes write their lines in turn", "[lab03][task4]") {
  parlab_test::Watchdog watchdog("ordered_writes(3 writers, 2 rounds)", 30s);
  const ScratchDir dir;
  // The leaks are those of the process that ran the writers.
  const std::string leaks = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    ordered_writes(dir / "out.txt", 3, 2,
                   [](unsigned w, unsigned r) { return "writer " + std::to_string(w) + " round " + std::to_string(r); });
    return before.leaks();
  });
  CHECK(read_lines(dir / "out.txt") == std::vector<std::string>{"writer 0 round 0", "writer 1 round 0",
                                                                "writer 2 round 0", "writer 0 round 1",
                                                                "writer 1 round 1", "writer 2 round 1"});
  CHECK(leaks == "");
}

TEST_CASE("a new TurnGate is at ticket 0 and wait_for the current ticket returns at once", "[lab03][task4]") {
  struct Currents {
    std::uint64_t new_gate;
    std::uint64_t after_advance;
    std::uint64_t after_wait;
  };
  const Currents current = isolated([] {
    TurnGate gate;
    Currents c{};
    c.new_gate = gate.current();
    gate.wait_for(0);
    gate.advance();
    c.after_advance = gate.current();
    gate.wait_for(1);
    c.after_wait = gate.current();
    return c;
  });
  CHECK(current.new_gate == 0);
  CHECK(current.after_advance == 1);
  CHECK(current.after_wait == 1);  // waiting does not move the turn
}

TEST_CASE("waiting for a ticket whose turn has passed is a logic_error", "[lab03][task4]") {
  const auto [logic_error, current] = isolated([] {
    TurnGate gate;
    gate.advance();
    gate.advance();
    const auto thrown = message_thrown<std::logic_error>([&] { gate.wait_for(1); });
    return std::pair{thrown, gate.current()};
  });
  CHECK(logic_error.has_value());
  CHECK(current == 2);
}

TEST_CASE("ordered_writes empties the file first and 0 rounds leave it empty", "[lab03][task4]") {
  parlab_test::Watchdog watchdog("ordered_writes(2 writers, 0 rounds, then 1 round)", 30s);
  const ScratchDir dir;
  const auto out = dir / "out.txt";
  {
    std::ofstream old(out);
    old << "old line\n";
  }
  isolated([&] { ordered_writes(out, 2, 0, numbered_line); });
  CHECK(read_text(out) == "");
  isolated([&] { ordered_writes(out, 2, 1, numbered_line); });
  CHECK(read_text(out) == "0/0\n1/0\n");
}

TEST_CASE("a writer whose line maker throws becomes WorkerFailed that names it", "[lab03][task4]") {
  parlab_test::Watchdog watchdog("ordered_writes(3 writers, 2 rounds), writer 1 throws", 30s);
  const ScratchDir dir;
  const LineMaker line = [](unsigned w, unsigned r) -> std::string {
    if (w == 1) throw std::runtime_error("no text for writer 1");
    return numbered_line(w, r);
  };
  CHECK_THROWS_AS(isolated([&] { ordered_writes(dir / "out.txt", 3, 2, line); }), WorkerFailed);
  CHECK_THROWS_WITH(isolated([&] { ordered_writes(dir / "out.txt", 3, 2, line); }),
                    ContainsSubstring("writer 1 of 3") && ContainsSubstring("no text for writer 1"));
  // What the failed run left behind, in the process that ran it.
  const std::string leaks = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    try {
      ordered_writes(dir / "out.txt", 3, 2, line);
    } catch (const WorkerFailed&) {
    }
    return before.leaks();
  });
  CHECK(leaks == "");
}

TEST_CASE("a writer killed by a signal becomes WorkerFailed and the others do not wait for it", "[lab03][task4]") {
  // Promise: a writer that dies is WorkerFailed, never a hang (the writers after it would wait
  // for a turn that never comes, so they are stopped); the message names the writer and how it
  // ended ("writer 1 of 3 killed by signal 9 ..."). The line maker runs in the writer's own
  // process, so it can kill that writer.
  parlab_test::Watchdog watchdog("ordered_writes(3 writers, 2 rounds), writer 1 is killed", 30s);
  const ScratchDir dir;
  const LineMaker line = [](unsigned w, unsigned r) -> std::string {
    if (w == 1) ::raise(SIGKILL);
    return numbered_line(w, r);
  };
  CHECK_THROWS_WITH(isolated([&] { ordered_writes(dir / "out.txt", 3, 2, line); }),
                    ContainsSubstring("writer 1 of 3 killed by signal 9"));
}

TEST_CASE("ordered_writes rejects 0 and 257 writers", "[lab03][task4]") {
  const ScratchDir dir;
  CHECK_THROWS_AS(isolated([&] { ordered_writes(dir / "out.txt", 0, 1, numbered_line); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([&] { ordered_writes(dir / "out.txt", 257, 1, numbered_line); }), ContainsSubstring("writers"));
}

TEST_CASE("the memo cache computes a value once and then reads it from disk", "[lab03][task5]") {
  const ScratchDir dir;
  const ComputeOnce seen = isolated([&] {
    DiskMemo memo(dir.path());
    int calls = 0;
    const auto compute = [&] {
      ++calls;
      return std::string("54208");
    };
    ComputeOnce s;
    s.before = memo.lookup("primes-100M");
    s.first = memo.get_or_compute("primes-100M", compute);
    s.second = memo.get_or_compute("primes-100M", compute);
    s.from_new_memo = DiskMemo(dir.path()).lookup("primes-100M");
    s.calls = calls;
    return s;
  });
  CHECK_FALSE(seen.before.has_value());
  CHECK(seen.first == "54208");
  CHECK(seen.second == "54208");
  CHECK(seen.from_new_memo == std::optional<std::string>("54208"));
  CHECK(seen.calls == 1);
}

TEST_CASE("a memo needs a directory that exists", "[lab03][task5]") {
  const ScratchDir dir;
  const auto missing = dir / "missing";
  const auto open_memo = [](const std::filesystem::path& p) { isolated([&] { const DiskMemo memo(p); }); };
  CHECK_THROWS_AS(open_memo(missing), std::invalid_argument);
  CHECK_THROWS_WITH(open_memo(missing), ContainsSubstring(missing.string()));
  {
    std::ofstream file(dir / "plain-file");
    file << "x";
  }
  CHECK_THROWS_AS(open_memo(dir / "plain-file"), std::invalid_argument);
}

TEST_CASE("memo keys must be safe file names", "[lab03][task5]") {
  const ScratchDir dir;
  const std::vector<std::string> bad_keys{std::string(),       std::string("../escape"),  std::string(".hidden"),
                                          std::string("a/b"), std::string("with space"), std::string(101, 'k')};
  const KeyRefusals seen = isolated([&] {
    DiskMemo memo(dir.path());
    KeyRefusals r{};
    int calls = 0;
    const auto compute = [&] {
      ++calls;
      return std::string("v");
    };
    for (const std::string& key : bad_keys) {
      const auto by_get = message_thrown<std::invalid_argument>([&] { (void)memo.get_or_compute(key, compute); });
      if (by_get) r.refused_by_get.insert(key);
      const auto by_lookup = message_thrown<std::invalid_argument>([&] { (void)memo.lookup(key); });
      if (by_lookup) r.refused_by_lookup.insert(key);
    }
    r.a_b_message = message_thrown<std::exception>([&] { (void)memo.lookup("a/b"); });
    r.calls = calls;
    r.safe_value = memo.get_or_compute("Az09_.-", compute);
    r.longest_value = memo.get_or_compute(std::string(100, 'k'), compute);
    return r;
  });
  for (const std::string& key : bad_keys) {
    CAPTURE(key);
    CHECK(seen.refused_by_get.count(key) == 1);     // get_or_compute threw std::invalid_argument
    CHECK(seen.refused_by_lookup.count(key) == 1);  // lookup threw std::invalid_argument
  }
  REQUIRE(seen.a_b_message.has_value());
  CHECK_THAT(*seen.a_b_message, ContainsSubstring("a/b"));
  CHECK(seen.calls == 0);
  CHECK(seen.safe_value == "v");
  CHECK(seen.longest_value == "v");
}

TEST_CASE("a failed compute stores nothing and the next call computes again", "[lab03][task5]") {
  const ScratchDir dir;
  const RetryAfterFailure seen = isolated([&] {
    DiskMemo memo(dir.path());
    RetryAfterFailure r;
    r.thrown = message_thrown<std::exception>([&] {
      (void)memo.get_or_compute("answer", []() -> std::string { throw std::runtime_error("compute failed"); });
    });
    r.stored = memo.lookup("answer");
    r.recomputed = memo.get_or_compute("answer", [] { return std::string("42"); });
    return r;
  });
  REQUIRE(seen.thrown.has_value());
  CHECK_THAT(*seen.thrown, ContainsSubstring("compute failed"));
  CHECK_FALSE(seen.stored.has_value());
  CHECK(seen.recomputed == "42");
}

TEST_CASE("two keys are kept apart and an empty value is a value", "[lab03][task5]") {
  const ScratchDir dir;
  const TwoKeys seen = isolated([&] {
    DiskMemo memo(dir.path());
    TwoKeys k;
    k.one = memo.get_or_compute("one", [] { return std::string("1"); });
    k.empty = memo.get_or_compute("empty", [] { return std::string(); });
    k.lookup_one = memo.lookup("one");
    k.lookup_empty = memo.lookup("empty");
    k.empty_again = memo.get_or_compute("empty", [] { return std::string("recomputed"); });
    return k;
  });
  CHECK(seen.one == "1");
  CHECK(seen.empty == "");
  CHECK(seen.lookup_one == std::optional<std::string>("1"));
  CHECK(seen.lookup_empty == std::optional<std::string>(""));
  CHECK(seen.empty_again == "");
}

TEST_CASE("a thread that asks while another computes gets that value without computing", "[lab03][task5]") {
  parlab_test::Watchdog watchdog("two threads asking a DiskMemo for one key", 30s);
  const ScratchDir dir;
  const auto [second_got, calls] = isolated([&] {
    DiskMemo memo(dir.path());
    std::atomic<int> computed{0};
    std::atomic<bool> computing{false};
    std::string got;
    {
      std::jthread second;
      const auto slow = [&] {
        ++computed;
        computing = true;
        // Give the second thread time to ask while this one computes. A slow machine may
        // make it ask later; it must then read the stored value, so the checks still hold.
        std::this_thread::sleep_for(100ms);
        return std::string("slow value");
      };
      std::jthread first([&] { (void)memo.get_or_compute("shared", slow); });
      while (!computing) std::this_thread::sleep_for(1ms);
      second = std::jthread([&] { got = memo.get_or_compute("shared", slow); });
    }
    return std::pair{got, computed.load()};
  });
  CHECK(second_got == "slow value");
  CHECK(calls == 1);
}

TEST_CASE("three processes asking for one missing key compute it once", "[lab03][task5]") {
  // Promise: compute() runs exactly once across all threads AND processes that ask for a key
  // at the same time. Each compute() appends a line to calls.txt (files are what forked
  // processes share); each process exits with 0 only if it got the value.
  parlab_test::Watchdog watchdog("three processes asking a DiskMemo for one key", 30s);
  const ScratchDir dir;
  const auto cache = dir / "cache";
  std::filesystem::create_directory(cache);
  const auto calls_file = dir / "calls.txt";
  const auto endings = isolated([&] {
    const auto compute = [&] {
      std::ofstream(calls_file, std::ios::app) << "computed\n";
      std::this_thread::sleep_for(100ms);  // widens the overlap; no bound is checked
      return std::string("shared value");
    };
    std::vector<parlab::ChildProcess> askers;
    for (int i = 0; i < 3; ++i) {
      askers.push_back(parlab::ChildProcess::fork([&] {
        DiskMemo memo(cache);
        return memo.get_or_compute("answer", compute) == "shared value" ? 0 : 1;
      }));
    }
    std::vector<std::string> ended;
    for (auto& a : askers) ended.push_back(a.wait().describe());
    return ended;
  });
  CHECK(endings == std::vector<std::string>(3, "exited with code 0"));
  CHECK(read_lines(calls_file) == std::vector<std::string>{"computed"});
}
