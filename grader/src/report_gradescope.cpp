#include <cmath>

#include <fmt/format.h>

#include "reports.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

using nlohmann::json;

std::string case_line(const CaseResult& c) {
  std::string line = fmt::format("[{}] {}: {}", verdict_label(c.verdict), c.name, c.verdict == Verdict::passed ? "" : c.summary);
  if (!c.race_report.empty()) line += "\n" + first_lines(c.race_report, 15);
  return sanitize_utf8(line);
}

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

// What the grader did with the files a student handed in, one line each.
std::vector<std::string> file_notes(const SubmissionResult& result) {
  std::vector<std::string> lines;
  for (const auto& lab : result.labs) {
    if (lab.status == LabStatus::not_submitted) continue;  // the grader's own output says so
    if (!lab.files_missing.empty()) {
      lines.push_back(fmt::format("Lab {}: not in your upload, so the starter's version was graded (it fails its tests): {}",
                                  lab.id, joined(lab.files_missing, ", ")));
    }
    if (!lab.files_rejected.empty()) lines.push_back(fmt::format("Lab {}: not used: {}", lab.id, joined(lab.files_rejected, "; ")));
  }
  if (!result.ignored_files.empty()) {
    constexpr std::size_t shown_at_most = 10;
    const std::size_t shown = std::min(result.ignored_files.size(), shown_at_most);
    const std::size_t more = result.ignored_not_listed + (result.ignored_files.size() - shown);
    std::string line = "Not used (only the files you edit for the lab count): " +
                       joined({result.ignored_files.begin(), result.ignored_files.begin() + static_cast<std::ptrdiff_t>(shown)}, ", ");
    if (more > 0) line += fmt::format(" and {} more", more);
    lines.push_back(line);
  }
  return lines;
}

}  // namespace

std::string gradescope_notes(const SubmissionResult& result, const std::string& upload_notes) {
  std::vector<std::string> lines;
  if (const std::string said = trim(upload_notes); !said.empty()) lines.push_back(said);
  for (auto& line : file_notes(result)) lines.push_back(std::move(line));
  return joined(lines, "\n");
}

json gradescope_results_for_upload(const SubmissionResult& result, const std::string& hidden_visibility,
                                   const std::string& upload_notes) {
  json results = gradescope_results(result, hidden_visibility);
  const std::string notes = gradescope_notes(result, upload_notes);
  if (!notes.empty()) results["output"] = sanitize_utf8(notes + "\n\n" + results["output"].get<std::string>());
  return results;
}

json gradescope_results(const SubmissionResult& result, const std::string& hidden_visibility) {
  json tests = json::array();
  for (const auto& lab : result.labs) {
    const std::string prefix = fmt::format("Lab {} ({})", lab.id, lab.title);
    std::string lab_note;
    if (lab.status == LabStatus::did_not_build) lab_note = "Your code did not build. The first errors:\n" + lab.build_errors;
    if (lab.status == LabStatus::not_submitted) lab_note = fmt::format("Not submitted: no {}/ folder in the submission.", lab.slug);
    if (lab.status == LabStatus::grader_error) lab_note = "Grader error (not your fault): " + lab.grader_error;
    for (const auto& task : lab.tasks) {
      std::string visible_output = lab_note;
      std::string hidden_output;
      unsigned hidden_total = 0, hidden_passed = 0;
      for (const auto& c : lab.cases) {
        if (c.task_id != task.id) continue;
        if (c.suite == Suite::hidden) {
          ++hidden_total;
          if (c.verdict == Verdict::passed) ++hidden_passed;
          hidden_output += case_line(c) + "\n";
        } else {
          visible_output += case_line(c) + "\n";
        }
      }
      if (hidden_total > 0) visible_output += fmt::format("Hidden tests: {} of {} passed.\n", hidden_passed, hidden_total);
      if (task.earned < task.points && !task.hints.empty()) visible_output += "Hint: " + task.hints.front() + "\n";
      tests.push_back({{"name", fmt::format("{} {}: {}", prefix, task.id, task.title)},
                       {"score", task.earned},
                       {"max_score", task.points},
                       {"status", task.earned >= task.points && task.points > 0 ? "passed" : "failed"},
                       {"output", sanitize_utf8(visible_output)},
                       {"visibility", "visible"}});
      if (hidden_total > 0) {
        tests.push_back({{"name", fmt::format("{} {}: hidden test details", prefix, task.id)},
                         {"status", hidden_passed == hidden_total ? "passed" : "failed"},
                         {"output", hidden_output},
                         {"visibility", hidden_visibility}});
      }
    }
    for (const auto& p : lab.performance) {
      tests.push_back({{"name", fmt::format("{} {}: {}", prefix, p.id, p.title)},
                       {"score", p.earned},
                       {"max_score", p.points},
                       {"status", p.earned >= p.points && p.points > 0 ? "passed" : "failed"},
                       {"output", sanitize_utf8(fmt::format("{}: {}", p.status, p.detail))},
                       {"visibility", "visible"}});
    }
  }
  return {{"score", result.score},
          {"execution_time", static_cast<long>(std::lround(result.times.total))},
          {"output", sanitize_utf8(render_table(result))},
          {"stdout_visibility", "hidden"},
          {"tests", tests}};
}

}  // namespace grader
