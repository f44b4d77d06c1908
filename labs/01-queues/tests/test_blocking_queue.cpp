// Lab 01, task 1: visible tests for BlockingQueue. Run them with
//   build/starter/lab01_visible "[task1]"
#include <atomic>
#include <chrono>
#include <thread>

#include "parlab/lab01/blocking_queue.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using parlab::lab01::BlockingQueue;
using parlab::lab01::QueueClosed;

TEST_CASE("items come out in the order they went in", "[lab01][task1]") {
  BlockingQueue<int> q;
  for (int i = 0; i < 5; ++i) q.push(i);
  CHECK(q.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(q.pop() == i);
  CHECK(q.size() == 0);
}

TEST_CASE("try_pop on an empty queue returns nothing instead of waiting", "[lab01][task1]") {
  BlockingQueue<int> q;
  CHECK_FALSE(q.try_pop().has_value());
  q.push(7);
  CHECK(q.try_pop() == 7);
}

TEST_CASE("pop waits for an item pushed by another thread", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("pop() waiting for a push from another thread", 10s);
  BlockingQueue<std::string> q;
  std::jthread producer([&] {
    std::this_thread::sleep_for(20ms);
    q.push("hello");
  });
  CHECK(q.pop() == "hello");
}

TEST_CASE("close wakes a consumer blocked in pop", "[lab01][task1]") {
  parlab_test::Watchdog watchdog("a consumer blocked in pop() after close()", 10s);
  BlockingQueue<int> q;
  std::atomic<bool> got_closed{false};
  std::jthread consumer([&] {
    try {
      (void)q.pop();
    } catch (const QueueClosed&) {
      got_closed = true;
    }
  });
  std::this_thread::sleep_for(20ms);
  q.close();
  consumer.join();
  CHECK(got_closed);
}

TEST_CASE("pop still hands out what was pushed before close and then throws", "[lab01][task1]") {
  BlockingQueue<int> q;
  q.push(1);
  q.close();
  CHECK(q.is_closed());
  CHECK(q.pop() == 1);
  CHECK_THROWS_AS(q.pop(), QueueClosed);
  CHECK_THROWS_AS(q.push(2), QueueClosed);
  q.close();  // idempotent
  CHECK(q.is_closed());
}

TEST_CASE("is_closed is false until close", "[lab01][task1]") {
  BlockingQueue<int> q;
  CHECK_FALSE(q.is_closed());
  q.close();
  CHECK(q.is_closed());
}

TEST_CASE("pop_for returns nothing after its timeout and an item that comes in time", "[lab01][task1]") {
  BlockingQueue<int> q;
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(q.pop_for(50ms).has_value());
  // Only a lower bound: a loaded machine may take longer, never shorter.
  CHECK(std::chrono::steady_clock::now() - start >= 50ms);
  std::jthread producer([&] {
    std::this_thread::sleep_for(20ms);
    q.push(9);
  });
  CHECK(q.pop_for(60s) == 9);
}

TEST_CASE("pop_for on a closed and empty queue throws QueueClosed", "[lab01][task1]") {
  BlockingQueue<int> q;
  q.close();
  CHECK_THROWS_AS(q.pop_for(10ms), QueueClosed);
}

TEST_CASE("a bounded queue blocks push while full and unblocks it on pop", "[lab01][task1]") {
  BlockingQueue<int> q(1);
  q.push(1);
  std::atomic<bool> second_pushed{false};
  std::jthread producer([&] {
    q.push(2);
    second_pushed = true;
  });
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(second_pushed);  // still waiting for room
  CHECK(q.size() == 1);
  CHECK(q.pop() == 1);
  producer.join();
  CHECK(second_pushed);
  CHECK(q.pop() == 2);
}

TEST_CASE("close makes a producer waiting for room throw QueueClosed", "[lab01][task1]") {
  BlockingQueue<int> q(1);
  q.push(1);
  std::atomic<bool> got_closed{false};
  std::jthread producer([&] {
    try {
      q.push(2);
    } catch (const QueueClosed&) {
      got_closed = true;
    }
  });
  std::this_thread::sleep_for(20ms);
  q.close();
  producer.join();
  CHECK(got_closed);
}

TEST_CASE("join returns once every pushed item was marked done", "[lab01][task1]") {
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
  CHECK(done == 2);
}

TEST_CASE("task_done more often than items were pushed is a logic_error", "[lab01][task1]") {
  BlockingQueue<int> q;
  q.push(1);
  (void)q.pop();
  q.task_done();
  CHECK_THROWS_AS(q.task_done(), std::logic_error);
}
