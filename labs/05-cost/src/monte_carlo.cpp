// Lab 05, task 3: Monte Carlo pi on threads and on processes, one stream per worker.
#include "parlab/lab05/monte_carlo.hpp"

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab/todo.hpp"

namespace parlab::lab05 {

std::uint64_t worker_seed(std::uint64_t seed, unsigned worker) {
  // TODO (task 3): a stream seed that depends on both seed and worker, different for every
  // pair. Mix, do not add.
  (void)seed, (void)worker;
  todo("worker_seed (lab 05, task 3)");
}

std::uint64_t count_inside(std::uint64_t samples, std::uint64_t stream_seed) {
  // TODO (task 3): Rng rng(stream_seed); draw x then y for every point; count x*x + y*y <= 1.
  (void)samples, (void)stream_seed;
  todo("count_inside (lab 05, task 3)");
}

PiEstimate estimate_pi_threads(std::uint64_t samples, unsigned workers, std::uint64_t seed) {
  // TODO (task 3): validate; one thread per worker, each writing its own count slot.
  (void)samples, (void)workers, (void)seed;
  todo("estimate_pi_threads (lab 05, task 3)");
}

PiEstimate estimate_pi_processes(std::uint64_t samples, unsigned workers, std::uint64_t seed) {
  // TODO (task 3): validate; one ChildProcess and one Pipe per worker; the child writes its
  // count, the parent reads every count and waits for every child.
  (void)samples, (void)workers, (void)seed;
  todo("estimate_pi_processes (lab 05, task 3)");
}

}  // namespace parlab::lab05
