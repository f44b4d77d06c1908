#pragma once
// The command line and the run every lab benchmark shares, so that each bench_labNN.cpp
// holds only its measurements:
//   --workers N, --repetitions N   (each lab chooses its defaults and ranges)
//   --grading                      only the graded figures: one JSON object on stdout
//   --json FILE                    the report, also written to FILE (atomically)
//   --svg FILE                     the lab's figure, drawn with gnuplot
//   --trace FILE [--scenario NAME] see bench_trace.hpp
// The driver measures the machine's parallel capacity before the lab's measurements and
// puts "lab" and "capacity" into the report; a grading report must hold "metrics" (what
// the grader's timing stage and the student command read).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "parlab/bench_trace.hpp"
#include "parlab/capacity.hpp"

namespace parlab::bench {

// A gnuplot figure: the SVG terminal's size and options, and the commands after it.
struct Figure {
  unsigned width = 720, height = 420;
  std::string terminal_options = "dynamic font 'sans,12'";
  std::string script;  // everything after `set terminal` and `set output`
};

// Draws `figure` into `svg_path` with gnuplot and says so on stdout. Returns false (after
// saying why) when gnuplot is missing or fails: a missing picture never fails a benchmark.
bool draw_svg(const std::string& svg_path, const Figure& figure);

// What the lab's measurements see.
struct BenchContext {
  unsigned workers = 2;
  unsigned repetitions = 3;
  ParallelCapacity capacity;
};

// What they hand back: the report (without "lab" and "capacity", which the driver adds),
// a figure for --svg, and the exit status (non-zero: the results disagree).
struct BenchOutcome {
  nlohmann::json report = nlohmann::json::object();
  std::optional<Figure> figure;
  int exit_code = 0;
};

struct BenchMeasurements {
  // Runs instead of the benchmark when it returns a status (a demo, an overhead probe).
  std::function<std::optional<int>()> instead;
  std::function<BenchOutcome(const BenchContext&)> grading;  // --grading
  std::function<BenchOutcome(const BenchContext&)> full;     // tables on stdout
};

class BenchDriver {
 public:
  // `lab` is the id in the report ("01"); `scenarios` are the traced ones (bench_trace.hpp).
  BenchDriver(std::string lab, const std::string& description, std::vector<TraceScenario> scenarios);

  // The lab's own options go here, before run().
  [[nodiscard]] CLI::App& app() { return app_; }
  // --workers with its range and help; without it the capacity probe uses `workers`.
  void workers_option(unsigned workers, unsigned min, unsigned max, const std::string& help);
  void repetitions_option(unsigned repetitions, unsigned max, const std::string& help);
  // --grading, --json and --svg with the lab's help texts.
  void output_options(const std::string& grading_help, const std::string& svg_help,
                      const std::string& json_help = "also write the full results as JSON to this file");
  [[nodiscard]] bool grading() const { return grading_; }
  [[nodiscard]] unsigned workers() const { return context_.workers; }  // after parsing

  // Parses the command line and runs; the exit status for main. Errors are printed as
  // "labNN_bench: what" with status 1.
  int run(int argc, char** argv, const BenchMeasurements& measurements);

 private:
  int measure(const BenchMeasurements& measurements) const;

  std::string lab_;
  CLI::App app_;
  std::vector<TraceScenario> scenarios_;
  TraceOptions trace_;
  BenchContext context_;
  bool grading_ = false;
  std::string json_path_, svg_path_;
};

}  // namespace parlab::bench
