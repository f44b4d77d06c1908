// Lab 03, tasks 1 and 2: a text counter in a file, under flock or OFD locks.
// Read the handout (labs/03-counter/README.md) and include/parlab/lab03/counter_file.hpp.
#include "parlab/lab03/counter_file.hpp"

#include <cerrno>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab/todo.hpp"

namespace parlab::lab03 {

std::uint64_t parse_counter(std::string_view text) {
  // TODO (task 2): "" is 0; digits with at most one trailing '\n'; anything else, and any
  // number above 2^64 - 1, throws CounterCorrupt (say "corrupt" and quote what you found).
  (void)text;
  todo("parse_counter (lab 03, task 2)");
}

std::uint64_t read_counter(const std::filesystem::path& counter) {
  // TODO (task 2): open the file (ENOENT means 0), read it all, parse_counter. No lock.
  (void)counter;
  todo("read_counter (lab 03, task 2)");
}

void write_counter(const std::filesystem::path& counter, std::uint64_t value) {
  // TODO (task 1): write "<value>\n" into a temporary file with a unique name in the same
  // directory, close it, then rename() it over the counter. Clean up the temporary file
  // if anything fails.
  (void)counter, (void)value;
  todo("write_counter (lab 03, task 1)");
}

CounterLock::CounterLock(const std::filesystem::path& counter, LockMode mode) : mode_(mode) {
  // TODO (task 1): unless mode is none, open lock_path(counter) (O_RDWR | O_CREAT |
  // O_CLOEXEC) and lock it with flock(LOCK_EX) or fcntl(F_OFD_SETLKW); keep the fd in fd_.
  (void)counter;
  todo("CounterLock (lab 03, task 1)");
}

std::optional<CounterLock> CounterLock::try_acquire(const std::filesystem::path& counter, LockMode mode) {
  // TODO (task 1): like the constructor with LOCK_NB / F_OFD_SETLK; std::nullopt when the
  // lock is taken (EWOULDBLOCK / EAGAIN / EACCES).
  (void)counter, (void)mode;
  todo("CounterLock::try_acquire (lab 03, task 1)");
}

std::uint64_t increment(const std::filesystem::path& counter, LockMode mode) {
  // TODO (task 1): lock, read, add one (refuse to overflow), write, return the new value.
  (void)counter, (void)mode;
  todo("increment (lab 03, task 1)");
}

void run_workers(Backend backend, unsigned workers, const std::function<void(unsigned)>& body) {
  // TODO (task 2): check workers; threads: std::jthread per worker, keep each exception,
  // rethrow after joining; processes: ChildProcess::fork per worker, send a failing
  // child's message back through a pipe, reap every child, throw WorkerFailed.
  (void)backend, (void)workers, (void)body;
  todo("run_workers (lab 03, task 2)");
}

std::uint64_t run_file_counter(const std::filesystem::path& counter, LockMode mode, Backend backend,
                               unsigned workers, std::uint64_t increments) {
  // TODO (task 2): run_workers, each worker calling increment() `increments` times; then
  // return read_counter(counter).
  (void)counter, (void)mode, (void)backend, (void)workers, (void)increments;
  todo("run_file_counter (lab 03, task 2)");
}

}  // namespace parlab::lab03
