#pragma once
// The messages of the prime pipeline, for threads (C++ objects in a BlockingQueue) and
// for processes (fixed-size records and length-prefixed frames over pipes).

#include <climits>
#include <cstdint>
#include <exception>
#include <variant>
#include <vector>

#include "parlab/range.hpp"

namespace parlab::lab01 {

// ---- Threads: objects moved through BlockingQueue ---------------------------------

// A poison pill tells exactly one worker to stop. One per worker: a worker that takes
// two pills steals another worker's, and that worker then waits forever.
struct PoisonPill {
  friend bool operator==(const PoisonPill&, const PoisonPill&) = default;
};
using TaskMessage = std::variant<Range, PoisonPill>;

// The primes a worker found in one range.
struct PrimeBatch {
  unsigned worker = 0;
  std::vector<std::uint64_t> primes;
};
// "Worker `worker` has taken its pill and will send nothing more." The collector
// counts these: when every worker has reported, every result has arrived.
struct WorkerFinished {
  unsigned worker = 0;
};
// The worker's range function threw; the worker stops and reports the error instead
// of a WorkerFinished, so the collector can rethrow it instead of waiting forever.
struct WorkerFailed {
  unsigned worker = 0;
  std::exception_ptr error;
};
using ResultMessage = std::variant<PrimeBatch, WorkerFinished, WorkerFailed>;

// ---- Processes: bytes through pipes ------------------------------------------------

// One task on the shared task pipe. Every worker reads from the same pipe, so a record
// must arrive whole: POSIX makes writes of at most PIPE_BUF bytes atomic, and reading
// exactly sizeof(TaskRecord) bytes then never mixes two records.
struct TaskRecord {
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;
  std::uint64_t is_pill = 0;  // 1: a poison pill (lo and hi are ignored)
};
static_assert(sizeof(TaskRecord) <= PIPE_BUF, "a task record must be written atomically");

// Each worker answers on a pipe of its own with a stream of frames: a header, then its
// payload, which depends on the kind:
//  - primes:   `count` uint64_t values, the primes of one range, ascending;
//  - finished: nothing (count == 0), sent once, after the worker's pill;
//  - failed:   `count` bytes of text, the what() of the exception `find` threw (no
//              terminating NUL); the worker sends nothing after it. primes_processes puts
//              this text in the message of the WorkerDied it throws.
enum class FrameKind : std::uint32_t { primes = 1, finished = 2, failed = 3 };
struct FrameHeader {
  FrameKind kind = FrameKind::primes;
  std::uint32_t worker = 0;
  std::uint64_t count = 0;
};

}  // namespace parlab::lab01
