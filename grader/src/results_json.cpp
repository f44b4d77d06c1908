#include "results.hpp"

#include <algorithm>
#include <map>

#include "util/text.hpp"

namespace grader {

unsigned LabResult::cases_passed() const {
  return static_cast<unsigned>(std::count_if(cases.begin(), cases.end(), [](const auto& c) { return c.verdict == Verdict::passed; }));
}

std::string status_text(LabStatus status) { return nlohmann::json(status).get<std::string>(); }
std::string status_text(PerfStatus status) { return nlohmann::json(status).get<std::string>(); }

PhaseSeconds lab_phase_seconds(const LabResult& lab) {
  return {{"build", lab.build_seconds}, {"tests", lab.test_seconds}, {"tsan_build", lab.tsan_build_seconds},
          {"tsan", lab.tsan_seconds}, {"timing_wait", lab.timing_wait_seconds}, {"timing", lab.timing_seconds}};
}

PhaseSeconds submission_phase_seconds(const PhaseTimes& t) {
  return {{"total", t.total}, {"prepare", t.prepare}, {"reference_build", t.reference_build}, {"stage", t.stage},
          {"build", t.build},  {"tests", t.tests},     {"tsan_build", t.tsan_build},           {"tsan", t.tsan},
          {"timing_wait", t.timing_wait}, {"timing", t.timing}};
}

std::string phase_label(const std::string& key) {
  static const std::map<std::string, std::string> labels = {
      {"reference_build", "reference build"}, {"tsan_build", "TSan build"}, {"tsan", "TSan rerun"},
      {"timing_wait", "waiting for the machine"}};
  const auto it = labels.find(key);
  return it == labels.end() ? key : it->second;
}

namespace {

using nlohmann::json;

// Everything a student's program printed goes through this: JSON needs valid UTF-8.
std::string clean(const std::string& text) { return sanitize_utf8(text); }

json phases_json(const PhaseSeconds& phases) {
  json j = json::object();
  for (const auto& [key, seconds] : phases) j[key] = seconds;
  return j;
}

json to_json(const CaseResult& c) {
  json j = {{"name", c.name}, {"suite", c.suite}, {"task", c.task_id}, {"verdict", verdict_id(c.verdict)},
            {"summary", clean(c.summary)}, {"seconds", c.seconds}, {"started_at", c.started_at}, {"worker", c.worker}};
  if (!c.assertions.empty()) {
    json list = json::array();
    for (const auto& a : c.assertions) list.push_back(clean(a));
    j["assertions"] = list;
  }
  if (!c.output.empty() && c.verdict != Verdict::passed) j["output"] = clean(c.output);
  if (!c.explanation.empty() && c.verdict != Verdict::passed) j["explanation"] = clean(c.explanation);
  if (!c.hang_headline.empty()) j["hang"] = {{"headline", c.hang_headline}, {"threads", c.hang_threads}};
  if (!c.race_report.empty()) j["race_report"] = clean(c.race_report);
  if (!c.tsan_note.empty()) j["tsan_note"] = clean(c.tsan_note);
  return j;
}

json to_json(const PerfResult& p) {
  return {{"id", p.id}, {"title", p.title}, {"metric", p.metric}, {"threshold", p.threshold}, {"points", p.points},
          {"earned", p.earned}, {"status", p.status}, {"detail", p.detail}, {"ratios", p.ratios},
          {"median_ratio", p.median_ratio}, {"min_ratio", p.min_ratio}, {"max_ratio", p.max_ratio},
          {"student_median", p.student_median}, {"reference_median", p.reference_median}};
}

json to_json(const TimingResult& t) {
  return {{"ran", t.ran}, {"skipped_because", t.skipped_because},
          {"probe", {{"workers", t.probe_workers}, {"capacity", t.probe_capacity}, {"min", t.probe_capacity_min},
                     {"max", t.probe_capacity_max}}},
          {"reliable", t.reliable}, {"unreliable_because", t.unreliable_because}, {"rounds", t.rounds},
          {"student_seconds", t.student_seconds}, {"reference_seconds", t.reference_seconds},
          {"student_failure", clean(t.student_failure)}};
}

json to_json(const LabResult& lab) {
  json cases = json::array();
  for (const auto& c : lab.cases) cases.push_back(to_json(c));
  json tasks = json::array();
  for (const auto& t : lab.tasks) {
    tasks.push_back({{"id", t.id}, {"title", t.title}, {"points", t.points}, {"earned", t.earned},
                     {"cases_passed", t.cases_passed}, {"cases_total", t.cases_total}});
  }
  json perf = json::array();
  for (const auto& p : lab.performance) perf.push_back(to_json(p));
  return {{"id", lab.id}, {"slug", lab.slug}, {"title", lab.title}, {"status", lab.status},
          {"points", lab.points}, {"max_points", lab.max_points},
          {"cases_passed", lab.cases_passed()}, {"cases_total", lab.cases.size()},
          {"build_errors", clean(lab.build_errors)}, {"grader_error", lab.grader_error},
          {"files", {{"taken", lab.files_taken}, {"missing", lab.files_missing}, {"rejected", lab.files_rejected}}},
          {"race_check", lab.race_check}, {"tasks", tasks}, {"performance", perf}, {"timing", to_json(lab.timing)},
          {"cases", cases},
          {"seconds", phases_json(lab_phase_seconds(lab))}};
}

}  // namespace

json to_json(const SubmissionResult& r) {
  json labs = json::array();
  for (const auto& lab : r.labs) labs.push_back(to_json(lab));
  const auto& t = r.times;
  const double inside = t.tests + t.tsan + t.timing;
  json seconds = phases_json(submission_phase_seconds(t));
  seconds["outside_tests_and_benchmarks"] = t.total - inside;
  seconds["share_outside_tests_and_benchmarks"] = t.total > 0 ? (t.total - inside) / t.total : 0.0;
  return {{"submission", r.submission}, {"graded_at", r.graded_at}, {"score", r.score}, {"max_score", r.max_score},
          {"isolation", {{"level", r.isolation}, {"description", r.isolation_description}, {"gdb", r.gdb_available}}},
          {"settings", r.settings_summary},
          {"ignored_files", r.ignored_files}, {"ignored_files_not_listed", r.ignored_not_listed},
          {"labs", labs},
          {"seconds", seconds}};
}

}  // namespace grader
