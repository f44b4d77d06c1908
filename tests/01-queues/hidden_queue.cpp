// Lab 01, task 1: hidden tests for BlockingQueue. The student's queue runs only inside
// parlab_test::isolated(); each child returns what it observed and the checks run here.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../../labs/01-queues/tests/lab01_support.hpp"
#include "parlab/lab01/blocking_queue.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/explain.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using lab01_test::outcome_of;
using parlab::lab01::BlockingQueue;
using parlab::lab01::QueueClosed;
using parlab_test::isolated;

PARLAB_ISOLATED_EXCEPTION(parlab::lab01::QueueClosed);

namespace {

struct Received {
  std::vector<std::uint64_t> items;  // everything the consumers popped, in no particular order
  std::size_t max_seen_size = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Received, items, max_seen_size)

struct DrainedAfterClose {
  std::string push_after_close;
  int first_pop = 0;
  std::optional<int> pop_for_second;
  std::string pop_when_drained;
  std::string pop_for_when_drained;
  bool try_pop_when_drained_had_value = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DrainedAfterClose, push_after_close, first_pop, pop_for_second, pop_when_drained,
                                   pop_for_when_drained, try_pop_when_drained_had_value)

struct BoundedPush {
  std::size_t capacity;
  bool third_pushed_while_full;
  std::size_t size_while_full;
  int first_pop;
  bool third_pushed_after_pop;
  int second_pop;
  int third_pop;
};

struct TimedPop {
  bool empty_pop_returned_something;
  std::optional<int> pop_in_time;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TimedPop, empty_pop_returned_something, pop_in_time)

}  // namespace

TEST_CASE("many producers and consumers lose and duplicate nothing", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("4 producers x 4 consumers through a bounded queue", 60s);
  PARLAB_EXPLAIN("an item lost or seen twice: some member function reads or changes the deque without holding the mutex, or pop checks for an item with if instead of waiting in a loop (a predicate)");
  constexpr int kProducers = 4, kConsumers = 4, kPerProducer = 20000;
  const Received received = isolated([] {
    BlockingQueue<std::uint64_t> q(64);
    std::vector<std::vector<std::uint64_t>> per_consumer(kConsumers);
    std::atomic<std::size_t> max_seen_size{0};
    {
      std::vector<std::jthread> consumers;
      for (int c = 0; c < kConsumers; ++c) {
        consumers.emplace_back([&, c] {
          try {
            while (true) {
              per_consumer[static_cast<std::size_t>(c)].push_back(q.pop());
              const std::size_t s = q.size();
              std::size_t m = max_seen_size.load();
              while (s > m && !max_seen_size.compare_exchange_weak(m, s)) {
              }
            }
          } catch (const QueueClosed&) {
          }
        });
      }
      {
        std::vector<std::jthread> producers;
        for (int p = 0; p < kProducers; ++p) {
          producers.emplace_back([&, p] {
            for (int i = 0; i < kPerProducer; ++i) q.push(static_cast<std::uint64_t>(p) * 1000000 + static_cast<std::uint64_t>(i));
          });
        }
      }
      q.close();  // all producers are done; consumers drain what is left, then stop
    }
    Received r{{}, max_seen_size.load()};
    for (const auto& items : per_consumer) r.items.insert(r.items.end(), items.begin(), items.end());
    return r;
  });
  std::vector<std::uint64_t> all = received.items;
  std::sort(all.begin(), all.end());
  REQUIRE(all.size() == kProducers * kPerProducer);
  CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
  CHECK(received.max_seen_size <= 64);
}

