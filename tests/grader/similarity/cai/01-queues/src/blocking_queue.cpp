// Independent solution A (similarity test): explicit loops around wait(), notify under the lock.
#include "parlab/lab01/blocking_queue.hpp"

#include <utility>

namespace parlab::lab01 {

template <class T>
BlockingQueue<T>::BlockingQueue(std::size_t capacity) : capacity_(capacity) {}

template <class T>
void BlockingQueue<T>::push(T item) {
  std::unique_lock<std::mutex> g(mutex_);
  while (!closed_ && capacity_ != 0 && items_.size() >= capacity_) not_full_.wait(g);
  if (closed_) throw QueueClosed{};
  items_.emplace_back(std::move(item));
  unfinished_ += 1;
  not_empty_.notify_one();
}

template <class T>
T BlockingQueue<T>::pop() {
  std::unique_lock<std::mutex> g(mutex_);
  for (;;) {
    if (!items_.empty()) break;
    if (closed_) throw QueueClosed{};
    not_empty_.wait(g);
  }
  T front = std::move(items_.front());
  items_.pop_front();
  not_full_.notify_one();
  return front;
}

template <class T>
std::optional<T> BlockingQueue<T>::try_pop() {
  std::lock_guard<std::mutex> g(mutex_);
  if (items_.empty()) return {};
  std::optional<T> result{std::move(items_.front())};
  items_.pop_front();
  not_full_.notify_one();
  return result;
}

template <class T>
std::optional<T> BlockingQueue<T>::pop_for(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> g(mutex_);
  while (items_.empty()) {
    if (closed_) throw QueueClosed{};
    if (not_empty_.wait_until(g, deadline) == std::cv_status::timeout && items_.empty()) {
      if (closed_) throw QueueClosed{};
      return std::nullopt;
    }
  }
  std::optional<T> result{std::move(items_.front())};
  items_.pop_front();
  not_full_.notify_one();
  return result;
}

template <class T>
void BlockingQueue<T>::close() {
  std::lock_guard<std::mutex> g(mutex_);
  if (closed_) return;
  closed_ = true;
  not_full_.notify_all();
  not_empty_.notify_all();
}

template <class T>
bool BlockingQueue<T>::is_closed() const {
  std::lock_guard<std::mutex> g(mutex_);
  return closed_;
}

template <class T>
std::size_t BlockingQueue<T>::size() const {
  std::lock_guard<std::mutex> g(mutex_);
  return items_.size();
}

template <class T>
void BlockingQueue<T>::task_done() {
  std::lock_guard<std::mutex> g(mutex_);
  if (unfinished_ == 0) throw std::logic_error("task_done without a matching push");
  unfinished_ -= 1;
  if (unfinished_ == 0) all_done_.notify_all();
}

template <class T>
void BlockingQueue<T>::join() {
  std::unique_lock<std::mutex> g(mutex_);
  while (unfinished_ != 0) all_done_.wait(g);
}

template class BlockingQueue<int>;
template class BlockingQueue<std::uint64_t>;
template class BlockingQueue<std::string>;
template class BlockingQueue<std::unique_ptr<int>>;
template class BlockingQueue<TaskMessage>;
template class BlockingQueue<ResultMessage>;

}  // namespace parlab::lab01
