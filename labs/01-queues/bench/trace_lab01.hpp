#pragma once
// Lab 01's traced scenarios (`parlab trace 01 [scenario]`, `lab01_bench --trace F --scenario S`).
#include <vector>

#include "parlab/bench_trace.hpp"

namespace parlab::lab01 {

// The first is the default: chunk 1 against chunk n/64 on two worker threads, one after the other.
[[nodiscard]] const std::vector<bench::TraceScenario>& trace_scenarios();

// What tracing costs: primes_threads(workers, n, n/64) timed `rounds` times untraced and
// traced, alternating (A B A B ...) so both see the same machine. Prints the table and
// returns the median of the per-round ratios traced / untraced.
double measure_trace_overhead(unsigned workers, std::uint64_t n, unsigned rounds);

}  // namespace parlab::lab01
