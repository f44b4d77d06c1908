// Lab 03, tasks 1 and 2: hidden tests for the counter file, its locks and the runners.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab/lab03/counter_file.hpp"
#include "parlab/lab03/scratch_dir.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/explain.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

#include "leaks_after_failure.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab03;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;
using lab03_hidden::leaks_after_failure;

PARLAB_ISOLATED_EXCEPTION(parlab::lab03::CounterCorrupt);
PARLAB_ISOLATED_EXCEPTION(parlab::lab03::WorkerFailed);

namespace {

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<std::string> sorted_names_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string describe(LockMode mode, Backend backend, unsigned workers, std::uint64_t increments) {
  return "run_file_counter(" + std::string(name(mode)) + ", " + std::to_string(workers) + " " +
         std::string(name(backend)) + " x " + std::to_string(increments) + ")";
}

// Forks a child that takes the counter's lock, reports that it holds it, and then waits
// to be killed. Returns once the lock is held. Called inside isolated() (the lock is the
// student's code), so a child that dies first is an exception rather than a REQUIRE.
parlab::ChildProcess child_holding_lock(const std::filesystem::path& counter, LockMode mode) {
  auto ready = parlab::Pipe::create();
  auto child = parlab::ChildProcess::fork([&]() -> int {
    ready.read_end.reset();
    const CounterLock lock(counter, mode);
    const char byte = 'L';
    parlab::write_value(ready.write_end.get(), byte);
    while (true) ::pause();
  });
  ready.write_end.reset();
  char byte = 0;
  if (!parlab::read_value(ready.read_end.get(), byte)) {
    throw std::runtime_error("the child that was to hold the " + std::string(name(mode)) + " lock died before it held it");
  }
  return child;
}

}  // namespace

// ---- task 1 -----------------------------------------------------------------------------

TEST_CASE("increments without a lock count correctly when nothing runs beside them", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  isolated([&] {
    for (int i = 0; i < 100; ++i) (void)increment(counter, LockMode::none);
  });
  CHECK(read_text(counter) == "100\n");
}

TEST_CASE("write_counter replaces the whole file and leaves no temporary file", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "123456789012345\n");
  isolated([&] { write_counter(counter, 7); });
  CHECK(read_text(counter) == "7\n");
  isolated([&] { write_counter(counter, 18446744073709551615u); });
  CHECK(read_text(counter) == "18446744073709551615\n");
  isolated([&] { write_counter(counter, 0); });
  CHECK(read_text(counter) == "0\n");
  CHECK(sorted_names_in(dir.path()) == std::vector<std::string>{"count.txt"});
}

TEST_CASE("write_counter replaces the counter by rename and never rewrites it in place", "[lab03][task1]") {
  // A reader that opened the counter before the write must still see the old text whole:
  // that is only true when the new text goes into a new file renamed over the old one.
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  isolated([&] { write_counter(counter, 41); });
  std::ifstream reader(counter, std::ios::binary);
  REQUIRE(reader.is_open());
  isolated([&] { write_counter(counter, 1000000); });
  std::ostringstream s;
  s << reader.rdbuf();
  CHECK(s.str() == "41\n");
  CHECK(read_text(counter) == "1000000\n");
}

TEST_CASE("many increments leave only the counter and its lock file in the directory", "[lab03][task1]") {
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  isolated([&] {
    for (int i = 0; i < 200; ++i) (void)increment(counter, mode);
  });
  CHECK(sorted_names_in(dir.path()) == std::vector<std::string>{"count.txt", "count.txt.lock"});
  CHECK(read_text(counter) == "200\n");
}

TEST_CASE("the lock lives in the lock file next to the counter", "[lab03][task1]") {
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  struct WhileHeld {
    bool lock_file_exists;
    LockMode mode;
    bool second_lock_got_it;
  };
  const WhileHeld seen = isolated([&] {
    const CounterLock lock(counter, mode);
    return WhileHeld{std::filesystem::exists(lock_path(counter)), lock.mode(),
                     CounterLock::try_acquire(counter, mode).has_value()};
  });
  CHECK(seen.lock_file_exists);
  CHECK(seen.mode == mode);
  CHECK_FALSE(seen.second_lock_got_it);
}

