// Lab 03, task 5: hidden tests for the disk memo cache.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab/lab03/memo.hpp"
#include "parlab/lab03/scratch_dir.hpp"
#include "parlab/lab03/shared_memory.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab03;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

namespace {

// A value's bytes as numbers: strings inside an isolated() result travel as JSON text,
// which would replace bytes that are not UTF-8.
using Bytes = std::vector<std::uint8_t>;
Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::optional<Bytes> bytes_of(const std::optional<std::string>& s) {
  return s ? std::optional<Bytes>(bytes_of(*s)) : std::nullopt;
}

// What the processes sharing one memo saw, from the child that started them.
struct ProcessesAsking {
  std::vector<bool> child_succeeded;
  int calls = 0;
  std::optional<std::string> stored;
  std::string leaks;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ProcessesAsking, child_succeeded, calls, stored, leaks)

struct RetryAfterFailure {
  std::optional<std::string> thrown;  // what the failing get_or_compute threw, if it threw
  std::optional<std::string> stored_after_failure;
  std::string recomputed;
  std::optional<std::string> stored_after_success;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RetryAfterFailure, thrown, stored_after_failure, recomputed, stored_after_success)

struct ExactValues {
  Bytes empty;
  Bytes empty_again;
  Bytes binary;
  std::optional<Bytes> binary_lookup;
  Bytes large;
  std::optional<Bytes> large_from_new_memo;
  int calls = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExactValues, empty, empty_again, binary, binary_lookup, large, large_from_new_memo,
                                   calls)

struct SeparateKeys {
  std::string a;
  std::string b;
  std::string third;
  std::optional<std::string> lookup_a;
  std::optional<std::string> lookup_b;
  std::optional<std::string> lookup_c;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SeparateKeys, a, b, third, lookup_a, lookup_b, lookup_c)

}  // namespace

TEST_CASE("processes that ask for a missing key at the same time compute it once", "[lab03][task5]") {
  parlab_test::Watchdog watchdog("four processes in DiskMemo::get_or_compute", 60s);
  const ScratchDir dir;
  const ProcessesAsking seen = isolated([&] {
    ProcessesAsking s;
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
    for (auto& c : children) s.child_succeeded.push_back(c.wait().success());
    s.calls = calls->load();
    s.stored = DiskMemo(dir.path()).lookup("answer");
    s.leaks = before.leaks();
    return s;
  });
  CHECK(seen.child_succeeded == std::vector<bool>(4, true));
  CHECK(seen.calls == 1);
  CHECK(seen.stored == std::optional<std::string>("42 is the answer\n"));
  CHECK(seen.leaks == "");
}

TEST_CASE("threads that ask for a missing key at the same time compute it once", "[lab03][task5]") {
  parlab_test::Watchdog watchdog("eight threads in DiskMemo::get_or_compute", 60s);
  const ScratchDir dir;
  const auto [calls, right] = isolated([&] {
    DiskMemo memo(dir.path());
    std::atomic<int> computed{0};
    std::atomic<int> got_the_value{0};
    {
      std::vector<std::jthread> threads;
      for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
          const auto v = memo.get_or_compute("k", [&] {
            computed.fetch_add(1);
            std::this_thread::sleep_for(50ms);
            return std::string("v");
          });
          if (v == "v") got_the_value.fetch_add(1);
        });
      }
    }
    return std::pair{computed.load(), got_the_value.load()};
  });
  CHECK(calls == 1);
  CHECK(right == 8);
}

TEST_CASE("a failed computation stores nothing and the next call computes again", "[lab03][task5]") {
  parlab_test::Watchdog watchdog("DiskMemo after a throwing compute", 20s);
  const ScratchDir dir;
  const RetryAfterFailure seen = isolated([&] {
    DiskMemo memo(dir.path());
    RetryAfterFailure r;
    try {
      (void)memo.get_or_compute("flaky", []() -> std::string { throw std::runtime_error("not today"); });
    } catch (const std::exception& e) {
      r.thrown = e.what();
    }
    r.stored_after_failure = memo.lookup("flaky");
    r.recomputed = memo.get_or_compute("flaky", [] { return std::string("today"); });
    r.stored_after_success = memo.lookup("flaky");
    return r;
  });
  REQUIRE(seen.thrown.has_value());
  CHECK_THAT(*seen.thrown, ContainsSubstring("not today"));
  CHECK_FALSE(seen.stored_after_failure.has_value());
  CHECK(seen.recomputed == "today");
  CHECK(seen.stored_after_success == std::optional<std::string>("today"));
}

