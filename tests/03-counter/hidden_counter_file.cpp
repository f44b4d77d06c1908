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
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab/lab03/counter_file.hpp"
#include "parlab/lab03/scratch_dir.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/explain.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab03;
using parlab_test::ContainsSubstring;

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

std::string describe(LockMode mode, Backend backend, unsigned workers, std::uint64_t increments) {
  return "run_file_counter(" + std::string(name(mode)) + ", " + std::to_string(workers) + " " +
         std::string(name(backend)) + " x " + std::to_string(increments) + ")";
}

// Forks a child that takes the counter's lock, reports that it holds it, and then waits
// to be killed. Returns once the lock is held.
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
  REQUIRE(parlab::read_value(ready.read_end.get(), byte));  // false: the child died first
  return child;
}

}  // namespace

// ---- task 1 -----------------------------------------------------------------------------

TEST_CASE("increments without a lock count correctly when nothing runs beside them", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  for (int i = 0; i < 100; ++i) (void)increment(counter, LockMode::none);
  CHECK(read_text(counter) == "100\n");
}

TEST_CASE("write_counter replaces the whole file and leaves no temporary file", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "123456789012345\n");
  write_counter(counter, 7);
  CHECK(read_text(counter) == "7\n");
  write_counter(counter, 18446744073709551615u);
  CHECK(read_text(counter) == "18446744073709551615\n");
  write_counter(counter, 0);
  CHECK(read_text(counter) == "0\n");
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) names.push_back(e.path().filename().string());
  CHECK(names == std::vector<std::string>{"count.txt"});
}

TEST_CASE("write_counter replaces the counter by rename and never rewrites it in place", "[lab03][task1]") {
  // A reader that opened the counter before the write must still see the old text whole:
  // that is only true when the new text goes into a new file renamed over the old one.
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_counter(counter, 41);
  std::ifstream reader(counter, std::ios::binary);
  REQUIRE(reader.is_open());
  write_counter(counter, 1000000);
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
  for (int i = 0; i < 200; ++i) (void)increment(counter, mode);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"count.txt", "count.txt.lock"});
  CHECK(read_text(counter) == "200\n");
}

TEST_CASE("the lock lives in the lock file next to the counter", "[lab03][task1]") {
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const CounterLock lock(counter, mode);
  CHECK(std::filesystem::exists(lock_path(counter)));
  CHECK(lock.mode() == mode);
  CHECK_FALSE(CounterLock::try_acquire(counter, mode).has_value());
}

TEST_CASE("a lock held by another process keeps this process out until it is released", "[lab03][task1]") {
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  parlab_test::Watchdog watchdog("a child holding the " + std::string(name(mode)) + " lock", 20s);
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const parlab_test::ResourceSnapshot before;
  {
    auto holder = child_holding_lock(counter, mode);
    CHECK_FALSE(CounterLock::try_acquire(counter, mode).has_value());
    holder.kill(SIGKILL);
    (void)holder.wait();
  }
  CHECK(CounterLock::try_acquire(counter, mode).has_value());
  CHECK(before.leaks() == "");
}

TEST_CASE("a lock holder killed by SIGKILL releases the lock to the next increment", "[lab03][task1]") {
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "10\n");
  auto holder = child_holding_lock(counter, mode);
  REQUIRE_FALSE(CounterLock::try_acquire(counter, mode).has_value());
  holder.kill(SIGKILL);
  CHECK(holder.wait().signal == SIGKILL);
  parlab_test::Watchdog watchdog("increment after the lock holder was SIGKILLed (" + std::string(name(mode)) + ")", 10s);
  CHECK(increment(counter, mode) == 11);
}

TEST_CASE("a stale lock file left by a crashed process does not block anyone", "[lab03][task1]") {
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  // What crashed holders leave behind: a lock file with some other program's pid in it,
  // and a lock file whose last holder ended without ever unlocking.
  write_text(lock_path(counter), "99999\n");
  {
    auto crashed = parlab::ChildProcess::fork([&] {
      const CounterLock lock(counter, mode);
      ::_exit(0);  // no destructor, no unlock
      return 0;
    });
    CHECK(crashed.wait().success());
  }
  REQUIRE(std::filesystem::exists(lock_path(counter)));
  parlab_test::Watchdog watchdog("increments beside a stale lock file (" + std::string(name(mode)) + ")", 20s);
  CHECK(increment(counter, mode) == 1);
  CHECK(run_file_counter(counter, mode, Backend::threads, 2, 100) == 201);
}