TEST_CASE("a lock held by another process keeps this process out until it is released", "[lab03][task1]") {
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  parlab_test::Watchdog watchdog("a child holding the " + std::string(name(mode)) + " lock", 20s);
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const auto [got_while_held, got_after_release, leaks] = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    bool while_held = true;
    {
      auto holder = child_holding_lock(counter, mode);
      while_held = CounterLock::try_acquire(counter, mode).has_value();
      holder.kill(SIGKILL);
      (void)holder.wait();
    }
    const bool after = CounterLock::try_acquire(counter, mode).has_value();
    return std::tuple{while_held, after, before.leaks()};
  });
  CHECK_FALSE(got_while_held);
  CHECK(got_after_release);
  CHECK(leaks == "");
}

TEST_CASE("a lock holder killed by SIGKILL releases the lock to the next increment", "[lab03][task1]") {
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "10\n");
  const auto [got_while_held, holder_signal] = isolated([&] {
    auto holder = child_holding_lock(counter, mode);
    const bool while_held = CounterLock::try_acquire(counter, mode).has_value();
    holder.kill(SIGKILL);
    return std::pair{while_held, holder.wait().signal};
  });
  REQUIRE_FALSE(got_while_held);
  CHECK(holder_signal == SIGKILL);
  parlab_test::Watchdog watchdog("increment after the lock holder was SIGKILLed (" + std::string(name(mode)) + ")", 10s);
  CHECK(isolated([&] { return increment(counter, mode); }) == 11);
}

TEST_CASE("a stale lock file left by a crashed process does not block anyone", "[lab03][task1]") {
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  // What crashed holders leave behind: a lock file with some other program's pid in it,
  // and a lock file whose last holder ended without ever unlocking.
  write_text(lock_path(counter), "99999\n");
  const bool crashed_as_planned = isolated([&] {
    auto crashed = parlab::ChildProcess::fork([&] {
      const CounterLock lock(counter, mode);
      ::_exit(0);  // no destructor, no unlock
      return 0;
    });
    return crashed.wait().success();
  });
  CHECK(crashed_as_planned);
  REQUIRE(std::filesystem::exists(lock_path(counter)));
  parlab_test::Watchdog watchdog("increments beside a stale lock file (" + std::string(name(mode)) + ")", 20s);
  CHECK(isolated([&] { return increment(counter, mode); }) == 1);
  CHECK(isolated([&] { return run_file_counter(counter, mode, Backend::threads, 2, 100); }) == 201);
}

TEST_CASE("try_acquire with no lock mode always succeeds", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const std::optional<LockMode> second_mode = isolated([&] {
    const CounterLock first(counter, LockMode::none);
    const auto second = CounterLock::try_acquire(counter, LockMode::none);
    return second ? std::optional<LockMode>(second->mode()) : std::nullopt;
  });
  REQUIRE(second_mode.has_value());
  CHECK(*second_mode == LockMode::none);
}

TEST_CASE("an increment past 2^64 - 1 is an overflow error and keeps the count", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "18446744073709551614\n");
  CHECK(isolated([&] { return increment(counter, LockMode::flock); }) == 18446744073709551615u);
  CHECK_THROWS_AS(isolated([&] { return increment(counter, LockMode::flock); }), std::overflow_error);
  CHECK(read_text(counter) == "18446744073709551615\n");
}

