// Lab 03, task 4: writers that take turns in a fixed order.
// Read the handout and include/parlab/lab03/turns.hpp.
#include "parlab/lab03/turns.hpp"

#include <cerrno>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab/todo.hpp"

namespace parlab::lab03 {

// TODO (task 4): define TurnGate::State (the turn, plus what waiting needs: a process-shared
// mutex and condition variable, or a 32-bit futex word) and build it in mapping_.

TurnGate::TurnGate() { todo("TurnGate (lab 03, task 4)"); }

// TODO (task 4): destroy what the constructor made, but read the handout's pitfall on
// pthread_cond_destroy first: waiters killed inside pthread_cond_wait never leave.
TurnGate::~TurnGate() = default;

void TurnGate::wait_for(std::uint64_t ticket) {
  (void)ticket;
  todo("TurnGate::wait_for (lab 03, task 4)");
}

void TurnGate::advance() { todo("TurnGate::advance (lab 03, task 4)"); }

std::uint64_t TurnGate::current() const { todo("TurnGate::current (lab 03, task 4)"); }

void ordered_writes(const std::filesystem::path& out, unsigned writers, unsigned rounds, const LineMaker& line) {
  // TODO (task 4): truncate `out`; one TurnGate; fork the writers; wait for every writer
  // without waiting forever on one whose turn never comes (a pipe per writer and poll()).
  (void)out, (void)writers, (void)rounds, (void)line;
  todo("ordered_writes (lab 03, task 4)");
}

}  // namespace parlab::lab03
