// Lab 01, task 1: BlockingQueue<T>. Replace every todo(...) with a real body.
// The members you have to work with are in include/parlab/lab01/blocking_queue.hpp.
#include "parlab/lab01/blocking_queue.hpp"

#include <utility>

#include "parlab/todo.hpp"

namespace parlab::lab01 {

template <class T>
BlockingQueue<T>::BlockingQueue(std::size_t capacity) : capacity_(capacity) {}

template <class T>
void BlockingQueue<T>::push(T item) {
  // TODO: wait (on not_full_) while a bounded queue is full; throw QueueClosed if closed;
  // append the item, count it as unfinished, wake one consumer.
  (void)item;
  todo("BlockingQueue::push (lab 01, task 1)");
}

template <class T>
T BlockingQueue<T>::pop() {
  // TODO: wait (on not_empty_) until there is an item or the queue is closed. Items
  // pushed before close() must still come out; closed and empty means QueueClosed.
  todo("BlockingQueue::pop (lab 01, task 1)");
}

template <class T>
std::optional<T> BlockingQueue<T>::try_pop() {
  // TODO: like pop(), without waiting.
  todo("BlockingQueue::try_pop (lab 01, task 1)");
}

template <class T>
std::optional<T> BlockingQueue<T>::pop_for(std::chrono::milliseconds timeout) {
  // TODO: like pop(), but give up after `timeout` in total (not per wake-up).
  (void)timeout;
  todo("BlockingQueue::pop_for (lab 01, task 1)");
}

template <class T>
void BlockingQueue<T>::close() {
  // TODO: mark closed and wake *every* waiter on both sides.
  todo("BlockingQueue::close (lab 01, task 1)");
}

template <class T>
bool BlockingQueue<T>::is_closed() const {
  todo("BlockingQueue::is_closed (lab 01, task 1)");
}

template <class T>
std::size_t BlockingQueue<T>::size() const {
  todo("BlockingQueue::size (lab 01, task 1)");
}

template <class T>
void BlockingQueue<T>::task_done() {
  // TODO: one fewer unfinished item; at zero, wake join(). Too many calls: std::logic_error.
  todo("BlockingQueue::task_done (lab 01, task 1)");
}

template <class T>
void BlockingQueue<T>::join() {
  // TODO: wait (on all_done_) until no unfinished item remains.
  todo("BlockingQueue::join (lab 01, task 1)");
}

// Keep these lines: they compile the queue for the item types the lab uses.
template class BlockingQueue<int>;
template class BlockingQueue<std::uint64_t>;
template class BlockingQueue<std::string>;
template class BlockingQueue<std::unique_ptr<int>>;
template class BlockingQueue<TaskMessage>;
template class BlockingQueue<ResultMessage>;

}  // namespace parlab::lab01
