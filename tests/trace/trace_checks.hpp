#pragma once
// Checks that a file is valid Chrome trace-event JSON as parlab writes it, and helpers to
// look at its tracks.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace parlab_test {

struct TraceSpan {
  std::string name;
  std::int64_t pid = 0, tid = 0;
  double begin = 0, end = 0;  // microseconds
};

struct CheckedTrace {
  nlohmann::json file;
  std::vector<TraceSpan> spans;  // X events and matched B/E pairs
  std::vector<std::string> problems;  // empty: the trace is valid
  [[nodiscard]] std::vector<TraceSpan> named(const std::string& name) const;
};

// Reads `path` and checks: a traceEvents array; every event has ph, name, pid, tid (and ts
// unless metadata); X has dur >= 0; every B has its E on the same (pid, tid) track, in
// order; spans on one track nest (one contains the other or they are disjoint); every
// track's process and thread are named by M events; a tid never appears under two pids.
[[nodiscard]] CheckedTrace check_trace_file(const std::filesystem::path& path);

}  // namespace parlab_test
