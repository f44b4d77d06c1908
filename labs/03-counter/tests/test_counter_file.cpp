// Lab 03, tasks 1 and 2: visible tests for the counter file.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <exception>
#include <fstream>
#include <latch>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include <sys/stat.h>
#include <unistd.h>

#include "parlab/child_process.hpp"
#include "parlab/lab03/counter_file.hpp"
#include "parlab/lab03/scratch_dir.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab03;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;  // every call into the code under test runs in a child process

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
  CHECK(isolated([&] { return increment(counter, mode); }) == 1);
  CHECK(isolated([&] { return increment(counter, mode); }) == 2);
  CHECK(isolated([&] { return increment(counter, mode); }) == 3);
  CHECK(read_text(counter) == "3\n");
}

TEST_CASE("increment continues from the count already in the file", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "41\n");
  CHECK(isolated([&] { return increment(counter, LockMode::flock); }) == 42);
  CHECK(read_text(counter) == "42\n");
}

TEST_CASE("a held lock keeps out another thread of the same process", "[lab03][task1]") {
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  struct Tries {
    bool other_thread_got_it;
    bool free_after_release;
  };
  const Tries tries = isolated([&] {
    Tries t{true, false};
    {
      const CounterLock held(counter, mode);
      std::thread([&] { t.other_thread_got_it = CounterLock::try_acquire(counter, mode).has_value(); }).join();
    }
    t.free_after_release = CounterLock::try_acquire(counter, mode).has_value();
    return t;
  });
  CHECK_FALSE(tries.other_thread_got_it);
  CHECK(tries.free_after_release);
}

TEST_CASE("write_counter puts a new file with the count and a newline in place of the old one", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  isolated([&] { write_counter(counter, 5); });
  CHECK(read_text(counter) == "5\n");
  const ino_t first = inode_of(counter);
  isolated([&] { write_counter(counter, 6); });
  CHECK(read_text(counter) == "6\n");
  // Another inode: the new text went into a new file that was renamed over the counter.
  CHECK(inode_of(counter) != first);
  CHECK(names_in(dir.path()) == std::set<std::string>{"count.txt"});  // no temporary file left
}

TEST_CASE("write_counter and CounterLock in a missing directory are system errors", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "no-such-dir" / "count.txt";
  CHECK_THROWS_AS(isolated([&] { write_counter(counter, 1); }), std::system_error);
  CHECK_THROWS_AS(isolated([&] { const CounterLock lock(counter, LockMode::flock); }), std::system_error);
}

TEST_CASE("a CounterLock creates the lock file next to the counter and leaves the counter alone", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const auto names_while_held = isolated([&] {
    const CounterLock held(counter, LockMode::ofd);
    return names_in(dir.path());
  });
  CHECK(lock_path(counter) == dir / "count.txt.lock");
  CHECK(names_while_held == std::set<std::string>{"count.txt.lock"});
}

TEST_CASE("a CounterLock waits until the holder lets go", "[lab03][task1]") {
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const bool released_before_taken = isolated([&] {
    std::atomic<bool> released{false};
    bool taken_after_release = false;
    std::exception_ptr waiter_error;
    std::jthread waiter;
    {
      const CounterLock held(counter, mode);
      waiter = std::jthread([&] {
        try {
          const CounterLock mine(counter, mode);  // blocks while `held` lives
          taken_after_release = released;
        } catch (...) {
          waiter_error = std::current_exception();
        }
      });
      std::this_thread::sleep_for(50ms);  // give the waiter time to block (no bound is checked)
      released = true;
    }
    waiter.join();
    if (waiter_error) std::rethrow_exception(waiter_error);
    return taken_after_release;
  });
  CHECK(released_before_taken);
}

TEST_CASE("a lock whose holder was killed is free for the next one", "[lab03][task1]") {
  // Promise: a lock file left behind by a process that crashed is harmless, because the
  // kernel drops a dead process's flock and OFD locks. A lock made of anything else (a file
  // that exists while the lock is held, say) stays taken forever once its holder is killed.
  const LockMode mode = GENERATE(LockMode::flock, LockMode::ofd);
  CAPTURE(name(mode));
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const auto [holder_ended, free_after] = isolated([&] {
    auto holder = parlab::ChildProcess::fork([&] {
      const CounterLock held(counter, mode);
      ::raise(SIGKILL);  // dies holding the lock
      return 0;
    });
    const std::string ended = holder.wait().describe();
    return std::pair{ended, CounterLock::try_acquire(counter, mode).has_value()};
  });
  REQUIRE_THAT(holder_ended, ContainsSubstring("killed by signal"));  // it took the lock, then died
  CHECK(free_after);
}

TEST_CASE("a CounterLock of mode none keeps nobody out", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  struct Seen {
    LockMode mode;
    bool flock_free;
  };
  const Seen seen = isolated([&] {
    const CounterLock nothing(counter, LockMode::none);
    return Seen{nothing.mode(), CounterLock::try_acquire(counter, LockMode::flock).has_value()};
  });
  CHECK(seen.mode == LockMode::none);
  CHECK(seen.flock_free);
}

