#pragma once
// `--trace FILE` for every lab benchmark: trace the benchmark's own run, or (with
// `--scenario NAME`) run one short traced scenario instead, the one `parlab trace NN`
// asks for. A scenario calls the lab's API (the student's code) with the given code's
// spans switched on, plus spans around the API calls it makes itself.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "parlab/trace.hpp"

namespace parlab::bench {

struct TraceScenario {
  std::string name;     // "chunk1"
  std::string summary;  // one line: what the picture shows
  std::function<void()> run;
};

class TraceOptions {
 public:
  // Adds --trace FILE and --scenario NAME to the benchmark's command line.
  void add_to(CLI::App& app, const std::vector<TraceScenario>& scenarios);

  // With --scenario (or --list-scenarios): runs it traced, writes the file, and returns the
  // exit code the benchmark should leave with. Without: std::nullopt, the benchmark goes on.
  // A scenario that throws (a starter's TODO) writes no file and prints the error.
  [[nodiscard]] std::optional<int> run_scenario_if_asked() const;

  // With --trace but no --scenario: a session that traces the whole benchmark run and
  // writes the file when it is destroyed. Otherwise nullptr.
  [[nodiscard]] std::unique_ptr<trace::Session> session_for_benchmark() const;

 private:
  std::string path_;
  std::string scenario_;
  bool list_ = false;
  const std::vector<TraceScenario>* scenarios_ = nullptr;
};

}  // namespace parlab::bench
