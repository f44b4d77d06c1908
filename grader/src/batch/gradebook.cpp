#include "batch/gradebook.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "results.hpp"
#include "util/command.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

using nlohmann::json;

constexpr int histogram_bins = 10;  // 0-10 %, ..., 90-100 %
constexpr std::size_t most_failed_listed = 15;

// What an instructor needs to know about a row besides its numbers.
std::string row_note(const StudentRecord& record) {
  if (record.outcome != Outcome::graded) return outcome_text(record.outcome) + ": " + record.message;
  std::vector<std::string> notes;
  for (const auto& lab : record.labs) {
    if (lab.status != LabStatus::graded) notes.push_back(lab.id + " " + status_text(lab.status));
  }
  std::string out;
  for (const auto& n : notes) out += (out.empty() ? "" : "; ") + n;
  return out;
}

json statistics(std::vector<double> values) {
  if (values.empty()) return {{"count", 0}};
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (const double v : values) sum += v;
  const double mean = sum / static_cast<double>(values.size());
  double squares = 0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  const std::size_t n = values.size();
  const double median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  auto round2 = [](double x) { return std::round(x * 100) / 100; };
  return {{"count", n}, {"mean", round2(mean)}, {"median", round2(median)}, {"min", values.front()}, {"max", values.back()},
          {"stdev", round2(n > 1 ? std::sqrt(squares / static_cast<double>(n - 1)) : 0.0)}};
}

std::string gnuplot_histogram_script(const json& summary, const std::filesystem::path& output) {
  std::string data;
  int tallest = 0;
  for (const auto& bin : summary["histogram"]) {
    data += fmt::format("\"{}-{}\" {}\n", bin["from_percent"].get<int>(), bin["to_percent"].get<int>(), bin["students"].get<int>());
    tallest = std::max(tallest, bin["students"].get<int>());
  }
  // Room above the tallest bar for its count; empty bins get no "0" label (it would sit on
  // the axis labels).
  return fmt::format(
      "set terminal svg size 720,400 dynamic font 'sans,12'\n"
      "set output '{}'\n"
      "set title 'Scores of {} students (percent of {} points)'\n"
      "set xlabel 'score (percent of the maximum)'\nset ylabel 'students'\n"
      "set style fill solid 0.7 border -1\nset boxwidth 0.8\nset yrange [0:{}]\nset grid ytics\n"
      "set key off\nset xtics scale 0\n"
      "$scores << EOD\n{}EOD\n"
      "plot $scores using 0:2:xtic(1) with boxes lc rgb '#3b6ea8', "
      "'' using 0:2:($2 > 0 ? sprintf('%d', $2) : '') with labels offset 0,0.8\n",
      output.string(), summary["students"].get<int>(), points_text(summary["max_score"].get<double>()),
      tallest + 1 + tallest / 5, data);
}

// Mean and max of each phase over the students whose grading recorded it, in the order
// the phases run; a phase no grading spent time in is left out.
json phase_statistics(const PhaseSeconds& order, const std::vector<const std::map<std::string, double>*>& gradings) {
  json out = json::array();
  for (const auto& [key, unused] : order) {
    double sum = 0, max = 0;
    std::size_t count = 0;
    for (const auto* phases : gradings) {
      const auto it = phases->find(key);
      if (it == phases->end()) continue;
      sum += it->second;
      max = std::max(max, it->second);
      ++count;
    }
    if (count == 0 || max <= 0) continue;
    out.push_back({{"phase", key}, {"label", phase_label(key)}, {"gradings", count},
                   {"mean", std::round(sum / static_cast<double>(count) * 10) / 10}, {"max", std::round(max * 10) / 10}});
  }
  return out;
}

// summary.json's "seconds": where the class's grading time went, per submission and per lab.
json time_summary(const std::vector<LabColumn>& labs, const std::vector<StudentRecord>& records) {
  std::vector<const std::map<std::string, double>*> submissions;
  for (const auto& record : records) {
    if (!record.phase_seconds.empty()) submissions.push_back(&record.phase_seconds);
  }
  json per_lab = json::object();
  for (const auto& lab : labs) {
    std::vector<const std::map<std::string, double>*> gradings;
    for (const auto& record : records) {
      const auto it = record.lab_phase_seconds.find(lab.id);
      if (it != record.lab_phase_seconds.end()) gradings.push_back(&it->second);
    }
    per_lab[lab.id] = phase_statistics(lab_phase_seconds(LabResult{}), gradings);
  }
  return {{"submission", phase_statistics(submission_phase_seconds(PhaseTimes{}), submissions)}, {"labs", per_lab}};
}

