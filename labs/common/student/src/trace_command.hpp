#pragma once
// `parlab trace NN [scenario] --out FILE.json`: runs one traced scenario of a lab on your
// build (the lab's benchmark with --trace), writes the Chrome trace-event JSON and
// FILE.svg, a timeline of the same spans, and says how to open the JSON.

#include <string>

#include <CLI/CLI.hpp>

#include "course.hpp"

namespace parlab::student {

struct TraceRequest {
  std::string lab;
  std::string scenario;  // empty: the lab's first (default) scenario
  std::string out = "trace.json";
};

[[nodiscard]] CLI::App* add_trace_command(CLI::App& app, TraceRequest& request);
int command_trace(const Course& course, const TraceRequest& request);

}  // namespace parlab::student
