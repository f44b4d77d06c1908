#pragma once
// Lab 01, task 1: a multi-producer, multi-consumer blocking queue.
//
// The state is given; you write the member functions in src/blocking_queue.cpp.
// Read the handout (labs/01-queues/README.md) first: it explains why each of the
// three condition variables exists.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "parlab/lab01/messages.hpp"

namespace parlab::lab01 {

// Thrown by push() on a closed queue, and by pop()/pop_for() on a closed queue that has
// been drained.
class QueueClosed : public std::runtime_error {
 public:
  QueueClosed() : std::runtime_error("the queue is closed") {}
};

template <class T>
class BlockingQueue {
 public:
  static constexpr std::size_t unbounded = 0;

  // capacity == unbounded (0): push never blocks. Otherwise push blocks while the queue
  // holds `capacity` items (back-pressure: a fast producer waits for slow consumers).
  explicit BlockingQueue(std::size_t capacity = unbounded);

  BlockingQueue(const BlockingQueue&) = delete;
  BlockingQueue& operator=(const BlockingQueue&) = delete;

  // Appends an item, blocking while a bounded queue is full.
  // Throws QueueClosed if the queue is (or becomes, while waiting) closed.
  void push(T item);

  // Removes the oldest item, blocking while the queue is empty. Items pushed before
  // close() are still delivered; once the queue is closed AND empty, throws QueueClosed.
  T pop();

  // Like pop(), but never blocks: std::nullopt when the queue is empty (closed or not).
  std::optional<T> try_pop();

  // Like pop(), but gives up after `timeout`: std::nullopt if nothing arrived in time.
  // Throws QueueClosed once the queue is closed and empty.
  std::optional<T> pop_for(std::chrono::milliseconds timeout);

  // Closes the queue and wakes every blocked pusher and popper. Idempotent.
  void close();

  [[nodiscard]] bool is_closed() const;
  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

  // JoinableQueue-style accounting. Every successful push adds one unfinished item;
  // a consumer calls task_done() once for each item it popped when it has finished with
  // it; join() blocks until no unfinished item remains. Calling task_done() more often
  // than items were pushed is a bug: throw std::logic_error.
  void task_done();
  void join();

 private:
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;  // signalled when an item arrives or on close
  std::condition_variable not_full_;   // signalled when space frees up or on close
  std::condition_variable all_done_;   // signalled when unfinished_ drops to zero
  std::deque<T> items_;
  std::size_t capacity_;
  std::size_t unfinished_ = 0;
  bool closed_ = false;
};

// The queue's member functions are defined in src/blocking_queue.cpp and compiled for
// exactly these item types (explicit instantiation), so that the code you write lives
// in a .cpp file like every other task.
extern template class BlockingQueue<int>;
extern template class BlockingQueue<std::uint64_t>;
extern template class BlockingQueue<std::string>;
extern template class BlockingQueue<std::unique_ptr<int>>;
extern template class BlockingQueue<TaskMessage>;
extern template class BlockingQueue<ResultMessage>;

}  // namespace parlab::lab01