TEST_CASE("an increment in a directory that does not exist is a system error", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "no-such-dir" / "count.txt";
  const LockMode mode = GENERATE(LockMode::none, LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  CHECK_THROWS_AS(isolated([&] { return increment(counter, mode); }), std::system_error);
}

TEST_CASE("unlocked increments may lose updates but never corrupt the counter", "[lab03][task1]") {
  // Lost updates are likely here but not certain, so the test only asks for a sane count.
  parlab_test::Watchdog watchdog(describe(LockMode::none, Backend::processes, 4, 500), 60s);
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const std::uint64_t total = isolated([&] { return run_file_counter(counter, LockMode::none, Backend::processes, 4, 500); });
  CHECK(total >= 1);
  CHECK(total <= 2000);
  CHECK(isolated([&] { return read_counter(counter); }) == total);
}

// ---- task 2 -----------------------------------------------------------------------------

TEST_CASE("parse_counter accepts exactly a decimal count with one optional newline", "[lab03][task2]") {
  const auto parse = [](std::string_view text) { return isolated([&] { return parse_counter(text); }); };
  CHECK(parse("") == 0);
  CHECK(parse("0") == 0);
  CHECK(parse("7\n") == 7);
  CHECK(parse("000123\n") == 123);
  CHECK(parse("40000\n") == 40000);
  CHECK(parse("18446744073709551615\n") == std::numeric_limits<std::uint64_t>::max());
}

TEST_CASE("parse_counter rejects every text that is not a count", "[lab03][task2]") {
  const std::string bad = GENERATE(as<std::string>{}, "\n", " 1", "1 ", "+1", "-1", "1\n\n", "1\r\n", "12x", "x12",
                                   "1\n2\n", "0x10", "1e3", "18446744073709551616", "99999999999999999999999",
                                   std::string("4\0002", 3), "forty");
  CAPTURE(bad);
  CHECK_THROWS_AS(isolated([&] { return parse_counter(bad); }), CounterCorrupt);
  CHECK_THROWS_WITH(isolated([&] { return parse_counter(bad); }), ContainsSubstring("corrupt"));
}

TEST_CASE("read_counter: a missing or empty file is 0 and garbage is an error", "[lab03][task2]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const auto read_it = [&] { return isolated([&] { return read_counter(counter); }); };
  CHECK(read_it() == 0);
  write_text(counter, "");
  CHECK(read_it() == 0);
  write_text(counter, "12\n");
  CHECK(read_it() == 12);
  write_text(counter, std::string(5000, '7'));
  CHECK_THROWS_AS(read_it(), CounterCorrupt);
  write_text(counter, "\n");
  CHECK_THROWS_AS(read_it(), CounterCorrupt);
}

TEST_CASE("a corrupt counter stops every worker and is never reset to 0", "[lab03][task2]") {
  const Backend backend = GENERATE(Backend::threads, Backend::processes);
  const LockMode mode = GENERATE(LockMode::none, LockMode::flock, LockMode::ofd);
  CAPTURE(name(backend), name(mode));
  parlab_test::Watchdog watchdog(describe(mode, backend, 3, 100) + " on a corrupt file", 30s);
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "12 apples\n");
  const auto run = [&] { return run_file_counter(counter, mode, backend, 3, 100); };
  std::string leaks;
  if (backend == Backend::threads) {
    CHECK_THROWS_AS(isolated(run), CounterCorrupt);
    leaks = leaks_after_failure<CounterCorrupt>(run);
  } else {
    CHECK_THROWS_AS(isolated(run), WorkerFailed);
    CHECK_THROWS_WITH(isolated(run), ContainsSubstring("corrupt"));
    leaks = leaks_after_failure<WorkerFailed>(run);
  }
  CHECK(read_text(counter) == "12 apples\n");
  CHECK(leaks == "");
}

TEST_CASE("four workers times 10000 increments give exactly 40000 in every locked mode", "[lab03][task2]") {
  const Backend backend = GENERATE(Backend::threads, Backend::processes);
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(backend), name(mode));
  parlab_test::Watchdog watchdog(describe(mode, backend, 4, 10000), 120s);
  PARLAB_EXPLAIN("lost updates under a lock: the lock must be held from the read to the rename of the new file, and it must be on a separate lock file (count.txt.lock): write_counter replaces count.txt, so a lock on it guards a file that is gone");
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const auto [total, leaks] = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    const std::uint64_t counted = run_file_counter(counter, mode, backend, 4, 10000);
    return std::pair{counted, before.leaks()};
  });
  CHECK(total == 40000);
  CHECK(read_text(counter) == "40000\n");
  CHECK(leaks == "");
}

TEST_CASE("locked totals are exact for many worker counts and continue from the file", "[lab03][task2]") {
  const Backend backend = GENERATE(Backend::threads, Backend::processes);
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  const unsigned workers = GENERATE(1u, 2u, 3u, 8u);
  CAPTURE(name(backend), name(mode), workers);
  parlab_test::Watchdog watchdog(describe(mode, backend, workers, 150), 60s);
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "1000\n");
  CHECK(isolated([&] { return run_file_counter(counter, mode, backend, workers, 150); }) == 1000 + workers * 150);
  CHECK(isolated([&] { return run_file_counter(counter, mode, backend, workers, 0); }) == 1000 + workers * 150);
}

