#pragma once
// Lab 01, tasks 2-4: finding primes with a producer/consumer pipeline.

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

#include "parlab/lab01/blocking_queue.hpp"
#include "parlab/lab01/messages.hpp"
#include "parlab/primes.hpp"

namespace parlab::lab01 {

// What a worker does with one range. The default is parlab::primes_in; tests pass
// their own to count calls, to throw, or to make a worker process die.
using RangeFunction = std::function<std::vector<std::uint64_t>(Range)>;

// Task 2. Pops messages from `tasks` until it pops a PoisonPill:
//  - for every Range, pushes PrimeBatch{worker, find(range)} to `results`;
//  - after its one pill, pushes WorkerFinished{worker} and returns.
// If `find` throws, pushes WorkerFailed{worker, the exception} and returns.
// It takes exactly one pill: pills meant for other workers stay in the queue.
void prime_worker(unsigned worker, BlockingQueue<TaskMessage>& tasks,
                  BlockingQueue<ResultMessage>& results, const RangeFunction& find = primes_in);

// Task 3. All primes below n, ascending, found by `workers` threads running prime_worker.
// The range [0, n) is cut into chunks of `chunk` numbers (the last may be shorter).
// Sends exactly one PoisonPill per worker and returns when every worker has finished.
// If a worker reports WorkerFailed, waits for the others, joins every thread, then
// rethrows that worker's exception.
// Throws std::invalid_argument if workers == 0 or chunk == 0.
[[nodiscard]] std::vector<std::uint64_t> primes_threads(unsigned workers, std::uint64_t n,
                                                        std::uint64_t chunk,
                                                        const RangeFunction& find = primes_in);

// Thrown by primes_processes when a worker process dies or fails before finishing.
class WorkerDied : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Task 4. The same result as primes_threads, computed by `workers` forked processes:
// tasks go out as TaskRecords on one shared pipe, results come back as frames on one
// pipe per worker. Every child is reaped and every pipe end closed before it returns
// or throws. A worker that dies (killed, crashed, exited early) or whose `find` throws
// becomes a WorkerDied exception naming the worker and what happened, never a hang.
// Throws std::invalid_argument if workers == 0 or chunk == 0.
[[nodiscard]] std::vector<std::uint64_t> primes_processes(unsigned workers, std::uint64_t n,
                                                          std::uint64_t chunk,
                                                          const RangeFunction& find = primes_in);

}  // namespace parlab::lab01
