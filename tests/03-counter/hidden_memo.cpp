// Lab 03, task 5: hidden tests for the disk memo cache.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab/lab03/memo.hpp"
#include "parlab/lab03/scratch_dir.hpp"
#include "parlab/lab03/shared_memory.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab03;
using parlab_test::ContainsSubstring;

TEST_CASE("processes that ask for a missing key at the same time compute it once", "[lab03][task5]") {
  parlab_test::Watchdog watchdog("four processes in DiskMemo::get_or_compute", 60s);
  const ScratchDir dir;
  const parlab_test::ResourceSnapshot before;
  Shared<std::atomic<int>> calls(0);
  auto start = parlab::Pipe::create();
  std::vector<parlab::ChildProcess> children;
  for (int c = 0; c < 4; ++c) {
    children.push_back(parlab::ChildProcess::fork([&]() -> int {
      start.write_end.reset();
      char byte = 0;
      (void)parlab::read_value(start.read_end.get(), byte);  // everyone starts at once
      DiskMemo memo(dir.path());
      const std::string v = memo.get_or_compute("answer", [&] {
        calls->fetch_add(1);
        std::this_thread::sleep_for(100ms);  // long enough for the others to arrive
        return std::string("42 is the answer\n");
      });
      return v == "42 is the answer\n" ? 0 : 1;
    }));
  }
  start.read_end.reset();
  start.write_end.reset();  // end-of-file releases every child at once
  for (auto& c : children) CHECK(c.wait().success());
  CHECK(calls->load() == 1);
  CHECK(DiskMemo(dir.path()).lookup("answer") == std::optional<std::string>("42 is the answer\n"));
  CHECK(before.leaks() == "");
}

TEST_CASE("threads that ask for a missing key at the same time compute it once", "[lab03][task5]") {
  parlab_test::Watchdog watchdog("eight threads in DiskMemo::get_or_compute", 60s);
  const ScratchDir dir;
  DiskMemo memo(dir.path());
  std::atomic<int> calls{0};
  std::atomic<int> right{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        const auto v = memo.get_or_compute("k", [&] {
          calls.fetch_add(1);
          std::this_thread::sleep_for(50ms);
          return std::string("v");
        });
        if (v == "v") right.fetch_add(1);
      });
    }
  }
  CHECK(calls.load() == 1);
  CHECK(right.load() == 8);
}

TEST_CASE("a failed computation stores nothing and the next call computes again", "[lab03][task5]") {
  parlab_test::Watchdog watchdog("DiskMemo after a throwing compute", 20s);
  const ScratchDir dir;
  DiskMemo memo(dir.path());
  CHECK_THROWS_WITH(memo.get_or_compute("flaky", []() -> std::string { throw std::runtime_error("not today"); }),
                    ContainsSubstring("not today"));
  CHECK_FALSE(memo.lookup("flaky").has_value());
  CHECK(memo.get_or_compute("flaky", [] { return std::string("today"); }) == "today");
  CHECK(memo.lookup("flaky") == std::optional<std::string>("today"));
}

TEST_CASE("empty and binary and large values come back exactly", "[lab03][task5]") {
  const ScratchDir dir;
  DiskMemo memo(dir.path());
  const std::string binary("a\0b\nc\xff", 6);
  const std::string large(200000, 'x');
  int calls = 0;
  CHECK(memo.get_or_compute("empty", [&] { ++calls; return std::string(); }).empty());
  CHECK(memo.get_or_compute("empty", [&] { ++calls; return std::string("not again"); }).empty());
  CHECK(memo.get_or_compute("binary", [&] { ++calls; return binary; }) == binary);
  CHECK(memo.lookup("binary") == std::optional<std::string>(binary));
  CHECK(memo.get_or_compute("large", [&] { ++calls; return large; }) == large);
  CHECK(DiskMemo(dir.path()).lookup("large") == std::optional<std::string>(large));
  CHECK(calls == 3);
}

TEST_CASE("different keys are computed separately", "[lab03][task5]") {
  const ScratchDir dir;
  DiskMemo memo(dir.path());
  CHECK(memo.get_or_compute("a", [] { return std::string("1"); }) == "1");
  CHECK(memo.get_or_compute("b", [] { return std::string("2"); }) == "2");
  CHECK(memo.get_or_compute("A.b-c_9", [] { return std::string("3"); }) == "3");
  CHECK(memo.lookup("a") == std::optional<std::string>("1"));
  CHECK(memo.lookup("b") == std::optional<std::string>("2"));
  CHECK_FALSE(memo.lookup("c").has_value());
}

TEST_CASE("keys that are not safe file names are rejected", "[lab03][task5]") {
  const ScratchDir dir;
  DiskMemo memo(dir.path());
  const std::string key = GENERATE(as<std::string>{}, "", "../escape", "a/b", ".hidden", "a b", "tab\t",
                                   std::string(101, 'k'), "star*");
  CAPTURE(key);
  CHECK_THROWS_AS(memo.get_or_compute(key, [] { return std::string("x"); }), std::invalid_argument);
  CHECK_THROWS_WITH(memo.lookup(key), ContainsSubstring("key"));
  CHECK(memo.get_or_compute(std::string(100, 'k'), [] { return std::string("ok"); }) == "ok");
}

TEST_CASE("a memo needs an existing directory", "[lab03][task5]") {
  const ScratchDir dir;
  CHECK_THROWS_AS(DiskMemo(dir / "missing"), std::invalid_argument);
  {
    std::ofstream file(dir / "plain-file");
  }
  CHECK_THROWS_AS(DiskMemo(dir / "plain-file"), std::invalid_argument);
}