TEST_CASE("each producer's items reach a single consumer in the order they were pushed", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("3 producers, 1 consumer", 30s);
  constexpr int kProducers = 3, kPerProducer = 5000;
  const std::vector<std::uint64_t> seen = isolated([] {
    BlockingQueue<std::uint64_t> q(16);
    std::vector<std::uint64_t> popped;
    std::jthread consumer([&] {
      for (int i = 0; i < kProducers * kPerProducer; ++i) popped.push_back(q.pop());
    });
    {
      std::vector<std::jthread> producers;
      for (int p = 0; p < kProducers; ++p) {
        producers.emplace_back([&, p] {
          for (int i = 0; i < kPerProducer; ++i) q.push(static_cast<std::uint64_t>(p) << 32 | static_cast<std::uint64_t>(i));
        });
      }
    }
    consumer.join();
    return popped;
  });
  std::map<std::uint64_t, std::uint64_t> next;
  for (auto v : seen) {
    const std::uint64_t producer = v >> 32, index = v & 0xffffffffu;
    REQUIRE(index == next[producer]);
    ++next[producer];
  }
}

TEST_CASE("close wakes every consumer blocked in pop", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("three consumers blocked in pop() after close()", 10s);
  PARLAB_EXPLAIN("a consumer stayed blocked in pop after close(): close() must set the flag under the lock and wake every waiter with notify_all, and pop must wake up for closed as well as for an item");
  const auto [woken, closed] = isolated([] {
    BlockingQueue<int> q;
    std::atomic<int> woken_consumers{0};
    {
      std::vector<std::jthread> consumers;
      for (int i = 0; i < 3; ++i) {
        consumers.emplace_back([&] {
          try {
            (void)q.pop();
          } catch (const QueueClosed&) {
            ++woken_consumers;
          }
        });
      }
      std::this_thread::sleep_for(30ms);
      q.close();
    }
    return std::pair{woken_consumers.load(), q.is_closed()};
  });
  CHECK(woken == 3);
  CHECK(closed);
}

TEST_CASE("close wakes a producer blocked on a full queue", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("a producer blocked in push() on a full queue after close()", 10s);
  PARLAB_EXPLAIN("a producer stayed blocked in push after close(): close() must also wake the condition variable that push waits on (notify_all), and push must stop waiting when the queue is closed");
  const bool threw = isolated([] {
    BlockingQueue<int> q(1);
    q.push(1);
    std::atomic<bool> push_threw{false};
    std::jthread producer([&] {
      try {
        q.push(2);
      } catch (const QueueClosed&) {
        push_threw = true;
      }
    });
    std::this_thread::sleep_for(30ms);
    q.close();
    producer.join();
    return push_threw.load();
  });
  CHECK(threw);
}

TEST_CASE("items pushed before close are still delivered and then pop reports closed", "[lab01][task1]") {
  const DrainedAfterClose seen = isolated([] {
    BlockingQueue<int> q;
    q.push(1);
    q.push(2);
    q.close();
    DrainedAfterClose s;
    s.push_after_close = outcome_of<QueueClosed>([&] { q.push(3); }, "QueueClosed");
    s.first_pop = q.pop();
    s.pop_for_second = q.pop_for(10ms);
    s.pop_when_drained = outcome_of<QueueClosed>([&] { (void)q.pop(); }, "QueueClosed");
    s.pop_for_when_drained = outcome_of<QueueClosed>([&] { (void)q.pop_for(10ms); }, "QueueClosed");
    s.try_pop_when_drained_had_value = q.try_pop().has_value();
    q.close();  // idempotent
    return s;
  });
  CHECK(seen.push_after_close == "QueueClosed");
  CHECK(seen.first_pop == 1);
  CHECK(seen.pop_for_second == 2);
  CHECK(seen.pop_when_drained == "QueueClosed");
  CHECK(seen.pop_for_when_drained == "QueueClosed");
  CHECK_FALSE(seen.try_pop_when_drained_had_value);
}

