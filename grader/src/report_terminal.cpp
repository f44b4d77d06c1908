#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "reports.hpp"
#include "util/text.hpp"

namespace grader {

std::string perf_ratio_text(const LabResult& lab) {
  if (lab.performance.empty()) return "-";
  const PerfResult* worst = nullptr;
  for (const auto& p : lab.performance) {
    if (p.status == PerfStatus::benchmark_failed) return "bench failed";
    if (p.ratios.empty()) continue;
    if (worst == nullptr || p.median_ratio < worst->median_ratio) worst = &p;
  }
  if (worst == nullptr) return status_text(lab.performance.front().status);
  std::string text = fmt::format("{:.2f}x ({:.2f}-{:.2f})", worst->median_ratio, worst->min_ratio, worst->max_ratio);
  const bool unreliable = !lab.timing.reliable || std::any_of(lab.performance.begin(), lab.performance.end(),
                                                               [](const auto& p) { return p.status == PerfStatus::unreliable; });
  if (unreliable) text += " unreliable";
  return text;
}

std::string verdict_counts_text(const LabResult& lab) {
  if (lab.status != LabStatus::graded) return status_text(lab.status);
  std::map<Verdict, unsigned> counts;
  for (const auto& c : lab.cases) ++counts[c.verdict];
  std::string text;
  for (const auto& [verdict, count] : counts) {
    text += fmt::format("{}{} {}", text.empty() ? "" : ", ", count, verdict_label(verdict));
  }
  return text.empty() ? "no cases" : text;
}

namespace {

// "build 12.3 s · tests 4.1 s": the phases that took time (0.05 s or more, what shows as
// at least 0.1 s); `always` is shown even at 0 s.
std::string phases_text(const PhaseSeconds& phases, const std::string& always) {
  std::string out;
  for (const auto& [key, seconds] : phases) {
    if (seconds < 0.05 && key != always) continue;
    out += fmt::format("{}{} {:.1f} s", out.empty() ? "" : " · ", phase_label(key), seconds);
  }
  return out;
}

}  // namespace

std::string lab_time_text(const LabResult& lab) { return phases_text(lab_phase_seconds(lab), "build"); }

std::string submission_time_text(const PhaseTimes& times) { return phases_text(submission_phase_seconds(times), "total"); }

namespace {

std::string points_text(double earned, double max) { return fmt::format("{:g}/{:g}", earned, max); }

std::string indent(const std::string& text, const std::string& prefix) {
  std::string out;
  for (const auto& line : split_lines(text)) out += prefix + line + "\n";
  return out;
}

void render_lab_details(const LabResult& lab, std::string& out) {
  out += fmt::format("\nLab {} - {}: {}\n", lab.id, lab.title, points_text(lab.points, lab.max_points));
  if (!lab.files_missing.empty()) {
    out += fmt::format("  missing files (the starter's were used): {}\n", fmt::join(lab.files_missing, ", "));
  }
  for (const auto& r : lab.files_rejected) out += fmt::format("  file not used: {}\n", r);
  if (lab.status == LabStatus::did_not_build) {
    out += "  did not build; the first errors:\n" + indent(trim(lab.build_errors), "    ");
    return;
  }
  if (lab.status == LabStatus::not_submitted) {
    out += fmt::format("  not submitted: the submission has no {}/ folder\n", lab.slug);
    return;
  }
  if (lab.status == LabStatus::grader_error) {
    out += "  grader error: " + lab.grader_error + "\n";
    return;
  }
  for (const auto& t : lab.tasks) {
    out += fmt::format("  {:<6} {:<62.62} {:>9}  ({}/{} cases)\n", t.id, t.title, points_text(t.earned, t.points),
                       t.cases_passed, t.cases_total);
  }
  for (const auto& p : lab.performance) {
    out += fmt::format("  {:<6.6} {:<62.62} {:>9}  {}\n", p.id, p.title, points_text(p.earned, p.points), p.status);
    if (!p.detail.empty()) out += indent(p.detail, "         ");
  }
  if (lab.timing.ran) {
    out += fmt::format("  parallel capacity before timing: {:.2f}x on {} workers{}\n", lab.timing.probe_capacity,
                       lab.timing.probe_workers, lab.timing.reliable ? "" : " - " + lab.timing.unreliable_because);
  }
  out += fmt::format("  race check (ThreadSanitizer): {}\n", lab.race_check);
  for (const auto& c : lab.cases) {
    if (c.verdict == Verdict::passed) continue;
    out += fmt::format("  x [{}] {} ({}): {}\n", c.suite, c.name, c.task_id, verdict_label(c.verdict));
    out += indent(c.summary, "      ");
    for (const auto& t : c.hang_threads) out += "        " + t + "\n";
    if (!c.race_report.empty()) out += indent(first_lines(c.race_report, 12), "      | ");
  }
}

}  // namespace

std::string render_table(const SubmissionResult& result) {
  std::string out;
  out += fmt::format("parlab grader: {}  (isolation: {}; graded in {})\n\n", result.submission, result.isolation,
                     human_seconds(result.times.total));
  out += fmt::format("{:<4} {:<26} {:>7}  {:<40} {:<30} {:>9}\n", "Lab", "Title", "Tests", "Verdicts", "Perf ratio", "Points");
  out += std::string(122, '-') + "\n";
  for (const auto& lab : result.labs) {
    const std::string tests = lab.status == LabStatus::graded ? fmt::format("{}/{}", lab.cases_passed(), lab.cases.size()) : "-";
    out += fmt::format("{:<4} {:<26.26} {:>7}  {:<40.40} {:<30.30} {:>9}\n", lab.id, lab.title, tests,
                       verdict_counts_text(lab), lab.status == LabStatus::graded ? perf_ratio_text(lab) : "-",
                       points_text(lab.points, lab.max_points));
  }
  out += std::string(122, '-') + "\n";
  out += fmt::format("{:<113} {:>9}\n", "Total", points_text(result.score, result.max_score));
  return out;
}

std::string render_terminal(const SubmissionResult& result) {
  std::string out = render_table(result);
  for (const auto& lab : result.labs) {
    const bool perfect = lab.points >= lab.max_points && lab.status == LabStatus::graded;
    if (!perfect) render_lab_details(lab, out);
  }
  if (!result.ignored_files.empty()) {
    out += fmt::format("\nFiles in the submission that were not used (only the editable files count): {}{}\n",
                       fmt::join(result.ignored_files, ", "),
                       result.ignored_not_listed > 0 ? fmt::format(" and {} more", result.ignored_not_listed) : "");
  }
  // Where the time went: a slow grading shows which phase to look at.
  out += "\nTime:\n";
  for (const auto& lab : result.labs) {
    if (lab.status == LabStatus::graded || lab.build_seconds > 0) out += fmt::format("  lab {}: {}\n", lab.id, lab_time_text(lab));
  }
  out += fmt::format("  all: {}\n", submission_time_text(result.times));
  return out;
}

}  // namespace grader
