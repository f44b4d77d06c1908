// Lab 03, tasks 1 and 2: visible tests for the counter file.
#include <atomic>
#include <chrono>
#include <exception>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

#include "parlab/lab03/counter_file.hpp"
#include "parlab/lab03/scratch_dir.hpp"
#include "parlab_test/catch.hpp"
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

std::set<std::string> names_in(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

ino_t inode_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_ino;
}

}  // namespace

TEST_CASE("increment creates the counter and counts 1 2 3 in every mode", "[lab03][task1]") {
  const LockMode mode = GENERATE(LockMode::none, LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  CHECK(increment(counter, mode) == 1);
  CHECK(increment(counter, mode) == 2);
  CHECK(increment(counter, mode) == 3);
  CHECK(read_text(counter) == "3\n");
}

TEST_CASE("increment continues from the count already in the file", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "41\n");
  CHECK(increment(counter, LockMode::flock) == 42);
  CHECK(read_text(counter) == "42\n");
}

TEST_CASE("a held lock keeps out another thread of the same process", "[lab03][task1]") {
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  {
    const CounterLock held(counter, mode);
    bool other_thread_got_it = true;
    std::thread([&] { other_thread_got_it = CounterLock::try_acquire(counter, mode).has_value(); }).join();
    CHECK_FALSE(other_thread_got_it);
  }
  CHECK(CounterLock::try_acquire(counter, mode).has_value());
}

TEST_CASE("write_counter puts a new file with the count and a newline in place of the old one", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_counter(counter, 5);
  CHECK(read_text(counter) == "5\n");
  const ino_t first = inode_of(counter);
  write_counter(counter, 6);
  CHECK(read_text(counter) == "6\n");
  // Another inode: the new text went into a new file that was renamed over the counter.
  CHECK(inode_of(counter) != first);
  CHECK(names_in(dir.path()) == std::set<std::string>{"count.txt"});  // no temporary file left
}

TEST_CASE("write_counter and CounterLock in a missing directory are system errors", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "no-such-dir" / "count.txt";
  CHECK_THROWS_AS(write_counter(counter, 1), std::system_error);
  CHECK_THROWS_AS(CounterLock(counter, LockMode::flock), std::system_error);
}

TEST_CASE("a CounterLock creates the lock file next to the counter and leaves the counter alone", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const CounterLock held(counter, LockMode::ofd);
  CHECK(lock_path(counter) == dir / "count.txt.lock");
  CHECK(names_in(dir.path()) == std::set<std::string>{"count.txt.lock"});
}

TEST_CASE("a CounterLock waits until the holder lets go", "[lab03][task1]") {
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  std::atomic<bool> released{false};
  bool released_before_taken = false;
  std::exception_ptr waiter_error;
  std::jthread waiter;
  {
    const CounterLock held(counter, mode);
    waiter = std::jthread([&] {
      try {
        const CounterLock mine(counter, mode);  // blocks while `held` lives
        released_before_taken = released;
      } catch (...) {
        waiter_error = std::current_exception();
      }
    });
    std::this_thread::sleep_for(50ms);  // give the waiter time to block (no bound is checked)
    released = true;
  }
  waiter.join();
  if (waiter_error) std::rethrow_exception(waiter_error);
  CHECK(released_before_taken);
}

TEST_CASE("a CounterLock of mode none keeps nobody out", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const CounterLock nothing(counter, LockMode::none);
  CHECK(nothing.mode() == LockMode::none);
  CHECK(CounterLock::try_acquire(counter, LockMode::flock).has_value());
}

TEST_CASE("increment refuses to count past 2^64 - 1 and keeps the count", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "18446744073709551615\n");
  CHECK_THROWS_AS(increment(counter, LockMode::flock), std::overflow_error);
  CHECK(read_text(counter) == "18446744073709551615\n");
}

TEST_CASE("parse_counter reads counts and rejects what is not one", "[lab03][task2]") {
  CHECK(parse_counter("") == 0);
  CHECK(parse_counter("0\n") == 0);
  CHECK(parse_counter("42\n") == 42);
  CHECK(parse_counter("18446744073709551615") == 18446744073709551615u);
  CHECK_THROWS_AS(parse_counter("abc"), CounterCorrupt);
  CHECK_THROWS_WITH(parse_counter("12x\n"), ContainsSubstring("corrupt"));
}

TEST_CASE("parse_counter rejects signs and spaces and a second line and 2^64", "[lab03][task2]") {
  for (const char* text : {"-1", "+1", " 1", "1 ", "1\n2\n", "7\n\n", "\n", "18446744073709551616"}) {
    CAPTURE(text);
    CHECK_THROWS_AS(parse_counter(text), CounterCorrupt);
  }
}

TEST_CASE("read_counter counts a missing or empty file as 0 and names a corrupt file", "[lab03][task2]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  CHECK(read_counter(counter) == 0);
  write_text(counter, "");
  CHECK(read_counter(counter) == 0);
  write_text(counter, "17\n");
  CHECK(read_counter(counter) == 17);
  write_text(counter, "x17\n");
  CHECK_THROWS_AS(read_counter(counter), CounterCorrupt);
  CHECK_THROWS_WITH(read_counter(counter), ContainsSubstring(counter.string()) && ContainsSubstring("x17"));
}