TEST_CASE("increment refuses to count past 2^64 - 1 and keeps the count", "[lab03][task1]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "18446744073709551615\n");
  CHECK_THROWS_AS(isolated([&] { return increment(counter, LockMode::flock); }), std::overflow_error);
  CHECK(read_text(counter) == "18446744073709551615\n");
}

TEST_CASE("parse_counter reads counts and rejects what is not one", "[lab03][task2]") {
  CHECK(isolated([] { return parse_counter(""); }) == 0);
  CHECK(isolated([] { return parse_counter("0\n"); }) == 0);
  CHECK(isolated([] { return parse_counter("42\n"); }) == 42);
  CHECK(isolated([] { return parse_counter("18446744073709551615"); }) == 18446744073709551615u);
  CHECK_THROWS_AS(isolated([] { return parse_counter("abc"); }), CounterCorrupt);
  CHECK_THROWS_WITH(isolated([] { return parse_counter("12x\n"); }), ContainsSubstring("corrupt"));
}

TEST_CASE("parse_counter rejects signs and spaces and a second line and 2^64", "[lab03][task2]") {
  for (const char* text : {"-1", "+1", " 1", "1 ", "1\n2\n", "7\n\n", "\n", "18446744073709551616"}) {
    CAPTURE(text);
    CHECK_THROWS_AS(isolated([&] { return parse_counter(text); }), CounterCorrupt);
  }
}

TEST_CASE("read_counter counts a missing or empty file as 0 and names a corrupt file", "[lab03][task2]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  const auto read_it = [&] { return isolated([&] { return read_counter(counter); }); };
  CHECK(read_it() == 0);
  write_text(counter, "");
  CHECK(read_it() == 0);
  write_text(counter, "17\n");
  CHECK(read_it() == 17);
  write_text(counter, "x17\n");
  CHECK_THROWS_AS(read_it(), CounterCorrupt);
  CHECK_THROWS_WITH(read_it(), ContainsSubstring(counter.string()) && ContainsSubstring("x17"));
}

TEST_CASE("read_counter of a directory is a system error and not a count", "[lab03][task2]") {
  const ScratchDir dir;
  CHECK_THROWS_AS(isolated([&] { return read_counter(dir.path()); }), std::system_error);
}

TEST_CASE("a corrupt counter file is an error and is left as it was", "[lab03][task2]") {
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "forty-two\n");
  CHECK_THROWS_AS(isolated([&] { return increment(counter, LockMode::flock); }), CounterCorrupt);
  CHECK(read_text(counter) == "forty-two\n");
}

TEST_CASE("four threads with flock count exactly", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_file_counter(flock, 4 threads x 1000)", 60s);
  const ScratchDir dir;
  CHECK(isolated([&] { return run_file_counter(dir / "count.txt", LockMode::flock, Backend::threads, 4, 1000); }) == 4000);
}

TEST_CASE("four processes with OFD locks count exactly and leave nothing behind", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_file_counter(ofd, 4 processes x 1000)", 60s);
  const ScratchDir dir;
  // The leaks are those of the process that ran the workers.
  const auto [total, leaks] = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    const std::uint64_t counted = run_file_counter(dir / "count.txt", LockMode::ofd, Backend::processes, 4, 1000);
    return std::pair{counted, before.leaks()};
  });
  CHECK(total == 4000);
  CHECK(leaks == "");
}

TEST_CASE("run_workers gives every worker its own index once", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_workers(4 threads, then 4 processes)", 30s);
  const auto seen = isolated([] {
    std::mutex m;
    std::multiset<unsigned> indices;
    run_workers(Backend::threads, 4, [&](unsigned w) {
      const std::lock_guard lock(m);
      indices.insert(w);
    });
    return indices;
  });
  CHECK(seen == std::multiset<unsigned>{0, 1, 2, 3});

  // A child's memory is a copy: only files carry anything back.
  const ScratchDir dir;
  isolated([&] {
    run_workers(Backend::processes, 4, [&](unsigned w) { write_text(dir / ("worker-" + std::to_string(w)), "x"); });
  });
  CHECK(names_in(dir.path()) == std::set<std::string>{"worker-0", "worker-1", "worker-2", "worker-3"});
}

