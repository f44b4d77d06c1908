#include "parlab/bench_trace.hpp"

#include <cstdio>
#include <exception>
#include <filesystem>

#include <fmt/format.h>

namespace parlab::bench {

void TraceOptions::add_to(CLI::App& app, const std::vector<TraceScenario>& scenarios) {
  scenarios_ = &scenarios;
  app.add_option("--trace", path_, "write a Chrome trace-event JSON timeline of the run to this file");
  std::string names;
  for (const auto& s : scenarios) names += (names.empty() ? "" : ", ") + s.name;
  app.add_option("--scenario", scenario_, "with --trace: run only this short traced scenario (" + names + ")")
      ->needs("--trace");
  app.add_flag("--list-scenarios", list_, "print the traced scenarios and what each shows");
}

std::optional<int> TraceOptions::run_scenario_if_asked() const {
  if (list_) {
    for (const auto& s : *scenarios_) fmt::print("{:<12} {}\n", s.name, s.summary);
    return 0;
  }
  if (scenario_.empty()) return std::nullopt;
  // "default": the lab's first scenario (what `parlab trace NN` runs).
  const TraceScenario* chosen = scenario_ == "default" && !scenarios_->empty() ? &scenarios_->front() : nullptr;
  for (const auto& s : *scenarios_) {
    if (s.name == scenario_) chosen = &s;
  }
  if (chosen == nullptr) {
    std::string names;
    for (const auto& s : *scenarios_) names += " " + s.name;
    std::fprintf(stderr, "unknown scenario '%s'; this lab has:%s\n", scenario_.c_str(), names.c_str());
    return 2;
  }
  trace::Session session(path_);
  try {
    chosen->run();
  } catch (const std::exception& e) {
    // No file that looks like a trace of a run that failed; an older one is removed too.
    session.discard();
    std::error_code ec;
    std::filesystem::remove(path_, ec);
    std::fprintf(stderr, "scenario %s failed: %s\n", chosen->name.c_str(), e.what());
    return 1;
  }
  const std::size_t events = session.finish();
  fmt::print("scenario {}: {} events written to {}\n", chosen->name, events, path_);
  return 0;
}

std::unique_ptr<trace::Session> TraceOptions::session_for_benchmark() const {
  if (path_.empty() || !scenario_.empty()) return nullptr;
  return std::make_unique<trace::Session>(path_);
}

}  // namespace parlab::bench
