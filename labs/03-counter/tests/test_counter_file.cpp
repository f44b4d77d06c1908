// Lab 03, tasks 1 and 2: visible tests for the counter file.
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

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

TEST_CASE("parse_counter reads counts and rejects what is not one", "[lab03][task2]") {
  CHECK(parse_counter("") == 0);
  CHECK(parse_counter("0\n") == 0);
  CHECK(parse_counter("42\n") == 42);
  CHECK(parse_counter("18446744073709551615") == 18446744073709551615u);
  CHECK_THROWS_AS(parse_counter("abc"), CounterCorrupt);
  CHECK_THROWS_WITH(parse_counter("12x\n"), ContainsSubstring("corrupt"));
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
