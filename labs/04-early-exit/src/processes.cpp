// Lab 04, task 3: early exit for processes with one byte of shared memory.
#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <sys/mman.h>

#include "parlab/child_process.hpp"
#include "parlab/lab04/early_exit.hpp"
#include "parlab/todo.hpp"

namespace parlab::lab04 {

// TODO (task 3): map one byte with mmap(MAP_SHARED | MAP_ANONYMOUS) (check MAP_FAILED and
// throw std::system_error), unmap it in the destructor, and read / write it through
// std::atomic_ref<unsigned char> with std::memory_order_relaxed.
SharedStopFlag::SharedStopFlag() { todo("SharedStopFlag::SharedStopFlag (lab 04, task 3)"); }
SharedStopFlag::~SharedStopFlag() = default;  // TODO (task 3): munmap
bool SharedStopFlag::is_set() { todo("SharedStopFlag::is_set (lab 04, task 3)"); }
void SharedStopFlag::raise() { todo("SharedStopFlag::raise (lab 04, task 3)"); }
void SharedStopFlag::clear() { todo("SharedStopFlag::clear (lab 04, task 3)"); }

Verdict is_prime_processes(std::uint64_t n, unsigned workers, std::uint64_t check_every) {
  // TODO (task 3): like is_prime_threads, with one forked child per range
  // (parlab::ChildProcess::fork) and a SharedStopFlag created before the first fork.
  // A child's variables are copies: bring each child's RangeResult back through shared
  // memory or a pipe. Wait for every child; one that failed is a std::runtime_error.
  (void)n, (void)workers, (void)check_every;
  todo("is_prime_processes (lab 04, task 3)");
}

}  // namespace parlab::lab04
