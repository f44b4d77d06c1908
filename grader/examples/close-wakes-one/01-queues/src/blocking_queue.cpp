// Lab 01, task 1 (reference): BlockingQueue<T>.
#include "parlab/lab01/blocking_queue.hpp"

#include <utility>

namespace parlab::lab01 {
namespace {

// Moves the oldest item out of `items`. The caller holds the queue's lock and has made
// sure that `items` is not empty.
template <class T>
T take_oldest(std::deque<T>& items) {
  T item = std::move(items.front());
  items.pop_front();
  return item;
}

}  // namespace

template <class T>
BlockingQueue<T>::BlockingQueue(std::size_t capacity) : capacity_(capacity) {}

template <class T>
void BlockingQueue<T>::push(T item) {
  {
    std::unique_lock lock(mutex_);
    // A predicate loop, not a bare wait: wake-ups can be spurious, and another producer
    // may have taken the free slot between the notify and our turn on the mutex.
    not_full_.wait(lock, [&] { return closed_ || capacity_ == unbounded || items_.size() < capacity_; });
    if (closed_) throw QueueClosed();
    items_.push_back(std::move(item));
    ++unfinished_;
  }
  // Notify after unlocking: the woken consumer can take the mutex at once.
  not_empty_.notify_one();
}

template <class T>
T BlockingQueue<T>::pop() {
  std::unique_lock lock(mutex_);
  not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
  if (items_.empty()) throw QueueClosed();  // closed and drained
  T item = take_oldest(items_);
  lock.unlock();
  not_full_.notify_one();
  return item;
}

template <class T>
std::optional<T> BlockingQueue<T>::try_pop() {
  std::unique_lock lock(mutex_);
  if (items_.empty()) return std::nullopt;
  std::optional<T> item(take_oldest(items_));
  lock.unlock();
  not_full_.notify_one();
  return item;
}

template <class T>
std::optional<T> BlockingQueue<T>::pop_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  // wait_for with a predicate waits for the whole timeout in total, not per wake-up.
  if (!not_empty_.wait_for(lock, timeout, [&] { return !items_.empty() || closed_; })) {
    return std::nullopt;
  }
  if (items_.empty()) throw QueueClosed();
  std::optional<T> item(take_oldest(items_));
  lock.unlock();
  not_full_.notify_one();
  return item;
}

template <class T>
void BlockingQueue<T>::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  // Everyone must re-check: blocked pushers now throw, blocked poppers drain or throw.
  // Wakes only one waiter: every other consumer blocked in pop() sleeps on forever.
  not_empty_.notify_one();
  not_full_.notify_one();
}

template <class T>
bool BlockingQueue<T>::is_closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

template <class T>
std::size_t BlockingQueue<T>::size() const {
  std::lock_guard lock(mutex_);
  return items_.size();
}

template <class T>
void BlockingQueue<T>::task_done() {
  std::unique_lock lock(mutex_);
  if (unfinished_ == 0) {
    throw std::logic_error("BlockingQueue::task_done called more times than items were pushed");
  }
  if (--unfinished_ == 0) {
    lock.unlock();
    all_done_.notify_all();
  }
}

template <class T>
void BlockingQueue<T>::join() {
  std::unique_lock lock(mutex_);
  all_done_.wait(lock, [&] { return unfinished_ == 0; });
}

template class BlockingQueue<int>;
template class BlockingQueue<std::uint64_t>;
template class BlockingQueue<std::string>;
template class BlockingQueue<std::unique_ptr<int>>;
template class BlockingQueue<TaskMessage>;
template class BlockingQueue<ResultMessage>;

}  // namespace parlab::lab01
