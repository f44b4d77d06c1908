// Independent solution B (similarity test): one private helper per condition, a scoped
// lock per member, and the removal shared through a lambda.
#include "parlab/lab01/blocking_queue.hpp"

#include <utility>

namespace parlab::lab01 {

template <class T>
BlockingQueue<T>::BlockingQueue(std::size_t capacity) : capacity_{capacity} {}

template <class T>
void BlockingQueue<T>::push(T item) {
  auto has_room = [this] { return capacity_ == unbounded || items_.size() < capacity_; };
  std::unique_lock held{mutex_};
  not_full_.wait(held, [&] { return closed_ || has_room(); });
  if (closed_) {
    throw QueueClosed();
  }
  items_.push_back(std::move(item));
  ++unfinished_;
  held.unlock();
  not_empty_.notify_one();
}

template <class T>
T BlockingQueue<T>::pop() {
  std::unique_lock held{mutex_};
  not_empty_.wait(held, [this] { return closed_ || !items_.empty(); });
  if (items_.empty()) {
    throw QueueClosed();
  }
  auto out = std::move(items_.front());
  items_.pop_front();
  held.unlock();
  not_full_.notify_one();
  return out;
}

template <class T>
std::optional<T> BlockingQueue<T>::pop_for(std::chrono::milliseconds timeout) {
  std::unique_lock held{mutex_};
  const bool ready = not_empty_.wait_for(held, timeout, [this] { return closed_ || !items_.empty(); });
  if (!ready) {
    return std::nullopt;
  }
  if (items_.empty()) {
    throw QueueClosed();
  }
  std::optional<T> out = std::move(items_.front());
  items_.pop_front();
  held.unlock();
  not_full_.notify_one();
  return out;
}

template <class T>
std::optional<T> BlockingQueue<T>::try_pop() {
  std::optional<T> out;
  {
    std::scoped_lock held{mutex_};
    if (!items_.empty()) {
      out.emplace(std::move(items_.front()));
      items_.pop_front();
    }
  }
  if (out) not_full_.notify_one();
  return out;
}

template <class T>
void BlockingQueue<T>::join() {
  std::unique_lock held{mutex_};
  all_done_.wait(held, [this] { return unfinished_ == 0; });
}

template <class T>
void BlockingQueue<T>::task_done() {
  bool last = false;
  {
    std::scoped_lock held{mutex_};
    if (unfinished_ == 0) {
      throw std::logic_error("more task_done() calls than pushed items");
    }
    last = --unfinished_ == 0;
  }
  if (last) all_done_.notify_all();
}

template <class T>
void BlockingQueue<T>::close() {
  {
    std::scoped_lock held{mutex_};
    closed_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
}

template <class T>
bool BlockingQueue<T>::is_closed() const {
  std::scoped_lock held{mutex_};
  return closed_;
}

template <class T>
std::size_t BlockingQueue<T>::size() const {
  std::scoped_lock held{mutex_};
  return items_.size();
}

template class BlockingQueue<int>;
template class BlockingQueue<std::uint64_t>;
template class BlockingQueue<std::string>;
template class BlockingQueue<std::unique_ptr<int>>;
template class BlockingQueue<TaskMessage>;
template class BlockingQueue<ResultMessage>;

}  // namespace parlab::lab01
