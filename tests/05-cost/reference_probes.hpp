#pragma once
// Lab 05 hidden tests: the reference probes, under a namespace of their own so that they link
// beside any submission (reference_probes.cpp compiles them from solutions/). Same contract
// as parlab/lab05/probes.hpp, timed by a reference harness instead of the student's measure().
#include <string>
#include <vector>

#include "parlab/lab05/harness.hpp"

namespace parlab::lab05_reference {
using lab05::MeasureOptions;
std::vector<double> probe_thread_start(const MeasureOptions& options);
std::vector<double> probe_fork_wait(const MeasureOptions& options);
std::vector<double> probe_spawn_wait(const MeasureOptions& options, const std::string& program = "/bin/true");
std::vector<double> probe_pipe_round_trip(const MeasureOptions& options);
std::vector<double> probe_socketpair_round_trip(const MeasureOptions& options);
std::vector<double> probe_condvar_round_trip(const MeasureOptions& options);
std::vector<double> probe_atomic_round_trip(const MeasureOptions& options);
std::vector<double> probe_shared_memory_round_trip(const MeasureOptions& options);
}  // namespace parlab::lab05_reference
