#pragma once
// Lab 01's traced scenarios (`parlab trace 01 [scenario]`, `lab01_bench --trace F --scenario S`).
#include <vector>

#include "parlab/bench_trace.hpp"

namespace parlab::lab01 {

// The first is the default: chunk 1 against chunk n/64 on two worker threads, one after the other.
[[nodiscard]] const std::vector<bench::TraceScenario>& trace_scenarios();

}  // namespace parlab::lab01
