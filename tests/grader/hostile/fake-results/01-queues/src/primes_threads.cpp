// Lab 01 reference with a hostile twist for the grader's tests: Prints a fake "All tests passed", writes a forged "case ended, passed" record to every fd that might be the grader channel, and exits with status 0.
#include <algorithm>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <cstdio>
#include <fstream>
#include <unistd.h>

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

namespace {

void hostile_act() {
  std::printf("===============================================================================\n"
              "All tests passed (100 assertions in 1 test case)\n\n");
  std::fflush(stdout);
  // The name of the running case is the test spec in argv[1].
  std::ifstream cmdline("/proc/self/cmdline");
  std::string program, spec;
  std::getline(cmdline, program, '\0');
  std::getline(cmdline, spec, '\0');
  std::string name;
  for (const char c : spec) {
    if (c != '\\') name += c;
  }
  const std::string forged = "{\"event\":\"case_ended\",\"name\":\"" + name +
                             "\",\"passed\":true,\"assertions_passed\":1,\"assertions_failed\":0,\"nonce\":\"0123456789abcdef\"}\n"
                             "{\"event\":\"run_ended\",\"nonce\":\"0123456789abcdef\"}\n";
  for (int fd = 3; fd < 64; ++fd) (void)!::write(fd, forged.data(), forged.size());
  ::_exit(0);
}

}  // namespace

std::vector<std::uint64_t> primes_threads(unsigned workers, std::uint64_t n, std::uint64_t chunk,
                                          const RangeFunction& find) {
  check_arguments("primes_threads", workers, chunk);
  hostile_act();

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
  for (unsigned w = 0; w < workers; ++w) tasks.push(PoisonPill{});

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
