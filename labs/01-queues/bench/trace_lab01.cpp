// Lab 01's traced scenarios. Each worker's "chunk" spans come from parlab::primes_in (the
// default range function), pipe reads and writes from the given fd helpers, and process
// tracks from ChildProcess; the gaps between a worker's chunks are the time it spent in
// your queue's pop and push (or blocked on the task pipe).
#include "trace_lab01.hpp"

#include <cstdint>

#include "parlab/lab01/pipeline.hpp"
#include "parlab/trace.hpp"

namespace parlab::lab01 {
namespace {

constexpr unsigned kWorkers = 2;
// Chunk 1 costs a queue round trip per number: a small n keeps the trace small.
constexpr std::uint64_t kSmallN = 30'000;
constexpr std::uint64_t kBigN = 1'000'000;

void threads_with_chunk(std::uint64_t n, std::uint64_t chunk, const char* phase) {
  const trace::Span span(phase, "scenario", {"n", n}, {"chunk", chunk});
  (void)primes_threads(kWorkers, n, chunk);
}

}  // namespace

const std::vector<bench::TraceScenario>& trace_scenarios() {
  static const std::vector<bench::TraceScenario> scenarios = {
      {"compare", "2 threads: chunk 1 (n = 30000), then chunk n/64 (n = 1e6): starving workers, then busy ones",
       [] {
         threads_with_chunk(kSmallN, 1, "primes_threads, chunk 1");
         threads_with_chunk(kBigN, kBigN / 64, "primes_threads, chunk n/64");
       }},
      {"chunk1", "2 threads, chunk 1, n = 30000: every number is a queue round trip",
       [] { threads_with_chunk(kSmallN, 1, "primes_threads, chunk 1"); }},
      {"n64", "2 threads, chunk n/64, n = 1e6: 64 messages, workers busy",
       [] { threads_with_chunk(kBigN, kBigN / 64, "primes_threads, chunk n/64"); }},
      {"processes", "2 forked workers, chunk n/64, n = 1e6: task pipe reads, result frames, one track per process",
       [] {
         const trace::Span span("primes_processes, chunk n/64", "scenario", {"n", kBigN}, {"chunk", kBigN / 64});
         (void)primes_processes(kWorkers, kBigN, kBigN / 64);
       }},
  };
  return scenarios;
}

}  // namespace parlab::lab01
