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