TEST_CASE("read_counter of a directory is a system error and not a count", "[lab03][task2]") {
  const ScratchDir dir;
  CHECK_THROWS_AS(read_counter(dir.path()), std::system_error);
}

TEST_CASE("a corrupt counter file is an error and is left as it was", "[lab03][task2]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "forty-two\n");
  CHECK_THROWS_AS(increment(counter, LockMode::flock), CounterCorrupt);
  CHECK(read_text(counter) == "forty-two\n");
}

TEST_CASE("four threads with flock count exactly", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_file_counter(flock, 4 threads x 1000)", 60s);
  const ScratchDir dir;
  CHECK(run_file_counter(dir / "count.txt", LockMode::flock, Backend::threads, 4, 1000) == 4000);
}

TEST_CASE("four processes with OFD locks count exactly and leave nothing behind", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_file_counter(ofd, 4 processes x 1000)", 60s);
  const ScratchDir dir;
  const parlab_test::ResourceSnapshot before;
  CHECK(run_file_counter(dir / "count.txt", LockMode::ofd, Backend::processes, 4, 1000) == 4000);
  CHECK(before.leaks() == "");
}

TEST_CASE("run_workers gives every worker its own index once", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_workers(4 threads, then 4 processes)", 30s);
  std::mutex m;
  std::multiset<unsigned> seen;
  run_workers(Backend::threads, 4, [&](unsigned w) {
    const std::lock_guard lock(m);
    seen.insert(w);
  });
  CHECK(seen == std::multiset<unsigned>{0, 1, 2, 3});

  // A child's memory is a copy: only files carry anything back.
  const ScratchDir dir;
  run_workers(Backend::processes, 4, [&](unsigned w) { write_text(dir / ("worker-" + std::to_string(w)), "x"); });
  CHECK(names_in(dir.path()) == std::set<std::string>{"worker-0", "worker-1", "worker-2", "worker-3"});
}

TEST_CASE("run_workers rejects 0 and 257 workers before running anything", "[lab03][task2]") {
  std::atomic<bool> ran{false};
  const auto body = [&](unsigned) { ran = true; };
  CHECK_THROWS_AS(run_workers(Backend::threads, 0, body), std::invalid_argument);
  CHECK_THROWS_WITH(run_workers(Backend::processes, 0, body), ContainsSubstring("workers"));
  CHECK_THROWS_WITH(run_workers(Backend::threads, 257, body), ContainsSubstring("256"));
  CHECK_FALSE(ran);
}

TEST_CASE("run_workers on threads rethrows what a worker threw once every worker is done", "[lab03][task2]") {
  std::atomic<int> finished{0};
  CHECK_THROWS_WITH(run_workers(Backend::threads, 4,
                                [&](unsigned w) {
                                  if (w == 2) throw std::runtime_error("worker two gave up");
                                  std::this_thread::sleep_for(20ms);
                                  ++finished;
                                }),
                    ContainsSubstring("worker two gave up"));
  CHECK(finished == 3);
}

TEST_CASE("run_workers on processes says which worker threw and what", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_workers(3 processes), worker 1 throws", 30s);
  const parlab_test::ResourceSnapshot before;
  const auto body = [](unsigned w) {
    if (w == 1) throw std::runtime_error("no input for worker 1");
  };
  CHECK_THROWS_AS(run_workers(Backend::processes, 3, body), WorkerFailed);
  CHECK_THROWS_WITH(run_workers(Backend::processes, 3, body),
                    ContainsSubstring("worker 1 of 3") && ContainsSubstring("exited with code 1") &&
                        ContainsSubstring("no input for worker 1"));
  CHECK(before.leaks() == "");
}

TEST_CASE("run_workers on processes reports a worker that exits with code 3", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_workers(3 processes), worker 2 calls _exit(3)", 30s);
  CHECK_THROWS_WITH(run_workers(Backend::processes, 3,
                                [](unsigned w) {
                                  if (w == 2) ::_exit(3);
                                }),
                    ContainsSubstring("worker 2 of 3 exited with code 3"));
}

TEST_CASE("run_file_counter continues from the count in the file", "[lab03][task2]") {
  // One worker, so the result does not depend on the lock: the exact totals of several
  // workers are the other cases' business.
  parlab_test::Watchdog watchdog("run_file_counter(flock, 1 process x 50) from 100", 30s);
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "100\n");
  CHECK(run_file_counter(counter, LockMode::flock, Backend::processes, 1, 50) == 150);
  CHECK(read_text(counter) == "150\n");
}

TEST_CASE("a corrupt counter is CounterCorrupt on threads and WorkerFailed on processes", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_file_counter on a corrupt counter, threads then processes", 30s);
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "oops\n");
  CHECK_THROWS_AS(run_file_counter(counter, LockMode::flock, Backend::threads, 2, 10), CounterCorrupt);
  CHECK_THROWS_AS(run_file_counter(counter, LockMode::flock, Backend::processes, 2, 10), WorkerFailed);
  CHECK_THROWS_WITH(run_file_counter(counter, LockMode::flock, Backend::processes, 2, 10), ContainsSubstring("corrupt"));
  CHECK(read_text(counter) == "oops\n");
}
