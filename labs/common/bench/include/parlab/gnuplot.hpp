#pragma once
// Drawing a picture with gnuplot, for the benchmarks and the `parlab trace` command alike.
// Apart from the benchmark library, so that the student command, which only draws, does not
// wait for the benchmark code to compile on its first build.

#include <string>

namespace parlab::bench {

// Runs gnuplot on `script` (written to a temporary file). Returns false, after printing
// why, when gnuplot is not installed or fails: a missing picture never fails a benchmark.
bool run_gnuplot(const std::string& script);

}  // namespace parlab::bench
