#pragma once
// Small pieces every lab benchmark shares: repeated timing with a summary, and the
// machine-readable report the grader reads (one JSON object on a file).

#include <functional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "parlab/capacity.hpp"
#include "parlab/gnuplot.hpp"

namespace parlab::bench {

struct Summary {
  double min = 0, median = 0, p90 = 0, max = 0;
  std::size_t count = 0;
};

[[nodiscard]] Summary summarize(std::span<const double> samples);

// Runs `once` `warmup` times untimed, then `repetitions` times timed; seconds per run.
[[nodiscard]] std::vector<double> time_repeated(const std::function<void()>& once, unsigned warmup,
                                                unsigned repetitions);

[[nodiscard]] nlohmann::json to_json(const Summary& s);
[[nodiscard]] nlohmann::json to_json(const ParallelCapacity& c);

// Writes `report` to `path` atomically (temporary file + rename), so a reader never
// sees half a report. An empty path does nothing.
void write_report(const std::string& path, const nlohmann::json& report);

}  // namespace parlab::bench

namespace parlab::bench {

// "12.3 ms", "1.05 s", "850 us": durations for tables people read.
[[nodiscard]] std::string human_seconds(double seconds);

}  // namespace parlab::bench
