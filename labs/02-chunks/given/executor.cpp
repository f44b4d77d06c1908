// Lab 02, given code: runs a list of chunks on worker threads and records, per worker,
// which chunks it ran and when. Students read this file; they do not edit it.
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "parlab/lab02/schedule.hpp"
#include "parlab/trace.hpp"

namespace parlab::lab02 {

double Execution::imbalance() const {
  std::vector<double> busy;
  busy.reserve(workers.size());
  for (const auto& w : workers) busy.push_back(w.busy);
  return parlab::lab02::imbalance(busy);
}

std::size_t Execution::chunks_run() const noexcept {
  std::size_t n = 0;
  for (const auto& w : workers) n += w.runs.size();
  return n;
}

Execution execute(std::span<const Range> chunks, unsigned workers, const ChunkWork& work,
                  Assignment assignment) {
  if (workers == 0) throw std::invalid_argument("execute: workers must be at least 1");
  using clock = std::chrono::steady_clock;
  const auto since = [](clock::time_point t0) {
    return std::chrono::duration<double>(clock::now() - t0).count();
  };

  Execution result;
  result.workers.resize(workers);
  std::atomic<std::size_t> next{0};   // dynamic: the next chunk nobody has taken yet
  std::atomic<bool> stop{false};      // raised when some work() throws
  std::mutex error_mutex;
  std::exception_ptr error;

  // Each thread writes only its own WorkerRecord; the main thread reads them after
  // joining, so no record is ever shared while threads run.
  const auto body = [&](unsigned w, clock::time_point t0) {
    const trace::Span life("worker thread", "life", {"worker", w});
    WorkerRecord& record = result.workers[w];
    const auto run_one = [&](std::size_t i) {
      ChunkRun run;
      run.index = i;
      run.range = chunks[i];
      run.start = since(t0);
      const trace::Span span("chunk", "work", {"index", i}, {"size", chunks[i].size()});
      run.result = work(chunks[i]);
      run.end = since(t0);
      record.busy += run.end - run.start;
      record.runs.push_back(run);
    };
    try {
      if (assignment == Assignment::dynamic) {
        while (!stop.load(std::memory_order_relaxed)) {
          const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
          if (i >= chunks.size()) break;
          run_one(i);
        }
      } else {
        for (const std::size_t i : static_share(assignment, chunks.size(), workers, w)) {
          if (stop.load(std::memory_order_relaxed)) break;
          run_one(i);
        }
      }
    } catch (...) {
      const std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      stop.store(true, std::memory_order_relaxed);
    }
  };

  const auto t0 = clock::now();
  {
    std::vector<std::jthread> threads;
    threads.reserve(workers);
    try {
      for (unsigned w = 0; w < workers; ++w) threads.emplace_back(body, w, t0);
    } catch (...) {
      stop.store(true);  // could not start every thread: let the started ones finish
      throw;             // (the jthreads join as the vector is destroyed)
    }
  }  // every thread is joined here
  result.wall = since(t0);
  if (error) std::rethrow_exception(error);
  for (const auto& w : result.workers) {
    for (const auto& run : w.runs) result.total += run.result;
  }
  return result;
}

}  // namespace parlab::lab02
