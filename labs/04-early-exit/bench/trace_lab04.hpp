#pragma once
// Lab 04's traced scenarios (`parlab trace 04 [scenario]`, `lab04_bench --trace F --scenario S`).
#include <vector>

#include "parlab/bench_trace.hpp"

namespace parlab::lab04 {

// The first is the default: the stop latency after the flag is raised, for three check_every values.
[[nodiscard]] const std::vector<bench::TraceScenario>& trace_scenarios();

}  // namespace parlab::lab04