TEST_CASE("empty and binary and large values come back exactly", "[lab03][task5]") {
  const ScratchDir dir;
  const std::string binary("a\0b\nc\xff", 6);
  const std::string large(200000, 'x');
  const ExactValues seen = isolated([&] {
    DiskMemo memo(dir.path());
    ExactValues v;
    int calls = 0;
    v.empty = bytes_of(memo.get_or_compute("empty", [&] { ++calls; return std::string(); }));
    v.empty_again = bytes_of(memo.get_or_compute("empty", [&] { ++calls; return std::string("not again"); }));
    v.binary = bytes_of(memo.get_or_compute("binary", [&] { ++calls; return binary; }));
    v.binary_lookup = bytes_of(memo.lookup("binary"));
    v.large = bytes_of(memo.get_or_compute("large", [&] { ++calls; return large; }));
    v.large_from_new_memo = bytes_of(DiskMemo(dir.path()).lookup("large"));
    v.calls = calls;
    return v;
  });
  CHECK(seen.empty.empty());
  CHECK(seen.empty_again.empty());
  CHECK(seen.binary == bytes_of(binary));
  CHECK(seen.binary_lookup == std::optional<Bytes>(bytes_of(binary)));
  CHECK(seen.large == bytes_of(large));
  CHECK(seen.large_from_new_memo == std::optional<Bytes>(bytes_of(large)));
  CHECK(seen.calls == 3);
}

TEST_CASE("different keys are computed separately", "[lab03][task5]") {
  const ScratchDir dir;
  const SeparateKeys seen = isolated([&] {
    DiskMemo memo(dir.path());
    SeparateKeys k;
    k.a = memo.get_or_compute("a", [] { return std::string("1"); });
    k.b = memo.get_or_compute("b", [] { return std::string("2"); });
    k.third = memo.get_or_compute("A.b-c_9", [] { return std::string("3"); });
    k.lookup_a = memo.lookup("a");
    k.lookup_b = memo.lookup("b");
    k.lookup_c = memo.lookup("c");
    return k;
  });
  CHECK(seen.a == "1");
  CHECK(seen.b == "2");
  CHECK(seen.third == "3");
  CHECK(seen.lookup_a == std::optional<std::string>("1"));
  CHECK(seen.lookup_b == std::optional<std::string>("2"));
  CHECK_FALSE(seen.lookup_c.has_value());
}

TEST_CASE("keys that are not safe file names are rejected", "[lab03][task5]") {
  const ScratchDir dir;
  const std::string key = GENERATE(as<std::string>{}, "", "../escape", "a/b", ".hidden", "a b", "tab\t",
                                   std::string(101, 'k'), "star*");
  CAPTURE(key);
  // Each call makes its own DiskMemo of the directory (all a memo holds): one child per check.
  CHECK_THROWS_AS(isolated([&] { return DiskMemo(dir.path()).get_or_compute(key, [] { return std::string("x"); }); }),
                  std::invalid_argument);
  CHECK_THROWS_WITH(isolated([&] { return DiskMemo(dir.path()).lookup(key); }), ContainsSubstring("key"));
  CHECK(isolated([&] {
          return DiskMemo(dir.path()).get_or_compute(std::string(100, 'k'), [] { return std::string("ok"); });
        }) == "ok");
}

TEST_CASE("a memo needs an existing directory", "[lab03][task5]") {
  const ScratchDir dir;
  const auto open_memo = [](const std::filesystem::path& p) { isolated([&] { const DiskMemo memo(p); }); };
  CHECK_THROWS_AS(open_memo(dir / "missing"), std::invalid_argument);
  {
    std::ofstream file(dir / "plain-file");
  }
  CHECK_THROWS_AS(open_memo(dir / "plain-file"), std::invalid_argument);
}
