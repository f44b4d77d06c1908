#pragma once
// What grading found: the data every report (terminal, JSON, Gradescope, HTML) is made from.

#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "test_cases.hpp"
#include "verdict.hpp"

namespace grader {

struct CaseResult {
  std::string name;
  Suite suite = Suite::visible;
  std::string task_id;
  Verdict verdict = Verdict::failed;
  std::string summary;    // for the student
  std::vector<std::string> assertions;  // failed assertions, described
  std::string output;     // what the test printed (start and end)
  std::string hang_headline;            // timed out: where it hung, in one line
  std::vector<std::string> hang_threads;  // timed out: one line per thread
  std::string race_report;              // race detected: ThreadSanitizer's report (start)
  std::string explanation;              // the test's "what this usually means" (PARLAB_EXPLAIN)
  std::string tsan_note;                // the TSan rerun failed for another reason
  double seconds = 0;
  double started_at = 0;  // seconds since the lab's tests began (for the timeline)
  unsigned worker = 0;    // which parallel runner ran it (for the timeline)
};

struct TaskResult {
  std::string id, title;
  double points = 0, earned = 0;
  unsigned cases_passed = 0, cases_total = 0;
  std::vector<std::string> hints;
};

// How a performance task came out. score() gives its points for passed and unreliable
// (the machine could not tell: the doubt goes to the student).
enum class PerfStatus { passed, below_threshold, unreliable, not_timed, benchmark_failed };

struct PerfResult {
  std::string id, title, metric;
  double threshold = 0, points = 0, earned = 0;
  PerfStatus status = PerfStatus::not_timed;
  std::string detail;
  std::vector<double> ratios;  // student / reference, one per round
  double median_ratio = 0, min_ratio = 0, max_ratio = 0;
  double student_median = 0, reference_median = 0;  // the metric itself
};

struct TimingResult {
  bool ran = false;
  std::string skipped_because;
  double probe_capacity = 0, probe_capacity_min = 0, probe_capacity_max = 0;
  unsigned probe_workers = 0;
  bool reliable = true;
  std::string unreliable_because;
  unsigned rounds = 0;
  std::vector<double> student_seconds, reference_seconds;  // wall time per benchmark run
  std::string student_failure;  // why the student's benchmark produced no figures
};

// Whether a lab went through every stage; only a graded lab earns points.
enum class LabStatus { graded, not_submitted, did_not_build, grader_error };

struct LabResult {
  std::string id, slug, title;
  LabStatus status = LabStatus::graded;
  std::string build_errors;
  std::string grader_error;
  std::vector<std::string> files_taken, files_missing, files_rejected;
  std::vector<CaseResult> cases;
  std::vector<TaskResult> tasks;
  std::vector<PerfResult> performance;
  TimingResult timing;
  std::string race_check;  // "ran", or why not
  double points = 0, max_points = 0;
  double test_seconds = 0, tsan_seconds = 0, build_seconds = 0, tsan_build_seconds = 0, timing_seconds = 0;
  // Waited before timing for other grading work on this machine to end (the machine gate).
  double timing_wait_seconds = 0;

  [[nodiscard]] unsigned cases_passed() const;
};

struct PhaseTimes {
  double total = 0, prepare = 0, reference_build = 0, stage = 0, build = 0, tests = 0, tsan_build = 0, tsan = 0,
         timing_wait = 0, timing = 0;
};

struct SubmissionResult {
  std::string submission;
  std::string graded_at;  // ISO 8601, UTC
  std::string isolation, isolation_description;
  bool gdb_available = false;
  std::vector<std::string> ignored_files;
  std::size_t ignored_not_listed = 0;
  std::vector<LabResult> labs;
  double score = 0, max_score = 0;
  PhaseTimes times;
  std::string settings_summary;
};

[[nodiscard]] nlohmann::json to_json(const SubmissionResult& result);

// The phases' seconds in the order they run, each under its key in report.json's "seconds"
// ("build", "tests", "tsan_build", "tsan", "timing_wait", "timing"; the submission's also "total",
// "prepare", "reference_build", "stage"). Every report and the batch summary read them here.
using PhaseSeconds = std::vector<std::pair<std::string, double>>;
[[nodiscard]] PhaseSeconds lab_phase_seconds(const LabResult& lab);
[[nodiscard]] PhaseSeconds submission_phase_seconds(const PhaseTimes& times);
// How a report names a phase key for people: "tsan" -> "TSan rerun", "reference_build" ->
// "reference build"; an unknown key is shown as it is.
[[nodiscard]] std::string phase_label(const std::string& key);

// The states as every report and results.json spell them ("graded", "did not build", ...):
// the JSON names below are the only spelling.
[[nodiscard]] std::string status_text(LabStatus status);
[[nodiscard]] std::string status_text(PerfStatus status);

// Reads a state from its JSON text. The enum's own from_json maps a text it does not know to
// the first state ("graded"), which would turn a damaged or foreign file into points; here
// an unknown text is an error that names it and what it was meant to be.
template <class State>
[[nodiscard]] State state_from_json(const nlohmann::json& text, const std::string& what) {
  const State state = text.get<State>();
  if (nlohmann::json(state) != text) throw std::runtime_error("unknown " + what + " " + text.dump());
  return state;
}

NLOHMANN_JSON_SERIALIZE_ENUM(LabStatus, {{LabStatus::graded, "graded"},
                                         {LabStatus::not_submitted, "not submitted"},
                                         {LabStatus::did_not_build, "did not build"},
                                         {LabStatus::grader_error, "grader error"}})
NLOHMANN_JSON_SERIALIZE_ENUM(PerfStatus, {{PerfStatus::passed, "passed"},
                                          {PerfStatus::below_threshold, "below threshold"},
                                          {PerfStatus::unreliable, "unreliable"},
                                          {PerfStatus::not_timed, "not timed"},
                                          {PerfStatus::benchmark_failed, "benchmark failed"}})

}  // namespace grader

// fmt prints the states as their text.
template <>
struct fmt::formatter<grader::LabStatus> : fmt::formatter<std::string> {
  auto format(grader::LabStatus status, fmt::format_context& ctx) const {
    return fmt::formatter<std::string>::format(grader::status_text(status), ctx);
  }
};
template <>
struct fmt::formatter<grader::PerfStatus> : fmt::formatter<std::string> {
  auto format(grader::PerfStatus status, fmt::format_context& ctx) const {
    return fmt::formatter<std::string>::format(grader::status_text(status), ctx);
  }
};
