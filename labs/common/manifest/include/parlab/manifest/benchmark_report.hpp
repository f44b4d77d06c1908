#pragma once
// A lab benchmark's report: the JSON object it prints on stdout ({"capacity": ...,
// "metrics": ...}), found among whatever the student's code printed around it. The grader's
// timing and `parlab time` read it through this one finder.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace parlab::manifest {

// The whole output when it is one JSON value; otherwise the last JSON object that starts at
// the beginning of a line and runs to the end of the output. Nothing when there is none.
[[nodiscard]] std::optional<nlohmann::json> find_benchmark_report(const std::string& output);

}  // namespace parlab::manifest