TEST_CASE("a concurrent reader process always parses a value that never goes down", "[lab03][task2]") {
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  parlab_test::Watchdog watchdog(describe(mode, Backend::processes, 4, 2500) + " beside a reader", 120s);
  PARLAB_EXPLAIN("a reader saw a half-written or older count: write the new value to a temporary file and rename() it over the counter, and take the lock for the whole read-modify-write");
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const auto [total, reader_status] = isolated([&] {
    write_counter(counter, 0);
    auto stop = parlab::Pipe::create();
    // Exit codes: 0 all good, 2 a read failed, 3 the count went down, 4 no read at all.
    auto reader = parlab::ChildProcess::fork([&]() -> int {
      stop.write_end.reset();
      std::uint64_t last = 0, reads = 0;
      while (true) {
        pollfd p{stop.read_end.get(), POLLIN, 0};
        const bool last_round = ::poll(&p, 1, 0) > 0;
        std::uint64_t v = 0;
        try {
          v = read_counter(counter);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "reader: %s\n", e.what());
          return 2;
        }
        if (v < last) {
          std::fprintf(stderr, "reader: the count went down from %llu to %llu\n", static_cast<unsigned long long>(last),
                       static_cast<unsigned long long>(v));
          return 3;
        }
        last = v;
        ++reads;
        if (last_round) return reads > 0 ? 0 : 4;
      }
    });
    stop.read_end.reset();
    const std::uint64_t counted = run_file_counter(counter, mode, Backend::processes, 4, 2500);
    stop.write_end.reset();  // tells the reader to stop after one more read
    return std::pair{counted, reader.wait().describe()};
  });
  CHECK(total == 10000);
  CHECK(reader_status == "exited with code 0");
}

TEST_CASE("run_workers rejects 0 and more than 256 workers", "[lab03][task2]") {
  const Backend backend = GENERATE(Backend::threads, Backend::processes);
  CAPTURE(name(backend));
  const ScratchDir dir;
  CHECK_THROWS_AS(isolated([&] { run_workers(backend, 0, [](unsigned) {}); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([&] { run_workers(backend, 257, [](unsigned) {}); }), ContainsSubstring("workers"));
  CHECK_THROWS_WITH(isolated([&] { return run_file_counter(dir / "c", LockMode::flock, backend, 0, 1); }),
                    ContainsSubstring("workers"));
}

TEST_CASE("run_workers runs every worker once with its own index", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_workers(threads, 8)", 20s);
  const std::vector<int> seen = isolated([] {
    std::vector<std::atomic<int>> runs(8);
    run_workers(Backend::threads, 8, [&](unsigned w) { runs.at(w).fetch_add(1); });
    std::vector<int> counts;
    for (const auto& r : runs) counts.push_back(r.load());
    return counts;
  });
  for (const int s : seen) CHECK(s == 1);
}

TEST_CASE("run_workers on threads rethrows a worker's exception after joining all", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_workers(threads, 4) with a failing worker", 20s);
  // A worker that finishes leaves a file, written before run_workers may return.
  const ScratchDir dir;
  CHECK_THROWS_WITH(isolated([&] {
                      run_workers(Backend::threads, 4, [&](unsigned w) {
                        if (w == 2) throw std::runtime_error("worker two gives up");
                        std::this_thread::sleep_for(20ms);
                        write_text(dir / ("finished-" + std::to_string(w)), "x");
                      });
                    }),
                    ContainsSubstring("worker two gives up"));
  CHECK(sorted_names_in(dir.path()).size() == 3);
}

TEST_CASE("run_workers on processes turns a failing child into WorkerFailed with its message", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_workers(processes, 3) with a failing worker", 20s);
  const auto run = [] {
    run_workers(Backend::processes, 3, [](unsigned w) {
      if (w == 1) throw std::runtime_error("disk on fire");
    });
  };
  CHECK_THROWS_AS(isolated(run), WorkerFailed);
  CHECK_THROWS_WITH(isolated(run), ContainsSubstring("disk on fire"));
  CHECK(leaks_after_failure<WorkerFailed>(run) == "");
}

TEST_CASE("run_workers on processes reports a worker killed by a signal and reaps the rest", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_workers(processes, 4) with a SIGKILLed worker", 20s);
  const auto run = [] {
    run_workers(Backend::processes, 4, [](unsigned w) {
      if (w == 3) ::raise(SIGKILL);
    });
  };
  CHECK_THROWS_WITH(isolated(run), ContainsSubstring("signal"));
  CHECK(leaks_after_failure<std::exception>(run) == "");
}

TEST_CASE("run_workers on processes shares nothing but files", "[lab03][task2]") {
  // A plain variable is copied into each child: the parent never sees the children's writes.
  parlab_test::Watchdog watchdog("run_workers(processes, 2)", 20s);
  const ScratchDir dir;
  const int local = isolated([&] {
    int variable = 0;
    run_workers(Backend::processes, 2, [&](unsigned w) {
      variable = 1;
      write_text(dir / ("worker" + std::to_string(w)), "done");
    });
    return variable;
  });
  CHECK(local == 0);
  CHECK(read_text(dir / "worker0") == "done");
  CHECK(read_text(dir / "worker1") == "done");
}