TEST_CASE("try_acquire with no lock mode always succeeds", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const CounterLock first(counter, LockMode::none);
  auto second = CounterLock::try_acquire(counter, LockMode::none);
  REQUIRE(second.has_value());
  CHECK(second->mode() == LockMode::none);
}

TEST_CASE("an increment past 2^64 - 1 is an overflow error and keeps the count", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "18446744073709551614\n");
  CHECK(increment(counter, LockMode::flock) == 18446744073709551615u);
  CHECK_THROWS_AS(increment(counter, LockMode::flock), std::overflow_error);
  CHECK(read_text(counter) == "18446744073709551615\n");
}

TEST_CASE("an increment in a directory that does not exist is a system error", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "no-such-dir" / "count.txt";
  const LockMode mode = GENERATE(LockMode::none, LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  CHECK_THROWS_AS(increment(counter, mode), std::system_error);
}

TEST_CASE("unlocked increments may lose updates but never corrupt the counter", "[lab03][task1]") {
  // Lost updates are likely here but not certain, so the test only asks for a sane count.
  parlab_test::Watchdog watchdog(describe(LockMode::none, Backend::processes, 4, 500), 60s);
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const std::uint64_t total = run_file_counter(counter, LockMode::none, Backend::processes, 4, 500);
  CHECK(total >= 1);
  CHECK(total <= 2000);
  CHECK(read_counter(counter) == total);
}

// ---- task 2 -----------------------------------------------------------------------------

TEST_CASE("parse_counter accepts exactly a decimal count with one optional newline", "[lab03][task2]") {
  CHECK(parse_counter("") == 0);
  CHECK(parse_counter("0") == 0);
  CHECK(parse_counter("7\n") == 7);
  CHECK(parse_counter("000123\n") == 123);
  CHECK(parse_counter("40000\n") == 40000);
  CHECK(parse_counter("18446744073709551615\n") == std::numeric_limits<std::uint64_t>::max());
}

TEST_CASE("parse_counter rejects every text that is not a count", "[lab03][task2]") {
  const std::string bad = GENERATE(as<std::string>{}, "\n", " 1", "1 ", "+1", "-1", "1\n\n", "1\r\n", "12x", "x12",
                                   "1\n2\n", "0x10", "1e3", "18446744073709551616", "99999999999999999999999",
                                   std::string("4\0002", 3), "forty");
  CAPTURE(bad);
  CHECK_THROWS_AS(parse_counter(bad), CounterCorrupt);
  CHECK_THROWS_WITH(parse_counter(bad), ContainsSubstring("corrupt"));
}

TEST_CASE("read_counter: a missing or empty file is 0 and garbage is an error", "[lab03][task2]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  CHECK(read_counter(counter) == 0);
  write_text(counter, "");
  CHECK(read_counter(counter) == 0);
  write_text(counter, "12\n");
  CHECK(read_counter(counter) == 12);
  write_text(counter, std::string(5000, '7'));
  CHECK_THROWS_AS(read_counter(counter), CounterCorrupt);
  write_text(counter, "\n");
  CHECK_THROWS_AS(read_counter(counter), CounterCorrupt);
}

TEST_CASE("a corrupt counter stops every worker and is never reset to 0", "[lab03][task2]") {
  const Backend backend = GENERATE(Backend::threads, Backend::processes);
  const LockMode mode = GENERATE(LockMode::none, LockMode::flock, LockMode::ofd);
  CAPTURE(name(backend), name(mode));
  parlab_test::Watchdog watchdog(describe(mode, backend, 3, 100) + " on a corrupt file", 30s);
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "12 apples\n");
  const parlab_test::ResourceSnapshot before;
  if (backend == Backend::threads) {
    CHECK_THROWS_AS(run_file_counter(counter, mode, backend, 3, 100), CounterCorrupt);
  } else {
    CHECK_THROWS_AS(run_file_counter(counter, mode, backend, 3, 100), WorkerFailed);
    CHECK_THROWS_WITH(run_file_counter(counter, mode, backend, 3, 100), ContainsSubstring("corrupt"));
  }
  CHECK(read_text(counter) == "12 apples\n");
  CHECK(before.leaks() == "");
}

