#pragma once
// Lab 05, task 2: what parallelism costs, measured.
//
// Each probe times one basic operation with the task 1 harness (measure) and returns its
// samples: seconds per operation, one sample per repetition, options.repetitions of them.
// A sample covers options.batch operations divided by options.batch, exactly as measure
// defines it. Every probe cleans up after itself: when it returns or throws, every thread
// it started is joined, every child process reaped, every fd closed, every mapping unmapped.
// Options that measure nothing (repetitions or batch 0) throw std::invalid_argument, as
// measure does, and a probe that has already set up its partner stops it first.
//
// Two kinds of operation:
//  - starting a worker and waiting for it to end (a thread, a fork()ed child, a spawned
//    program): what you pay once per worker;
//  - a round trip (ping and pong) between two workers through one channel: what you pay
//    every time two workers talk. The partner (a thread or a child process) is set up once,
//    before measuring; the samples time only the round trips.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parlab/lab05/harness.hpp"

namespace parlab::lab05 {

// std::thread (or std::jthread) with an empty body, started and joined.
[[nodiscard]] std::vector<double> probe_thread_start(const MeasureOptions& options);

// fork() a child that exits at once, then waitpid() for it.
[[nodiscard]] std::vector<double> probe_fork_wait(const MeasureOptions& options);

// posix_spawn() `program` (with no arguments) and waitpid() for it. The program must exit
// with status 0. Throws std::runtime_error naming `program` if it cannot be started or
// does not exit with 0 (/bin/true is missing on some systems: say so, do not hang).
[[nodiscard]] std::vector<double> probe_spawn_wait(const MeasureOptions& options,
                                                   const std::string& program = "/bin/true");

// One byte to a forked child over one pipe, one byte back over a second pipe.
[[nodiscard]] std::vector<double> probe_pipe_round_trip(const MeasureOptions& options);

// One byte to a forked child over a Unix-domain socketpair, one byte back over the same pair.
[[nodiscard]] std::vector<double> probe_socketpair_round_trip(const MeasureOptions& options);

// Two threads take turns through one mutex and a condition variable (ping, wait for pong).
[[nodiscard]] std::vector<double> probe_condvar_round_trip(const MeasureOptions& options);

// Two threads take turns through one std::atomic, each spinning until it is its turn.
[[nodiscard]] std::vector<double> probe_atomic_round_trip(const MeasureOptions& options);

// A parent and a forked child take turns through a std::atomic in a shared anonymous
// mapping (mmap MAP_SHARED | MAP_ANONYMOUS), each spinning until it is its turn.
[[nodiscard]] std::vector<double> probe_shared_memory_round_trip(const MeasureOptions& options);

// ---------------------------------------------------------------------------------------
// Given: the list of probes, for the benchmark and the tests.
using ProbeFunction = std::vector<double> (*)(const MeasureOptions&);

struct ProbeInfo {
  std::string_view key;    // a name for JSON and tables
  std::string_view label;  // words for people
  ProbeFunction run;
  bool round_trip;                      // true: a round trip; false: start and wait
  std::optional<double> python_seconds; // the seed notebooks' figure for the same thing, if any
};

namespace detail {
inline std::vector<double> spawn_true(const MeasureOptions& options) { return probe_spawn_wait(options); }
}  // namespace detail

// The seed notebooks quote two figures for CPython: starting a thread takes about 100 us,
// starting a process with the "spawn" method (a fresh interpreter) about 50 ms.
inline const std::array<ProbeInfo, 8>& all_probes() {
  static const std::array<ProbeInfo, 8> list{{
      {"thread_start_join", "thread start + join", probe_thread_start, false, 100e-6},
      {"fork_waitpid", "fork + waitpid", probe_fork_wait, false, std::nullopt},
      {"posix_spawn_wait", "posix_spawn + waitpid", detail::spawn_true, false, 50e-3},
      {"pipe_round_trip", "pipe round trip (processes)", probe_pipe_round_trip, true, std::nullopt},
      {"socketpair_round_trip", "socketpair round trip (processes)", probe_socketpair_round_trip, true,
       std::nullopt},
      {"condvar_round_trip", "condition variable round trip (threads)", probe_condvar_round_trip, true,
       std::nullopt},
      {"atomic_spin_round_trip", "atomic spin round trip (threads)", probe_atomic_round_trip, true,
       std::nullopt},
      {"shared_memory_round_trip", "shared memory spin round trip (processes)", probe_shared_memory_round_trip,
       true, std::nullopt},
  }};
  return list;
}

}  // namespace parlab::lab05