std::string time_table_markdown(const json& seconds) {
  std::string out = "\n## Where the grading time went\n\n";
  if (seconds["submission"].empty()) return out + "No grading recorded its phases.\n";
  out += "Seconds per graded submission (reports' `seconds`).\n\n| phase | mean | max | gradings |\n|---|---|---|---|\n";
  auto rows = [&](const json& phases, const std::string& prefix) {
    for (const auto& p : phases) {
      out += fmt::format("| {}{} | {:.1f} | {:.1f} | {} |\n", prefix, p["label"].get<std::string>(), p["mean"].get<double>(),
                         p["max"].get<double>(), p["gradings"].get<int>());
    }
  };
  rows(seconds["submission"], "");
  for (const auto& [id, phases] : seconds["labs"].items()) rows(phases, "lab " + id + ": ");
  return out;
}

}  // namespace

std::string points_text(double points) { return fmt::format("{:g}", std::round(points * 100) / 100); }

const LabPoints* find_lab(const StudentRecord& record, const std::string& id) {
  const auto it = std::find_if(record.labs.begin(), record.labs.end(), [&](const auto& lab) { return lab.id == id; });
  return it == record.labs.end() ? nullptr : &*it;
}

std::string csv_field(const std::string& text) {
  std::string value = text;
  if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@')) value = "'" + value;
  if (value.find_first_of(",\"\n\r") == std::string::npos && value == trim(value)) return value;
  return "\"" + replace_all(value, "\"", "\"\"") + "\"";
}

std::string render_gradebook_csv(const std::vector<LabColumn>& labs, const std::vector<StudentRecord>& records) {
  std::string out = "student";
  for (const auto& lab : labs) out += fmt::format(",lab{}", lab.id);
  out += ",total,max,outcome,note\n";
  double max_total = 0;
  for (const auto& lab : labs) max_total += lab.max_points;
  for (const auto& record : records) {
    out += csv_field(record.student);
    for (const auto& lab : labs) {
      const LabPoints* points = find_lab(record, lab.id);
      out += "," + points_text(points != nullptr ? points->points : 0);
    }
    out += fmt::format(",{},{},{},{}\n", points_text(record.score), points_text(max_total), csv_field(outcome_text(record.outcome)),
                       csv_field(row_note(record)));
  }
  return out;
}

