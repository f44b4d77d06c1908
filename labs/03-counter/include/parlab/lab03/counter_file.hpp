#pragma once
// Lab 03, tasks 1 and 2: a counter kept as text in a file and shared by threads and
// processes. You write the functions in src/counter_file.cpp.
//
// The file holds the count in decimal followed by one newline, "42\n". A missing or
// empty file counts as 0 (a counter nobody has written yet). Anything else that is not
// such a number is corruption: an error, never a quiet restart from 0.
//
// Writers never change the counter file in place. They write the new text into a
// temporary file in the same directory and rename() it over the counter, so a reader
// that opens the counter at any moment gets either the old text or the new one, whole.
// Because the counter file is replaced on every write, the lock cannot live on it (a
// waiter would end up holding a lock on a file that is no longer the counter): it lives
// on a separate lock file, lock_path(counter), that is created once and never renamed
// or deleted.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "parlab/fd.hpp"

namespace parlab::lab03 {

// How increment() keeps other writers out while it reads, adds one and writes.
enum class LockMode {
  none,   // no lock at all: concurrent increments lose updates (that is the point)
  flock,  // flock(LOCK_EX) on the lock file: owned by the open file description
  ofd,    // fcntl(F_OFD_SETLKW) on the lock file: an open-file-description record lock
};

// Who runs the increments.
enum class Backend { threads, processes };

[[nodiscard]] constexpr std::string_view name(LockMode m) noexcept {
  switch (m) {
    case LockMode::none: return "none";
    case LockMode::flock: return "flock";
    case LockMode::ofd: return "ofd";
  }
  return "?";
}

[[nodiscard]] constexpr std::string_view name(Backend b) noexcept {
  return b == Backend::threads ? "threads" : "processes";
}

// The counter file holds something that is not a count. The message says "corrupt" and
// quotes (the start of) what it found; read_counter and increment also name the file.
class CounterCorrupt : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A worker process failed. The message says which worker, how it ended and, when the
// worker could report one, its error message (e.g. the CounterCorrupt text).
class WorkerFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The lock file that belongs to a counter: the counter's path with ".lock" appended.
[[nodiscard]] inline std::filesystem::path lock_path(const std::filesystem::path& counter) {
  std::filesystem::path p = counter;
  p += ".lock";
  return p;
}

// Task 2. The count in `text`, the whole content of a counter file: decimal digits and at
// most one trailing '\n'. "" is 0. Throws CounterCorrupt for anything else: signs, spaces,
// other characters, a second line, a newline with no digit before it ("\n"), or a number
// above 2^64 - 1.
[[nodiscard]] std::uint64_t parse_counter(std::string_view text);

// Task 2. Reads the counter file without taking any lock (rename makes that safe).
// A missing file is 0. Throws CounterCorrupt (see parse_counter) and std::system_error
// when the file exists but cannot be read.
[[nodiscard]] std::uint64_t read_counter(const std::filesystem::path& counter);

// Task 1. Replaces the counter file with "<value>\n": writes a temporary file next to it
// (a name no other thread or process is using at the same time) and renames it over the
// counter. Takes no lock: callers hold one when they need it. Throws std::system_error.
void write_counter(const std::filesystem::path& counter, std::uint64_t value);

// Task 1. Holds the counter's lock (on lock_path(counter), created if missing) for as long
// as the object lives. Each CounterLock opens the lock file itself, so two CounterLocks in
// two threads of one process exclude each other too, in both modes. A lock file left
// behind by a process that crashed is harmless: the kernel dropped that process's lock
// when it died. LockMode::none holds nothing.
class CounterLock {
 public:
  // Blocks until the lock is held. Throws std::system_error when the lock file cannot be
  // opened or locked.
  CounterLock(const std::filesystem::path& counter, LockMode mode);
  // Never blocks: std::nullopt when someone else holds the lock right now.
  [[nodiscard]] static std::optional<CounterLock> try_acquire(const std::filesystem::path& counter,
                                                              LockMode mode);

  CounterLock(CounterLock&&) noexcept = default;
  CounterLock& operator=(CounterLock&&) noexcept = default;
  CounterLock(const CounterLock&) = delete;
  CounterLock& operator=(const CounterLock&) = delete;
  // Releases the lock: closing the only descriptor of the open file description does it.
  ~CounterLock() = default;

  [[nodiscard]] LockMode mode() const noexcept { return mode_; }

 private:
  CounterLock(UniqueFd fd, LockMode mode) noexcept : fd_(std::move(fd)), mode_(mode) {}
  UniqueFd fd_;
  LockMode mode_ = LockMode::none;
};

// Task 1. Adds one to the counter under `mode`'s lock and returns the new value.
// Throws CounterCorrupt (the file is left as it was), std::overflow_error when the count
// is already 2^64 - 1, and std::system_error for I/O errors.
std::uint64_t increment(const std::filesystem::path& counter, LockMode mode);

// Task 2. Runs body(w) for every w in [0, workers), all at once: on `workers` threads
// (std::jthread) or on `workers` forked processes (parlab::ChildProcess; the child's
// memory is a copy, so only files and shared memory carry results back). Returns when
// every worker has finished: every thread joined, every child reaped, every descriptor
// it opened closed, also when it throws. A thread's exception is rethrown after all
// threads are joined; a worker process that throws, exits with a code other than 0 or is
// killed becomes WorkerFailed: "worker 2 of 4 exited with code 1: <the child's message>";
// how it ended is worded as ExitStatus::describe() words it ("exited with code 1",
// "killed by signal 9 (SIGKILL, Killed)").
// Throws std::invalid_argument, whose message names workers and the allowed range, when
// workers is 0 or above 256 (before anything runs).
void run_workers(Backend backend, unsigned workers, const std::function<void(unsigned worker)>& body);

// Task 2. `workers` threads or forked processes each call increment(counter, mode)
// `increments` times, all at once. Returns read_counter(counter) after every worker has
// finished. With a lock, the result is the old value + workers * increments, exactly.
// Errors as for run_workers: a corrupt counter is CounterCorrupt on threads and a
// WorkerFailed whose message contains the CounterCorrupt text on processes.
std::uint64_t run_file_counter(const std::filesystem::path& counter, LockMode mode, Backend backend,
                               unsigned workers, std::uint64_t increments);

}  // namespace parlab::lab03
