#pragma once
// Lab 02's traced scenarios (`parlab trace 02 [scenario]`, `lab02_bench --trace F --scenario S`).
#include <vector>

#include "parlab/bench_trace.hpp"

namespace parlab::lab02 {

// The first is the default: equal chunks, then guided chunks, on two executor threads.
[[nodiscard]] const std::vector<bench::TraceScenario>& trace_scenarios();

}  // namespace parlab::lab02
