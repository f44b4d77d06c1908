#pragma once
// Lab 03, task 4: writers that take turns in a fixed order. You write src/turns.cpp.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "parlab/lab03/counter_file.hpp"
#include "parlab/lab03/shared_memory.hpp"

namespace parlab::lab03 {

// A ticket counter in shared memory that processes (and threads) wait on. Turn t belongs
// to whoever holds ticket t; advance() hands the turn to ticket t + 1. Waiting blocks in
// the kernel (a process-shared condition variable, or a futex): no sleep-and-retry loop.
class TurnGate {
 public:
  TurnGate();  // the first turn is ticket 0; throws std::system_error if it cannot be made
  ~TurnGate();
  TurnGate(const TurnGate&) = delete;
  TurnGate& operator=(const TurnGate&) = delete;

  // Blocks until current() == ticket. Returns at once if it already is.
  // Throws std::logic_error when the ticket's turn has already passed (it would wait forever).
  void wait_for(std::uint64_t ticket);
  // Moves the turn to the next ticket and wakes the waiters.
  void advance();
  [[nodiscard]] std::uint64_t current() const;

 private:
  struct State;  // you define it in src/turns.cpp
  SharedMapping mapping_;
  State* state_ = nullptr;
};

// Makes a writer's text for one round. Runs in the writer's process before it waits for
// its turn, so writers prepare their lines in parallel.
using LineMaker = std::function<std::string(unsigned writer, unsigned round)>;

// Truncates (or creates) `out`, then forks `writers` processes. For each round r in
// [0, rounds), writer w first makes its text with line(w, r), then waits for ticket
// r * writers + w, appends the text and a '\n' to `out` one character per write() (so
// any overlap between writers would show up as interleaved characters), and advances.
// The file ends up with writers * rounds lines in the order (round 0: writer 0, 1, ...),
// (round 1: writer 0, 1, ...), ...
// rounds == 0 is allowed: the writers write nothing and `out` is left empty.
// A writer that throws or dies becomes WorkerFailed, never a hang: the writers after it
// would wait for their turn forever, so they are stopped. The message says which writer
// and how it ended, and carries the what() of the exception a writer threw:
// "writer 1 of 3 exited with code 1: <what()>" (how it ended as ExitStatus::describe()
// words it, e.g. "writer 1 of 3 killed by signal 9 (SIGKILL, Killed)"). Every child is reaped and every
// descriptor closed before it returns or throws. Throws std::invalid_argument, whose
// message names writers, when writers is 0 or above 256.
void ordered_writes(const std::filesystem::path& out, unsigned writers, unsigned rounds,
                    const LineMaker& line);

}  // namespace parlab::lab03