TEST_CASE("a bounded queue makes the producer wait until there is room", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("push() on a full queue waiting for a pop()", 10s);
  PARLAB_EXPLAIN("push went past the capacity or never woke up: push waits while the queue is full, and pop must notify the waiting producer after it takes an item");
  const BoundedPush seen = isolated([] {
    BlockingQueue<int> q(2);
    BoundedPush s{};
    s.capacity = q.capacity();
    q.push(1);
    q.push(2);
    std::atomic<bool> pushed{false};
    std::jthread producer([&] {
      q.push(3);
      pushed = true;
    });
    std::this_thread::sleep_for(50ms);
    s.third_pushed_while_full = pushed;
    s.size_while_full = q.size();
    s.first_pop = q.pop();
    producer.join();
    s.third_pushed_after_pop = pushed;
    s.second_pop = q.pop();
    s.third_pop = q.pop();
    return s;
  });
  CHECK(seen.capacity == 2);
  CHECK_FALSE(seen.third_pushed_while_full);  // the queue is full: the third push must still be waiting
  CHECK(seen.size_while_full == 2);
  CHECK(seen.first_pop == 1);
  CHECK(seen.third_pushed_after_pop);
  CHECK(seen.second_pop == 2);
  CHECK(seen.third_pop == 3);
}

TEST_CASE("pop_for gives up after its timeout and returns an item that arrives in time", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("pop_for", 10s);
  const TimedPop seen = isolated([] {
    BlockingQueue<int> q;
    TimedPop s{};
    s.empty_pop_returned_something = q.pop_for(20ms).has_value();
    std::jthread producer([&] {
      std::this_thread::sleep_for(20ms);
      q.push(42);
    });
    s.pop_in_time = q.pop_for(5000ms);
    return s;
  });
  CHECK_FALSE(seen.empty_pop_returned_something);
  CHECK(seen.pop_in_time == 42);
}

TEST_CASE("move-only items travel through the queue", "[lab01][task1]") {
  // The pointer stays in the child; what it points at comes back (nothing if it is null).
  const std::optional<int> pointee = isolated([] {
    BlockingQueue<std::unique_ptr<int>> q;
    q.push(std::make_unique<int>(5));
    auto p = q.pop();
    return p != nullptr ? std::optional<int>(*p) : std::nullopt;
  });
  REQUIRE(pointee.has_value());
  CHECK(*pointee == 5);
}

TEST_CASE("join returns once every pushed item is marked done", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("join() with consumers calling task_done()", 10s);
  PARLAB_EXPLAIN("join waits on a count of unfinished items: push adds one, task_done takes one away and notifies join when it reaches zero");
  const int processed = isolated([] {
    BlockingQueue<int> q;
    std::atomic<int> processed_items{0};
    for (int i = 0; i < 100; ++i) q.push(i);
    std::vector<std::jthread> consumers;
    for (int c = 0; c < 2; ++c) {
      consumers.emplace_back([&] {
        while (auto item = q.try_pop()) {
          ++processed_items;
          q.task_done();
        }
      });
    }
    q.join();
    return processed_items.load();
  });
  CHECK(processed == 100);
}

TEST_CASE("join waits while an item is unfinished", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("join() waiting for task_done()", 10s);
  PARLAB_EXPLAIN("join returned while an item was still unfinished: it must wait until task_done was called once for every pushed item, not until the queue is empty");
  const auto [joined_while_unfinished, joined_after_task_done] = isolated([] {
    BlockingQueue<int> q;
    q.join();  // nothing pushed: returns at once
    q.push(1);
    (void)q.pop();
    std::atomic<bool> joined{false};
    std::jthread joiner([&] {
      q.join();
      joined = true;
    });
    std::this_thread::sleep_for(50ms);
    const bool early = joined;  // popped but not done: join must still be waiting
    q.task_done();
    joiner.join();
    return std::pair{early, joined.load()};
  });
  CHECK_FALSE(joined_while_unfinished);  // popped but not done: join must still be waiting
  CHECK(joined_after_task_done);
}

TEST_CASE("task_done called more often than items were pushed is an error", "[lab01][task1]") {
  const std::string extra_task_done = isolated([] {
    BlockingQueue<int> q;
    q.push(1);
    (void)q.pop();
    q.task_done();
    return outcome_of<std::logic_error>([&] { q.task_done(); }, "std::logic_error");
  });
  CHECK(extra_task_done == "std::logic_error");
}
