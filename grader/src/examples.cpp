#include "examples.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "example_twist.hpp"
#include "reports.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace grader {

fs::path write_reports(const SubmissionResult& result, const fs::path& out_dir, const ReportSettings& settings) {
  fs::create_directories(out_dir);
  write_file_atomically(out_dir / "report.json", to_json(result).dump(2) + "\n");
  write_file_atomically(out_dir / "results.json", gradescope_results(result, settings.hidden_visibility).dump(2) + "\n");
  write_file_atomically(out_dir / "report.html", render_html(result));
  return out_dir / "report.html";
}

std::vector<fs::path> find_examples(const fs::path& examples_dir) {
  if (!fs::is_directory(examples_dir)) throw std::runtime_error(examples_dir.string() + " does not exist");
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(examples_dir)) {
    if (entry.is_directory()) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
    const bool ar = a.filename() == "reference", br = b.filename() == "reference";
    return ar != br ? ar : a.filename() < b.filename();
  });
  return out;
}

namespace {

// The lab folders an example stands for: those its twist changes and those it holds.
std::vector<std::string> example_labs(const fs::path& example, const ExampleTwist* twist) {
  std::vector<std::string> labs = twist != nullptr ? twisted_labs(*twist) : std::vector<std::string>{};
  for (const auto& lab : fs::directory_iterator(example)) {
    const std::string name = lab.path().filename().string();
    if (lab.is_directory() && std::find(labs.begin(), labs.end(), name) == labs.end()) labs.push_back(name);
  }
  return labs;
}

}  // namespace

void materialise_example(const fs::path& example, const fs::path& solutions, const fs::path& destination) {
  const fs::path twist_file = example / "twist.toml";
  const std::optional<ExampleTwist> twist =
      fs::exists(twist_file) ? std::optional<ExampleTwist>(read_example_twist(twist_file)) : std::nullopt;
  fs::create_directories(destination);
  for (const std::string& lab : example_labs(example, twist ? &*twist : nullptr)) {
    const fs::path reference = solutions / lab;
    if (!fs::is_directory(reference)) {
      throw std::runtime_error(fmt::format("example {} names lab folder {}, which {} does not have", example.filename().string(),
                                           lab, solutions.string()));
    }
    fs::copy(reference, destination / lab, fs::copy_options::recursive);
    // Files the example holds go on top ("reference" holds solutions/ itself).
    if (fs::is_directory(example / lab)) {
      fs::copy(example / lab, destination / lab, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    }
  }
  if (twist) apply_example_twist(*twist, destination);
}

TemporaryDirectory complete_from_reference(const fs::path& example, const fs::path& solutions,
                                           const fs::path& scratch_parent) {
  TemporaryDirectory merged(scratch_parent / ("example-" + example.filename().string()));
  materialise_example(example, solutions, merged.path() / example.filename());
  return merged;
}

std::vector<std::string> check_expectations(const SubmissionResult& result, const nlohmann::json& expected) {
  std::vector<std::string> problems;
  if (!expected.contains("labs")) return problems;
  for (const auto& [lab_id, want] : expected["labs"].items()) {
    const auto lab = std::find_if(result.labs.begin(), result.labs.end(), [&](const auto& l) { return l.id == lab_id; });
    if (lab == result.labs.end()) continue;  // not graded in this run (--labs)
    if (want.contains("tasks")) {
      for (const auto& [task_id, points] : want["tasks"].items()) {
        const auto task = std::find_if(lab->tasks.begin(), lab->tasks.end(), [&](const auto& t) { return t.id == task_id; });
        const double got = task == lab->tasks.end() ? -1 : task->earned;
        // A number, or [lowest, highest] for a mistake whose effect depends on timing.
        const double low = points.is_array() ? points.at(0).get<double>() : points.get<double>();
        const double high = points.is_array() ? points.at(1).get<double>() : low;
        if (got < low - 0.011 || got > high + 0.011) {
          problems.push_back(fmt::format("lab {} {}: expected {}, got {:g} points", lab_id, task_id, points.dump(), got));
        }
      }
    }
    if (want.contains("performance") && lab->timing.ran) {
      const std::string mode = want["performance"].get<std::string>();
      for (const auto& p : lab->performance) {
        const bool ok = mode == "full" ? p.earned >= p.points : p.earned == 0;
        if (!ok) problems.push_back(fmt::format("lab {} {}: expected {} performance points, got {:g} ({}: {})", lab_id, p.id, mode,
                                                p.earned, p.status, p.detail));
      }
    }
    if (want.contains("verdicts_include")) {
      for (const auto& v : want["verdicts_include"]) {
        const std::string id = v.get<std::string>();
        const bool seen = std::any_of(lab->cases.begin(), lab->cases.end(), [&](const auto& c) { return verdict_id(c.verdict) == id; });
        if (!seen) problems.push_back(fmt::format("lab {}: expected at least one case with verdict {}", lab_id, id));
      }
    }
    if (want.contains("status") && want["status"].get<std::string>() != status_text(lab->status)) {
      problems.push_back(fmt::format("lab {}: expected status '{}', got '{}'", lab_id, want["status"].get<std::string>(), lab->status));
    }
  }
  return problems;
}

std::string render_examples_index(const std::vector<ExampleSummary>& examples) {
  std::string out =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>parlab grader: bundled examples</title>"
      "<style>body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em}"
      "table{border-collapse:collapse;width:100%}td,th{padding:.4em .6em;border-bottom:1px solid #eee;text-align:left}"
      ".ok{color:#2e7d32}.bad{color:#c62828}</style></head><body><h1>parlab grader: bundled examples</h1>"
      "<p>Each example is a sample submission graded like a student's. The reference must get full marks; the others "
      "show typical mistakes.</p><table><tr><th>Example</th><th>Points</th><th>As expected?</th></tr>";
  for (const auto& e : examples) {
    std::string check = "not checked";
    if (e.checked) {
      check = e.mismatches.empty() ? "<span class=\"ok\">yes</span>"
                                   : "<span class=\"bad\">no: " + html_escape(fmt::format("{}", fmt::join(e.mismatches, "; "))) + "</span>";
    }
    out += fmt::format("<tr><td><a href=\"{}\">{}</a></td><td>{:g} / {:g}</td><td>{}</td></tr>", html_escape(e.report_link),
                       html_escape(e.name), e.score, e.max_score, check);
  }
  out += "</table></body></html>\n";
  return out;
}

}  // namespace grader
