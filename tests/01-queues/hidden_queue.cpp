// Lab 01, task 1: hidden tests for BlockingQueue.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "parlab/lab01/blocking_queue.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/explain.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using parlab::lab01::BlockingQueue;
using parlab::lab01::QueueClosed;

TEST_CASE("many producers and consumers lose and duplicate nothing", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("4 producers x 4 consumers through a bounded queue", 60s);
  PARLAB_EXPLAIN("an item lost or seen twice: some member function reads or changes the deque without holding the mutex, or pop checks for an item with if instead of waiting in a loop (a predicate)");
  constexpr int kProducers = 4, kConsumers = 4, kPerProducer = 20000;
  BlockingQueue<std::uint64_t> q(64);
  std::vector<std::vector<std::uint64_t>> received(kConsumers);
  std::atomic<std::size_t> max_seen_size{0};
  {
    std::vector<std::jthread> consumers;
    for (int c = 0; c < kConsumers; ++c) {
      consumers.emplace_back([&, c] {
        try {
          while (true) {
            received[static_cast<std::size_t>(c)].push_back(q.pop());
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
  std::vector<std::uint64_t> all;
  for (const auto& r : received) all.insert(all.end(), r.begin(), r.end());
  std::sort(all.begin(), all.end());
  REQUIRE(all.size() == kProducers * kPerProducer);
  CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
  CHECK(max_seen_size.load() <= 64);
}

TEST_CASE("each producer's items reach a single consumer in the order they were pushed", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("3 producers, 1 consumer", 30s);
  constexpr int kProducers = 3, kPerProducer = 5000;
  BlockingQueue<std::uint64_t> q(16);
  std::vector<std::uint64_t> seen;
  std::jthread consumer([&] {
    for (int i = 0; i < kProducers * kPerProducer; ++i) seen.push_back(q.pop());
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
  BlockingQueue<int> q;
  std::atomic<int> woken{0};
  {
    std::vector<std::jthread> consumers;
    for (int i = 0; i < 3; ++i) {
      consumers.emplace_back([&] {
        try {
          (void)q.pop();
        } catch (const QueueClosed&) {
          ++woken;
        }
      });
    }
    std::this_thread::sleep_for(30ms);
    q.close();
  }
  CHECK(woken == 3);
  CHECK(q.is_closed());
}

TEST_CASE("close wakes a producer blocked on a full queue", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("a producer blocked in push() on a full queue after close()", 10s);
  PARLAB_EXPLAIN("a producer stayed blocked in push after close(): close() must also wake the condition variable that push waits on (notify_all), and push must stop waiting when the queue is closed");
  BlockingQueue<int> q(1);
  q.push(1);
  std::atomic<bool> threw{false};
  std::jthread producer([&] {
    try {
      q.push(2);
    } catch (const QueueClosed&) {
      threw = true;
    }
  });
  std::this_thread::sleep_for(30ms);
  q.close();
  producer.join();
  CHECK(threw);
}

TEST_CASE("items pushed before close are still delivered and then pop reports closed", "[lab01][task1]") {
  BlockingQueue<int> q;
  q.push(1);
  q.push(2);
  q.close();
  CHECK_THROWS_AS(q.push(3), QueueClosed);
  CHECK(q.pop() == 1);
  CHECK(q.pop_for(10ms) == 2);
  CHECK_THROWS_AS(q.pop(), QueueClosed);
  CHECK_THROWS_AS(q.pop_for(10ms), QueueClosed);
  CHECK_FALSE(q.try_pop().has_value());
  q.close();  // idempotent
}

TEST_CASE("a bounded queue makes the producer wait until there is room", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("push() on a full queue waiting for a pop()", 10s);
  PARLAB_EXPLAIN("push went past the capacity or never woke up: push waits while the queue is full, and pop must notify the waiting producer after it takes an item");
  BlockingQueue<int> q(2);
  CHECK(q.capacity() == 2);
  q.push(1);
  q.push(2);
  std::atomic<bool> pushed{false};
  std::jthread producer([&] {
    q.push(3);
    pushed = true;
  });
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(pushed);  // the queue is full: the third push must still be waiting
  CHECK(q.size() == 2);
  CHECK(q.pop() == 1);
  producer.join();
  CHECK(pushed);
  CHECK(q.pop() == 2);
  CHECK(q.pop() == 3);
}

TEST_CASE("pop_for gives up after its timeout and returns an item that arrives in time", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("pop_for", 10s);
  BlockingQueue<int> q;
  CHECK_FALSE(q.pop_for(20ms).has_value());
  std::jthread producer([&] {
    std::this_thread::sleep_for(20ms);
    q.push(42);
  });
  CHECK(q.pop_for(5000ms) == 42);
}

TEST_CASE("move-only items travel through the queue", "[lab01][task1]") {
  BlockingQueue<std::unique_ptr<int>> q;
  q.push(std::make_unique<int>(5));
  auto p = q.pop();
  REQUIRE(p != nullptr);
  CHECK(*p == 5);
}

TEST_CASE("join returns once every pushed item is marked done", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("join() with consumers calling task_done()", 10s);
  PARLAB_EXPLAIN("join waits on a count of unfinished items: push adds one, task_done takes one away and notifies join when it reaches zero");
  BlockingQueue<int> q;
  std::atomic<int> processed{0};
  for (int i = 0; i < 100; ++i) q.push(i);
  std::vector<std::jthread> consumers;
  for (int c = 0; c < 2; ++c) {
    consumers.emplace_back([&] {
      while (auto item = q.try_pop()) {
        ++processed;
        q.task_done();
      }
    });
  }
  q.join();
  CHECK(processed == 100);
}

TEST_CASE("join waits while an item is unfinished", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("join() waiting for task_done()", 10s);
  PARLAB_EXPLAIN("join returned while an item was still unfinished: it must wait until task_done was called once for every pushed item, not until the queue is empty");
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
  CHECK_FALSE(joined);  // popped but not done: join must still be waiting
  q.task_done();
  joiner.join();
  CHECK(joined);
}

TEST_CASE("task_done called more often than items were pushed is an error", "[lab01][task1]") {
  BlockingQueue<int> q;
  q.push(1);
  (void)q.pop();
  q.task_done();
  CHECK_THROWS_AS(q.task_done(), std::logic_error);
}
