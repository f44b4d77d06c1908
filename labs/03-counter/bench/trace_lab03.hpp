#pragma once
// Lab 03's traced scenarios (`parlab trace 03 [scenario]`, `lab03_bench --trace F --scenario S`).
#include <vector>

#include "parlab/bench_trace.hpp"

namespace parlab::lab03 {

// The first is the default: lock wait and hold under flock, OFD and the shared-memory mutex.
[[nodiscard]] const std::vector<bench::TraceScenario>& trace_scenarios();

}  // namespace parlab::lab03
