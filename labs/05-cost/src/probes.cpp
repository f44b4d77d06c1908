// Lab 05, task 2: the cost probes. Every probe times its operation with your measure()
// (task 1) and must leave nothing behind: no thread, no child, no fd, no mapping.
#include "parlab/lab05/probes.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab/todo.hpp"

extern char** environ;

namespace parlab::lab05 {

std::vector<double> probe_thread_start(const MeasureOptions& options) {
  // TODO (task 2): measure(op, options) where op starts a thread with an empty body and joins it.
  (void)options;
  todo("probe_thread_start (lab 05, task 2)");
}

std::vector<double> probe_fork_wait(const MeasureOptions& options) {
  // TODO (task 2): op forks a child that exits at once (parlab::ChildProcess::fork) and waits
  // for it; a child that does not exit with 0 is an error.
  (void)options;
  todo("probe_fork_wait (lab 05, task 2)");
}

std::vector<double> probe_spawn_wait(const MeasureOptions& options, const std::string& program) {
  // TODO (task 2): first check that `program` can be executed (access(X_OK)) and throw a
  // std::runtime_error naming it if not. op: posix_spawn(program) + waitpid. Make sure the
  // spawned child is reaped even if something throws.
  (void)options, (void)program;
  todo("probe_spawn_wait (lab 05, task 2)");
}

std::vector<double> probe_pipe_round_trip(const MeasureOptions& options) {
  // TODO (task 2): two pipes and a forked child that echoes each byte until end-of-file.
  // op: write one byte, read one byte back. Afterwards close your write end and wait.
  (void)options;
  todo("probe_pipe_round_trip (lab 05, task 2)");
}

std::vector<double> probe_socketpair_round_trip(const MeasureOptions& options) {
  // TODO (task 2): the same with socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds).
  (void)options;
  todo("probe_socketpair_round_trip (lab 05, task 2)");
}

std::vector<double> probe_condvar_round_trip(const MeasureOptions& options) {
  // TODO (task 2): a partner thread and a turn counter under one mutex; op hands the turn to
  // the partner and waits on the condition variable until it comes back. Stop the partner
  // on every path out (also when measure throws).
  (void)options;
  todo("probe_condvar_round_trip (lab 05, task 2)");
}

std::vector<double> probe_atomic_round_trip(const MeasureOptions& options) {
  // TODO (task 2): the same with a std::atomic turn counter and spinning; spin a little,
  // then std::this_thread::yield() so that a partner on the same core can run.
  (void)options;
  todo("probe_atomic_round_trip (lab 05, task 2)");
}

std::vector<double> probe_shared_memory_round_trip(const MeasureOptions& options) {
  // TODO (task 2): the atomic ping-pong between processes: put the atomic in
  // mmap(MAP_SHARED | MAP_ANONYMOUS) memory before fork(), and munmap it on every path out.
  (void)options;
  todo("probe_shared_memory_round_trip (lab 05, task 2)");
}

}  // namespace parlab::lab05
