#pragma once
// A trace-event JSON file drawn as a timeline: one row per track (process/thread), the
// spans coloured by what they are (work, waiting, pipe I/O, locks), moments such as
// "flag raised" marked. Spans shorter than a pixel are not lost: each row is cut into
// columns, and a column is filled as far as its time was covered, so a worker that spends
// 20 % of its time on chunks shows a bar one fifth high.

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace parlab::student {

// The gnuplot script that draws `trace` into `svg`. Throws std::runtime_error for a file
// that is not a trace (no traceEvents array, or no span in it).
[[nodiscard]] std::string timeline_script(const nlohmann::json& trace, const std::filesystem::path& svg,
                                          const std::string& title);

}  // namespace parlab::student