TEST_CASE("four workers times 10000 increments give exactly 40000 in every locked mode", "[lab03][task2]") {
  const Backend backend = GENERATE(Backend::threads, Backend::processes);
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(backend), name(mode));
  parlab_test::Watchdog watchdog(describe(mode, backend, 4, 10000), 120s);
  PARLAB_EXPLAIN("lost updates under a lock: the lock must be held from the read to the rename of the new file, and it must be on a separate lock file (count.txt.lock): write_counter replaces count.txt, so a lock on it guards a file that is gone");
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const parlab_test::ResourceSnapshot before;
  CHECK(run_file_counter(counter, mode, backend, 4, 10000) == 40000);
  CHECK(read_text(counter) == "40000\n");
  CHECK(before.leaks() == "");
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
  CHECK(run_file_counter(counter, mode, backend, workers, 150) == 1000 + workers * 150);
  CHECK(run_file_counter(counter, mode, backend, workers, 0) == 1000 + workers * 150);
}

TEST_CASE("a concurrent reader process always parses a value that never goes down", "[lab03][task2]") {
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  parlab_test::Watchdog watchdog(describe(mode, Backend::processes, 4, 2500) + " beside a reader", 120s);
  PARLAB_EXPLAIN("a reader saw a half-written or older count: write the new value to a temporary file and rename() it over the counter, and take the lock for the whole read-modify-write");
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
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
  const std::uint64_t total = run_file_counter(counter, mode, Backend::processes, 4, 2500);
  stop.write_end.reset();  // tells the reader to stop after one more read
  const auto status = reader.wait();
  CHECK(total == 10000);
  CHECK(status.describe() == "exited with code 0");
}

TEST_CASE("run_workers rejects 0 and more than 256 workers", "[lab03][task2]") {
  const Backend backend = GENERATE(Backend::threads, Backend::processes);
  CAPTURE(name(backend));
  const ScratchDir dir;
  CHECK_THROWS_AS(run_workers(backend, 0, [](unsigned) {}), std::invalid_argument);
  CHECK_THROWS_WITH(run_workers(backend, 257, [](unsigned) {}), ContainsSubstring("workers"));
  CHECK_THROWS_WITH(run_file_counter(dir / "c", LockMode::flock, backend, 0, 1), ContainsSubstring("workers"));
}

TEST_CASE("run_workers runs every worker once with its own index", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_workers(threads, 8)", 20s);
  std::vector<std::atomic<int>> seen(8);
  run_workers(Backend::threads, 8, [&](unsigned w) { seen.at(w).fetch_add(1); });
  for (auto& s : seen) CHECK(s.load() == 1);
}

TEST_CASE("run_workers on threads rethrows a worker's exception after joining all", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_workers(threads, 4) with a failing worker", 20s);
  std::atomic<int> finished{0};
  CHECK_THROWS_WITH(run_workers(Backend::threads, 4,
                                [&](unsigned w) {
                                  if (w == 2) throw std::runtime_error("worker two gives up");
                                  std::this_thread::sleep_for(20ms);
                                  finished.fetch_add(1);
                                }),
                    ContainsSubstring("worker two gives up"));
  CHECK(finished.load() == 3);
}

TEST_CASE("run_workers on processes turns a failing child into WorkerFailed with its message", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_workers(processes, 3) with a failing worker", 20s);
  const parlab_test::ResourceSnapshot before;
  CHECK_THROWS_AS(run_workers(Backend::processes, 3,
                              [](unsigned w) {
                                if (w == 1) throw std::runtime_error("disk on fire");
                              }),
                  WorkerFailed);
  CHECK_THROWS_WITH(run_workers(Backend::processes, 3,
                                [](unsigned w) {
                                  if (w == 1) throw std::runtime_error("disk on fire");
                                }),
                    ContainsSubstring("disk on fire"));
  CHECK(before.leaks() == "");
}

TEST_CASE("run_workers on processes reports a worker killed by a signal and reaps the rest", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_workers(processes, 4) with a SIGKILLed worker", 20s);
  const parlab_test::ResourceSnapshot before;
  CHECK_THROWS_WITH(run_workers(Backend::processes, 4,
                                [](unsigned w) {
                                  if (w == 3) ::raise(SIGKILL);
                                }),
                    ContainsSubstring("signal"));
  CHECK(before.leaks() == "");
}

TEST_CASE("run_workers on processes shares nothing but files", "[lab03][task2]") {
  // A plain variable is copied into each child: the parent never sees the children's writes.
  parlab_test::Watchdog watchdog("run_workers(processes, 2)", 20s);
  const ScratchDir dir;
  int local = 0;
  run_workers(Backend::processes, 2, [&](unsigned w) {
    local = 1;
    write_text(dir / ("worker" + std::to_string(w)), "done");
  });
  CHECK(local == 0);
  CHECK(read_text(dir / "worker0") == "done");
  CHECK(read_text(dir / "worker1") == "done");
}
