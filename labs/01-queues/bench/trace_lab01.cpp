// Lab 01's traced scenarios. Each worker's "chunk" spans come from parlab::primes_in (the
// default range function), pipe reads and writes from the given fd helpers, and process
// tracks from ChildProcess; the gaps between a worker's chunks are the time it spent in
// your queue's pop and push (or blocked on the task pipe).
#include "trace_lab01.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "parlab/lab01/pipeline.hpp"
#include "parlab/bench.hpp"
#include "parlab/stopwatch.hpp"
#include "parlab/trace.hpp"

namespace parlab::lab01 {
namespace {

constexpr unsigned kWorkers = 2;
// Chunk 1 costs a queue round trip per number: a small n keeps the trace small.
constexpr std::uint64_t kSmallN = 100'000;
constexpr std::uint64_t kBigN = 1'000'000;

void threads_with_chunk(std::uint64_t n, std::uint64_t chunk, const char* phase) {
  const trace::Span span(phase, "scenario", {"n", n}, {"chunk", chunk});
  (void)primes_threads(kWorkers, n, chunk);
}

}  // namespace

const std::vector<bench::TraceScenario>& trace_scenarios() {
  static const std::vector<bench::TraceScenario> scenarios = {
      {"compare", "2 threads: chunk 1 (n = 1e5), then chunk n/64 (n = 1e6): starving workers, then busy ones",
       [] {
         threads_with_chunk(kSmallN, 1, "primes_threads, chunk 1");
         threads_with_chunk(kBigN, kBigN / 64, "primes_threads, chunk n/64");
       }},
      {"chunk1", "2 threads, chunk 1, n = 1e5: every number is a queue round trip",
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

double measure_trace_overhead(unsigned workers, std::uint64_t n, unsigned rounds) {
  const std::uint64_t chunk = std::max<std::uint64_t>(1, n / 64);
  const auto time_once = [&] {
    const Stopwatch sw;
    (void)primes_threads(workers, n, chunk);
    return sw.seconds();
  };
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("parlab-trace-overhead-" + std::to_string(::getpid()) + ".json");
  (void)time_once();  // warm-up
  std::vector<double> plain, traced, ratios;
  for (unsigned r = 0; r < rounds; ++r) {
    plain.push_back(time_once());
    {
      trace::Session session(file);
      traced.push_back(time_once());
      session.finish();  // writing the file is not part of the run's time
    }
    ratios.push_back(traced.back() / plain.back());
  }
  std::filesystem::remove(file);
  const auto p = bench::summarize(plain), t = bench::summarize(traced), q = bench::summarize(ratios);
  fmt::print("primes_threads({}, {}, chunk {}), {} rounds alternating untraced / traced\n", workers, n, chunk, rounds);
  fmt::print("  untraced: median {} (min {}, max {})\n", bench::human_seconds(p.median), bench::human_seconds(p.min),
             bench::human_seconds(p.max));
  fmt::print("  traced:   median {} (min {}, max {})\n", bench::human_seconds(t.median), bench::human_seconds(t.min),
             bench::human_seconds(t.max));
  fmt::print("  traced / untraced per round: median {:.3f} (min {:.3f}, max {:.3f}); ratio of medians {:.3f}\n", q.median,
             q.min, q.max, t.median / p.median);
  return q.median;
}

}  // namespace parlab::lab01
