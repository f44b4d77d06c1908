// Lab 01, task 1: visible tests for BlockingQueue. Run them with
//   build/starter/lab01_visible "[task1]"
//
// Each test runs your queue inside parlab_test::isolated(): a forked child that hands back
// what it saw (a value or a small struct), and the CHECKs then compare that in the test
// process. Where a call should throw, lab01_test::outcome_of says what it did instead.
#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lab01_support.hpp"
#include "parlab/lab01/blocking_queue.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using lab01_test::outcome_of;
using parlab::lab01::BlockingQueue;
using parlab::lab01::QueueClosed;
using parlab_test::isolated;

PARLAB_ISOLATED_EXCEPTION(parlab::lab01::QueueClosed);

namespace {

struct InOrder {
  std::size_t size_after_pushes;
  std::vector<int> popped;
  std::size_t size_after_pops;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(InOrder, size_after_pushes, popped, size_after_pops)

struct AfterClose {
  bool closed_after_close;
  int first_pop;
  std::string second_pop;
  std::string push_after_close;
  bool closed_after_second_close;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AfterClose, closed_after_close, first_pop, second_pop, push_after_close, closed_after_second_close)

struct TimedPop {
  bool empty_pop_returned_something;
  bool empty_pop_waited_its_timeout;
  std::optional<int> pop_in_time;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TimedPop, empty_pop_returned_something, empty_pop_waited_its_timeout, pop_in_time)

struct BoundedPush {
  bool second_pushed_while_full;
  std::size_t size_while_full;
  int first_pop;
  bool second_pushed_after_pop;
  int second_pop;
};

struct PoppedTwice {
  bool first_try_pop_had_value;
  std::optional<int> second_try_pop;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PoppedTwice, first_try_pop_had_value, second_try_pop)

}  // namespace

TEST_CASE("items come out in the order they went in", "[lab01][task1]") {
  const InOrder seen = isolated([] {
    BlockingQueue<int> q;
    for (int i = 0; i < 5; ++i) q.push(i);
    InOrder s{q.size(), {}, 0};
    for (int i = 0; i < 5; ++i) s.popped.push_back(q.pop());
    s.size_after_pops = q.size();
    return s;
  });
  CHECK(seen.size_after_pushes == 5);
  CHECK(seen.popped == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(seen.size_after_pops == 0);
}

TEST_CASE("try_pop on an empty queue returns nothing instead of waiting", "[lab01][task1]") {
  const PoppedTwice seen = isolated([] {
    BlockingQueue<int> q;
    const bool first = q.try_pop().has_value();
    q.push(7);
    return PoppedTwice{first, q.try_pop()};
  });
  CHECK_FALSE(seen.first_try_pop_had_value);
  CHECK(seen.second_try_pop == 7);
}

TEST_CASE("pop waits for an item pushed by another thread", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("pop() waiting for a push from another thread", 10s);
  const std::string popped = isolated([] {
    BlockingQueue<std::string> q;
    std::jthread producer([&] {
      std::this_thread::sleep_for(20ms);
      q.push("hello");
    });
    return q.pop();
  });
  CHECK(popped == "hello");
}

TEST_CASE("close wakes a consumer blocked in pop", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("a consumer blocked in pop() after close()", 10s);
  const bool got_closed = isolated([] {
    BlockingQueue<int> q;
    std::atomic<bool> closed_seen{false};
    std::jthread consumer([&] {
      try {
        (void)q.pop();
      } catch (const QueueClosed&) {
        closed_seen = true;
      }
    });
    std::this_thread::sleep_for(20ms);
    q.close();
    consumer.join();
    return closed_seen.load();
  });
  CHECK(got_closed);
}

TEST_CASE("pop still hands out what was pushed before close and then throws", "[lab01][task1]") {
  const AfterClose seen = isolated([] {
    BlockingQueue<int> q;
    q.push(1);
    q.close();
    AfterClose s{};
    s.closed_after_close = q.is_closed();
    s.first_pop = q.pop();
    s.second_pop = outcome_of<QueueClosed>([&] { (void)q.pop(); }, "QueueClosed");
    s.push_after_close = outcome_of<QueueClosed>([&] { q.push(2); }, "QueueClosed");
    q.close();  // idempotent
    s.closed_after_second_close = q.is_closed();
    return s;
  });
  CHECK(seen.closed_after_close);
  CHECK(seen.first_pop == 1);
  CHECK(seen.second_pop == "QueueClosed");
  CHECK(seen.push_after_close == "QueueClosed");
  CHECK(seen.closed_after_second_close);
}

TEST_CASE("is_closed is false until close", "[lab01][task1]") {
  const auto [before, after] = isolated([] {
    BlockingQueue<int> q;
    const bool closed_before = q.is_closed();
    q.close();
    return std::pair<bool, bool>{closed_before, q.is_closed()};
  });
  CHECK_FALSE(before);
  CHECK(after);
}

TEST_CASE("pop_for returns nothing after its timeout and an item that comes in time", "[lab01][task1]") {
  const TimedPop seen = isolated([] {
    BlockingQueue<int> q;
    TimedPop s{};
    const auto start = std::chrono::steady_clock::now();
    s.empty_pop_returned_something = q.pop_for(50ms).has_value();
    // Only a lower bound: a loaded machine may take longer, never shorter.
    s.empty_pop_waited_its_timeout = std::chrono::steady_clock::now() - start >= 50ms;
    std::jthread producer([&] {
      std::this_thread::sleep_for(20ms);
      q.push(9);
    });
    s.pop_in_time = q.pop_for(60s);
    return s;
  });
  CHECK_FALSE(seen.empty_pop_returned_something);
  CHECK(seen.empty_pop_waited_its_timeout);
  CHECK(seen.pop_in_time == 9);
}

TEST_CASE("pop_for on a closed and empty queue throws QueueClosed", "[lab01][task1]") {
  const std::string pop_for = isolated([] {
    BlockingQueue<int> q;
    q.close();
    return outcome_of<QueueClosed>([&] { (void)q.pop_for(10ms); }, "QueueClosed");
  });
  CHECK(pop_for == "QueueClosed");
}

TEST_CASE("a bounded queue blocks push while full and unblocks it on pop", "[lab01][task1]") {
  const BoundedPush seen = isolated([] {
    BlockingQueue<int> q(1);
    q.push(1);
    std::atomic<bool> second_pushed{false};
    std::jthread producer([&] {
      q.push(2);
      second_pushed = true;
    });
    std::this_thread::sleep_for(50ms);
    BoundedPush s{};
    s.second_pushed_while_full = second_pushed;  // must be false: still waiting for room
    s.size_while_full = q.size();
    s.first_pop = q.pop();
    producer.join();
    s.second_pushed_after_pop = second_pushed;
    s.second_pop = q.pop();
    return s;
  });
  CHECK_FALSE(seen.second_pushed_while_full);  // still waiting for room
  CHECK(seen.size_while_full == 1);
  CHECK(seen.first_pop == 1);
  CHECK(seen.second_pushed_after_pop);
  CHECK(seen.second_pop == 2);
}

TEST_CASE("close makes a producer waiting for room throw QueueClosed", "[lab01][task1]") {
  const bool got_closed = isolated([] {
    BlockingQueue<int> q(1);
    q.push(1);
    std::atomic<bool> closed_seen{false};
    std::jthread producer([&] {
      try {
        q.push(2);
      } catch (const QueueClosed&) {
        closed_seen = true;
      }
    });
    std::this_thread::sleep_for(20ms);
    q.close();
    producer.join();
    return closed_seen.load();
  });
  CHECK(got_closed);
}

TEST_CASE("join returns once every pushed item was marked done", "[lab01][task1]") {
  const int done_when_joined = isolated([] {
    BlockingQueue<int> q;
    q.push(1);
    q.push(2);
    std::atomic<int> done{0};
    std::jthread consumer([&] {
      for (int i = 0; i < 2; ++i) {
        (void)q.pop();
        std::this_thread::sleep_for(10ms);
        ++done;
        q.task_done();
      }
    });
    q.join();
    return done.load();
  });
  CHECK(done_when_joined == 2);
}

TEST_CASE("task_done more often than items were pushed is a logic_error", "[lab01][task1]") {
  const std::string extra_task_done = isolated([] {
    BlockingQueue<int> q;
    q.push(1);
    (void)q.pop();
    q.task_done();
    return outcome_of<std::logic_error>([&] { q.task_done(); }, "std::logic_error");
  });
  CHECK(extra_task_done == "std::logic_error");
}