json class_summary(const std::vector<LabColumn>& labs, const std::vector<StudentRecord>& records) {
  double max_total = 0;
  for (const auto& lab : labs) max_total += lab.max_points;
  std::map<Outcome, int> outcomes = {{Outcome::graded, 0}, {Outcome::rejected, 0}, {Outcome::grader_failed, 0}};
  std::vector<double> totals;
  std::vector<int> bins(histogram_bins, 0);
  for (const auto& record : records) {
    ++outcomes[record.outcome];
    totals.push_back(record.score);
    const double percent = max_total > 0 ? 100 * record.score / max_total : 0;
    bins[static_cast<std::size_t>(std::clamp(static_cast<int>(percent / (100.0 / histogram_bins)), 0, histogram_bins - 1))]++;
  }
  json histogram = json::array();
  for (int i = 0; i < histogram_bins; ++i) {
    histogram.push_back({{"from_percent", i * 100 / histogram_bins}, {"to_percent", (i + 1) * 100 / histogram_bins},
                         {"students", bins[static_cast<std::size_t>(i)]}});
  }

  json per_lab = json::object();
  // How many of the students whose lab was graded failed each case.
  std::map<std::string, int> failed_by, graded_for_lab;
  for (const auto& lab : labs) {
    std::vector<double> points;
    std::map<std::string, int> statuses;
    for (const auto& record : records) {
      const LabPoints* p = find_lab(record, lab.id);
      points.push_back(p != nullptr ? p->points : 0);
      // An ungraded record has no labs: its outcome is each lab's status.
      ++statuses[p != nullptr ? status_text(p->status) : outcome_text(record.outcome)];
      if (p != nullptr && p->status == LabStatus::graded) ++graded_for_lab[lab.id];
    }
    per_lab[lab.id] = {{"max_points", lab.max_points}, {"points", statistics(points)}, {"statuses", statuses}};
  }
  for (const auto& record : records) {
    for (const auto& name : record.failed_cases) ++failed_by[name];
  }
  std::vector<std::pair<std::string, int>> failed(failed_by.begin(), failed_by.end());
  std::stable_sort(failed.begin(), failed.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  json most_failed = json::array();
  for (std::size_t i = 0; i < failed.size() && i < most_failed_listed; ++i) {
    const std::string& name = failed[i].first;  // "01/hidden/case name"
    const std::string lab = name.substr(0, name.find('/'));
    most_failed.push_back({{"case", name}, {"lab", lab}, {"failed_by", failed[i].second},
                           {"of_graded", graded_for_lab.count(lab) != 0 ? graded_for_lab[lab] : 0}});
  }
  json outcome_counts = json::object();
  for (const auto& [outcome, count] : outcomes) outcome_counts[outcome_text(outcome)] = count;
  return {{"students", records.size()}, {"outcomes", outcome_counts}, {"max_score", max_total}, {"total", statistics(totals)},
          {"histogram", histogram}, {"labs", per_lab}, {"most_failed", most_failed},
          {"seconds", time_summary(labs, records)}};
}

std::string render_summary_markdown(const json& summary, const std::string& histogram_note) {
  std::string out = "# Class summary\n\n";
  const json& total = summary["total"];
  const json& outcomes = summary["outcomes"];
  out += fmt::format("{} students: {} graded, {} rejected (not gradable), {} where the grader failed.\n\n",
                     summary["students"].get<int>(), outcomes["graded"].get<int>(), outcomes["rejected"].get<int>(),
                     outcomes["grader failed"].get<int>());
  if (total["count"].get<int>() > 0) {
    out += fmt::format("| | mean | median | min | max | stdev | of |\n|---|---|---|---|---|---|---|\n"
                       "| total | {} | {} | {} | {} | {} | {} |\n",
                       total["mean"].dump(), total["median"].dump(), total["min"].dump(), total["max"].dump(),
                       total["stdev"].dump(), points_text(summary["max_score"].get<double>()));
    for (const auto& [id, lab] : summary["labs"].items()) {
      const json& p = lab["points"];
      out += fmt::format("| lab {} | {} | {} | {} | {} | {} | {} |\n", id, p["mean"].dump(), p["median"].dump(),
                         p["min"].dump(), p["max"].dump(), p["stdev"].dump(), points_text(lab["max_points"].get<double>()));
    }
  }
  out += "\n## Distribution\n\n";
  out += histogram_note.empty() ? "![score histogram](histogram.svg)\n\n" : "(no picture: " + histogram_note + ")\n\n";
  out += "| score | students |\n|---|---|\n";
  for (const auto& bin : summary["histogram"]) {
    out += fmt::format("| {}–{} % | {} |\n", bin["from_percent"].get<int>(), bin["to_percent"].get<int>(),
                       bin["students"].get<int>());
  }
  out += "\n## Lab status\n\n";
  for (const auto& [id, lab] : summary["labs"].items()) {
    std::string parts;
    for (const auto& [status, count] : lab["statuses"].items()) {
      if (count.get<int>() > 0) parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", count.get<int>(), status);
    }
    out += fmt::format("- lab {}: {}\n", id, parts);
  }
  out += "\n## Tests failed most often\n\n";
  if (summary["most_failed"].empty()) out += "Every graded student passed every test.\n";
  for (const auto& f : summary["most_failed"]) {
    out += fmt::format("- {} — failed by {} of the {} students whose lab {} was graded\n", f["case"].get<std::string>(),
                       f["failed_by"].get<int>(), f["of_graded"].get<int>(), f["lab"].get<std::string>());
  }
  if (summary.contains("seconds")) out += time_table_markdown(summary["seconds"]);
  return out;
}

GradebookFiles write_gradebook(const std::filesystem::path& out_dir, const std::vector<LabColumn>& labs,
                               const std::vector<StudentRecord>& records) {
  GradebookFiles files{out_dir / "gradebook.csv", out_dir / "summary.json", out_dir / "summary.md",
                       out_dir / "histogram.svg", ""};
  const json summary = class_summary(labs, records);
  write_file_atomically(files.csv, render_gradebook_csv(labs, records));
  write_file_atomically(files.summary_json, summary.dump(2) + "\n");

  // gnuplot writes the picture next to its final name; the rename makes it appear whole.
  const std::filesystem::path drawing = out_dir / (".histogram.svg.tmp-" + random_hex(4));
  const std::filesystem::path script = out_dir / (".histogram.gp.tmp-" + random_hex(4));
  if (!program_exists("gnuplot")) {
    files.histogram_note = "gnuplot is not installed (apt-get install gnuplot-nox)";
  } else {
    write_file_atomically(script, gnuplot_histogram_script(summary, drawing));
    const CommandResult drawn = run_command({"gnuplot", script.string()}, command_options(std::chrono::seconds(60)));
    std::filesystem::remove(script);
    if (drawn.ok() && std::filesystem::exists(drawing)) {
      std::filesystem::rename(drawing, files.histogram);
    } else {
      remove_tree_quietly(drawing);
      files.histogram_note = "gnuplot failed: " + first_lines(drawn.output, 5, 800);
    }
  }
  write_file_atomically(files.summary_markdown, render_summary_markdown(summary, files.histogram_note));
  return files;
}

}  // namespace grader
