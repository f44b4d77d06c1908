// Lab 01, tasks 2 and 3: the prime pipeline on threads.
#include <algorithm>
#include <thread>
#include <vector>

#include "parlab/lab01/pipeline.hpp"
#include "parlab/todo.hpp"

namespace parlab::lab01 {

void prime_worker(unsigned worker, BlockingQueue<TaskMessage>& tasks,
                  BlockingQueue<ResultMessage>& results, const RangeFunction& find) {
  // TODO (task 2): pop until *your* pill; a PrimeBatch per range; WorkerFinished at the
  // end; WorkerFailed (and return) if find throws.
  (void)worker, (void)tasks, (void)results, (void)find;
  todo("prime_worker (lab 01, task 2)");
}

std::vector<std::uint64_t> primes_threads(unsigned workers, std::uint64_t n, std::uint64_t chunk,
                                          const RangeFunction& find) {
  // TODO (task 3): check the arguments; start `workers` threads running prime_worker;
  // queue the chunks of [0, n) and one pill per worker; collect until every worker has
  // reported; join; rethrow a worker's failure; return the primes sorted.
  (void)workers, (void)n, (void)chunk, (void)find;
  todo("primes_threads (lab 01, task 3)");
}

}  // namespace parlab::lab01
