#pragma once
// Lab 05's traced scenarios (`parlab trace 05 [scenario]`, `lab05_bench --trace F --scenario S`).
#include <vector>

#include "parlab/bench_trace.hpp"

namespace parlab::lab05 {

// The first is the default: starting (and ending) a thread against forking a process.
[[nodiscard]] const std::vector<bench::TraceScenario>& trace_scenarios();

}  // namespace parlab::lab05
