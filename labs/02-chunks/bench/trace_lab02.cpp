// Lab 02's traced scenarios: your chunkings run on the given executor, whose "chunk" spans
// show which worker ran which chunk and when it ran out of work.
#include "trace_lab02.hpp"

#include <cstdint>

#include "parlab/lab02/chunks.hpp"
#include "parlab/lab02/schedule.hpp"
#include "parlab/primes.hpp"
#include "parlab/trace.hpp"

namespace parlab::lab02 {
namespace {

constexpr unsigned kWorkers = 2;
constexpr Range kRange{0, 3'000'000};

std::uint64_t count_primes(Range r) {
  std::uint64_t count = 0;
  for (std::uint64_t x = r.lo; x < r.hi; ++x) if (is_prime(x)) ++count;
  return count;
}

void run_chunks(const Chunks& chunks, const char* phase) {
  const trace::Span span(phase, "scenario", {"chunks", chunks.size()});
  (void)execute(chunks, kWorkers, count_primes, Assignment::dynamic);
}

}  // namespace

const std::vector<bench::TraceScenario>& trace_scenarios() {
  static const std::vector<bench::TraceScenario> scenarios = {
      {"compare", "n = 3e6 on 2 threads: 2 equal chunks (one worker idles), then guided chunks (min n/1000)",
       [] {
         run_chunks(chunks(kRange, kRange.size() / kWorkers), "equal: 2 chunks");
         run_chunks(chunks_guided(kRange, kWorkers, kRange.size() / 1000), "guided, min n/1000");
       }},
      {"equal", "2 equal chunks: the second costs more, the first worker waits",
       [] { run_chunks(chunks(kRange, kRange.size() / kWorkers), "equal: 2 chunks"); }},
      {"guided", "guided chunks: big first, small last, both workers end together",
       [] { run_chunks(chunks_guided(kRange, kWorkers, kRange.size() / 1000), "guided, min n/1000"); }},
      {"equal-cost", "chunks_equal_cost with one chunk per worker",
       [] { run_chunks(chunks_equal_cost(kRange, kWorkers), "equal cost: 2 chunks"); }},
  };
  return scenarios;
}

}  // namespace parlab::lab02