TEST_CASE("run_workers rejects 0 and 257 workers before running anything", "[lab03][task2]") {
  // A worker that runs leaves a file: that is seen from here, whichever process it ran in.
  const ScratchDir dir;
  const auto body = [&](unsigned w) { write_text(dir / ("ran-" + std::to_string(w)), "x"); };
  CHECK_THROWS_AS(isolated([&] { run_workers(Backend::threads, 0, body); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([&] { run_workers(Backend::processes, 0, body); }), ContainsSubstring("workers"));
  CHECK_THROWS_WITH(isolated([&] { run_workers(Backend::threads, 257, body); }), ContainsSubstring("256"));
  CHECK(names_in(dir.path()).empty());
}

TEST_CASE("run_workers on threads rethrows what a worker threw once every worker is done", "[lab03][task2]") {
  // A worker that finishes leaves a file, written before run_workers may return.
  const ScratchDir dir;
  CHECK_THROWS_WITH(isolated([&] {
                      run_workers(Backend::threads, 4, [&](unsigned w) {
                        if (w == 2) throw std::runtime_error("worker two gave up");
                        std::this_thread::sleep_for(20ms);
                        write_text(dir / ("finished-" + std::to_string(w)), "x");
                      });
                    }),
                    ContainsSubstring("worker two gave up"));
  CHECK(names_in(dir.path()) == std::set<std::string>{"finished-0", "finished-1", "finished-3"});
}

TEST_CASE("run_workers on processes says which worker threw and what", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_workers(3 processes), worker 1 throws", 30s);
  const auto body = [](unsigned w) {
    if (w == 1) throw std::runtime_error("no input for worker 1");
  };
  CHECK_THROWS_AS(isolated([&] { run_workers(Backend::processes, 3, body); }), WorkerFailed);
  CHECK_THROWS_WITH(isolated([&] { run_workers(Backend::processes, 3, body); }),
                    ContainsSubstring("worker 1 of 3") && ContainsSubstring("exited with code 1") &&
                        ContainsSubstring("no input for worker 1"));
  // What the failed run left behind, in the process that ran it.
  const std::string leaks = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    try {
      run_workers(Backend::processes, 3, body);
    } catch (const WorkerFailed&) {
    }
    return before.leaks();
  });
  CHECK(leaks == "");
}

TEST_CASE("run_workers on processes reports a worker that exits with code 3", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_workers(3 processes), worker 2 calls _exit(3)", 30s);
  CHECK_THROWS_WITH(isolated([] {
                      run_workers(Backend::processes, 3, [](unsigned w) {
                        if (w == 2) ::_exit(3);
                      });
                    }),
                    ContainsSubstring("worker 2 of 3 exited with code 3"));
}

TEST_CASE("run_workers on processes reports a worker killed by a signal", "[lab03][task2]") {
  // Promise: a worker process that is killed becomes WorkerFailed saying which worker and
  // how it ended, in ExitStatus::describe()'s words ("killed by signal 9 (SIGKILL, ...)").
  parlab_test::Watchdog watchdog("run_workers(2 processes), worker 1 is killed", 30s);
  CHECK_THROWS_WITH(isolated([] {
                      run_workers(Backend::processes, 2, [](unsigned w) {
                        if (w == 1) ::raise(SIGKILL);
                      });
                    }),
                    ContainsSubstring("worker 1 of 2 killed by signal 9"));
}

TEST_CASE("run_workers on threads runs every worker at the same time", "[lab03][task2]") {
  // Promise: body(w) runs for every w "all at once". Each of these three workers waits until
  // all three have arrived: workers run one after another would wait forever (the watchdog
  // then ends the case and says so).
  parlab_test::Watchdog watchdog("run_workers(3 threads) that meet at a latch", 30s);
  const int finished = isolated([] {
    std::latch all_arrived(3);
    std::atomic<int> done{0};
    run_workers(Backend::threads, 3, [&](unsigned) {
      all_arrived.arrive_and_wait();
      ++done;
    });
    return done.load();
  });
  CHECK(finished == 3);
}

TEST_CASE("run_file_counter continues from the count in the file", "[lab03][task2]") {
  // One worker, so the result does not depend on the lock: the exact totals of several
  // workers are the other cases' business.
  parlab_test::Watchdog watchdog("run_file_counter(flock, 1 process x 50) from 100", 30s);
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "100\n");
  CHECK(isolated([&] { return run_file_counter(counter, LockMode::flock, Backend::processes, 1, 50); }) == 150);
  CHECK(read_text(counter) == "150\n");
}

TEST_CASE("a corrupt counter is CounterCorrupt on threads and WorkerFailed on processes", "[lab03][task2]") {
  parlab_test::Watchdog watchdog("run_file_counter on a corrupt counter, threads then processes", 30s);
  const ScratchDir dir;
  const auto counter = dir / "count.txt";
  write_text(counter, "oops\n");
  const auto count_on = [&](Backend backend) {
    return isolated([&] { return run_file_counter(counter, LockMode::flock, backend, 2, 10); });
  };
  CHECK_THROWS_AS(count_on(Backend::threads), CounterCorrupt);
  CHECK_THROWS_AS(count_on(Backend::processes), WorkerFailed);
  CHECK_THROWS_WITH(count_on(Backend::processes), ContainsSubstring("corrupt"));
  CHECK(read_text(counter) == "oops\n");
}
