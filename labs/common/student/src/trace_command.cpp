#include "trace_command.hpp"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "parlab/gnuplot.hpp"
#include "run.hpp"
#include "trace_timeline.hpp"
#include "views.hpp"

namespace fs = std::filesystem;

namespace parlab::student {

CLI::App* add_trace_command(CLI::App& app, TraceRequest& request) {
  auto* trace = app.add_subcommand("trace", "run one traced scenario of a lab on your code: a timeline per worker");
  trace->add_option("lab", request.lab, "lab")->required();
  trace->add_option("scenario", request.scenario,
                    "which scenario (default: the lab's first; `parlab trace NN list` shows them)");
  trace->add_option("--out", request.out, "the trace file to write (FILE.json; the picture goes to FILE.svg)")
      ->capture_default_str();
  return trace;
}

int command_trace(const Course& course, const TraceRequest& request) {
  const Lab& lab = course.lab(request.lab);
  if (lab.benchmark_target.empty()) {
    fmt::print("lab {} has no benchmark, so no traced scenario\n", lab.id);
    return 1;
  }
  const CommandResult build = build_target(course, lab.benchmark_target);
  if (build.exit_code != 0) {
    print_build_failure(lab, build);
    return 1;
  }
  const std::string bench = (course.build_dir / lab.benchmark_target).string();
  if (request.scenario == "list") {
    const CommandResult list = run_command({bench, "--list-scenarios"});
    fmt::print("{}", list.output);
    return list.exit_code;
  }
  const fs::path json_path = fs::absolute(request.out);
  fs::path svg_path = json_path;
  svg_path.replace_extension(".svg");
  const std::string scenario = request.scenario.empty() ? "default" : request.scenario;
  const CommandResult run = run_command({bench, "--trace", json_path.string(), "--scenario", scenario});
  if (run.exit_code != 0) {
    fmt::print("the traced run of lab {} failed, so there is no trace to look at:\n{}", lab.id, run.output);
    return 1;
  }
  fmt::print("{}", run.output);
  std::ifstream in(json_path);
  const auto trace = nlohmann::json::parse(in, nullptr, false);
  const std::string script = timeline_script(
      trace, svg_path, fmt::format("lab {} ({}), scenario {}: one row per thread / process", lab.id, lab.title, scenario));
  const bool drew = parlab::bench::run_gnuplot(script);
  fmt::print("\nwrote {}{}\n", json_path.string(), drew ? " and " + svg_path.string() : "");
  fmt::print("Open the JSON in https://ui.perfetto.dev (\"Open trace file\") or in Chrome at chrome://tracing\n"
             "(\"Load\"): both read the file on your machine, nothing is uploaded, and both work offline\n"
             "once loaded. Click a span to see its arguments (the chunk's lo and hi, the bytes read).\n");
  return 0;
}

}  // namespace parlab::student
