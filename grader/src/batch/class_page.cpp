#include "batch/class_page.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "util/text.hpp"

namespace grader {

namespace {

using nlohmann::json;

const char* style = R"(
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1200px;color:#212121;padding:0 1em}
h2{border-bottom:2px solid #e0e0e0;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;width:100%;margin:.6em 0} th,td{text-align:left;padding:.3em .55em;border-bottom:1px solid #eee;vertical-align:top}
th{background:#fafafa} th.sortable{cursor:pointer} td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#757575;font-size:.9em} .cards{display:flex;gap:1em;flex-wrap:wrap}
.card{border:1px solid #e0e0e0;border-radius:6px;padding:.6em 1em;min-width:9em} .card b{display:block;font-size:1.5em}
.bar{background:#eee;border-radius:3px;height:.8em;width:10em;display:inline-block;vertical-align:middle}
.bar>span{display:block;height:100%;border-radius:3px;background:#2e7d32} .bar.bad>span{background:#c62828}
.outcome-graded{color:#2e7d32} .outcome-rejected{color:#c62828} .outcome-grader-failed{color:#ef6c00} .outcome-no-submission{color:#616161}
#filter{padding:.3em .5em;width:18em} details{margin:.2em 0} code{font-size:.9em}
)";

// Sorting by a column header and filtering by name. It marks the body when it has run,
// which the browser test reads back.
const char* script = R"(
(function(){
  var table=document.getElementById('students');
  var body=table.tBodies[0];
  function key(row,i){var c=row.cells[i];var v=c.getAttribute('data-sort');if(v===null)v=c.textContent;var n=parseFloat(v);return isNaN(n)?v.toLowerCase():n;}
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){
    th.classList.add('sortable');
    th.addEventListener('click',function(){
      var up=th.getAttribute('data-dir')!=='up';th.setAttribute('data-dir',up?'up':'down');
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){var x=key(a,i),y=key(b,i);return (x<y?-1:x>y?1:0)*(up?1:-1);});
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
  document.getElementById('filter').addEventListener('input',function(e){
    var q=e.target.value.toLowerCase();
    Array.prototype.forEach.call(body.rows,function(r){r.style.display=r.getAttribute('data-student').toLowerCase().indexOf(q)<0?'none':'';});
  });
  document.body.setAttribute('data-ready','yes');
})();
)";

// `bad`: the share is of something to worry about (failures, similarity): red, not green.
std::string percent_bar(double share, bool bad = false) {
  return fmt::format(R"(<span class="bar{}"><span style="width:{:.0f}%"></span></span>)", bad ? " bad" : "",
                     std::clamp(share, 0.0, 1.0) * 100);
}

std::string outcome_of(const ClassMember& m) { return m.record ? outcome_text(m.record->outcome) : "no submission"; }

// Why a lab cell shows no points of its own ("did not build", "rejected"), or "" when graded.
std::string lab_cell_status(const ClassMember& m, const LabPoints* p) {
  if (!m.record) return "";
  if (m.record->outcome != Outcome::graded) return outcome_text(m.record->outcome);
  return p != nullptr && p->status != LabStatus::graded ? status_text(p->status) : "";
}

std::string render_cards(const ClassPageInput& in) {
  const json& total = in.summary["total"];
  const json& outcomes = in.summary["outcomes"];
  std::size_t missing = 0;
  for (const auto& m : in.class_list.members) {
    if (!m.record) ++missing;
  }
  std::string out = "<div class=\"cards\">";
  out += fmt::format("<div class=\"card\"><b>{}</b>submissions</div>", in.summary["students"].get<int>());
  out += fmt::format("<div class=\"card\"><b>{}</b>graded</div>", outcomes["graded"].get<int>());
  out += fmt::format("<div class=\"card\"><b>{}</b>rejected</div>", outcomes["rejected"].get<int>());
  out += fmt::format("<div class=\"card\"><b>{}</b>grader failed</div>", outcomes["grader failed"].get<int>());
  if (in.class_list.has_roster) out += fmt::format("<div class=\"card\"><b>{}</b>in the roster, nothing handed in</div>", missing);
  if (total["count"].get<int>() > 0) {
    out += fmt::format("<div class=\"card\"><b>{} / {}</b>median score</div>", total["median"].dump(),
                       points_text(in.summary["max_score"].get<double>()));
  }
  return out + "</div>";
}

std::string render_histogram(const json& summary) {
  const json& bins = summary["histogram"];
  int tallest = 1;
  for (const auto& b : bins) tallest = std::max(tallest, b["students"].get<int>());
  const double width = 640, height = 200, left = 30, bar = (width - left) / static_cast<double>(bins.size());
  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" role="img" aria-label="score distribution">)",
                                width, height + 40);
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const int n = bins[i]["students"].get<int>();
    const double h = (height - 20) * n / tallest, x = left + static_cast<double>(i) * bar;
    const std::string label = fmt::format("{}-{}%", bins[i]["from_percent"].get<int>(), bins[i]["to_percent"].get<int>());
    svg += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="#3b6ea8"><title>{}: {} students</title></rect>)",
                       x + 3, height - h, bar - 6, h, label, n);
    if (n > 0) svg += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="12" text-anchor="middle">{}</text>)", x + bar / 2, height - h - 4, n);
    svg += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="11" text-anchor="middle" fill="#555">{}</text>)", x + bar / 2, height + 16, label);
  }
  svg += fmt::format(R"(<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#999"/>)", left, width, height, height);
  svg += fmt::format(R"(<text x="{}" y="{}" font-size="12" text-anchor="middle">score, percent of {} points</text>)", width / 2,
                     height + 34, points_text(summary["max_score"].get<double>()));
  return svg + "</svg>";
}

std::string render_student_table(const ClassPageInput& in) {
  std::string out = "<p><input id=\"filter\" type=\"search\" placeholder=\"filter by name\" aria-label=\"filter by name\"> "
                    "<span class=\"muted\">Click a column header to sort.</span></p>";
  out += "<table id=\"students\"><thead><tr><th>Student</th>";
  for (const auto& lab : in.labs) out += fmt::format("<th class=\"num\">Lab {}<br><span class=\"muted\">/ {}</span></th>", html_text(lab.id), points_text(lab.max_points));
  out += "<th class=\"num\">Total</th><th>Outcome</th><th>Note</th><th>Report</th></tr></thead><tbody>";
  for (const auto& m : in.class_list.members) {
    const std::string name = m.display_name();
    const std::string outcome = outcome_of(m);
    out += fmt::format("<tr class=\"student\" data-student=\"{}\"><td>{}{}</td>", html_text(name), html_text(name),
                       m.person && m.person->name != m.person->folder && !m.person->name.empty()
                           ? " <span class=\"muted\">(" + html_text(m.person->folder) + ")</span>" : "");
    for (const auto& lab : in.labs) {
      const LabPoints* p = m.record ? find_lab(*m.record, lab.id) : nullptr;
      const double points = p != nullptr ? p->points : 0;
      const std::string why = lab_cell_status(m, p);
      const std::string status = !why.empty() ? " title=\"" + html_text(why) + "\" class=\"num muted\"" : " class=\"num\"";
      out += fmt::format("<td{} data-sort=\"{}\">{}</td>", status, points, points_text(points));
    }
    const double total = m.record ? m.record->score : 0;
    std::string note = m.record ? m.record->message : "in the roster, no submission";
    if (m.record && note.empty()) {
      for (const auto& lab : m.record->labs) {
        if (lab.status != LabStatus::graded) note += (note.empty() ? "" : "; ") + lab.id + " " + status_text(lab.status);
      }
    }
    if (in.class_list.has_roster && !m.person) note = "not in the roster" + (note.empty() ? "" : "; " + note);
    const auto link = in.report_links.find(m.record ? m.record->student : "");
    const std::string report = link != in.report_links.end() && !link->second.empty()
                                   ? fmt::format("<a class=\"report\" href=\"{}\">report</a>", html_text(link->second)) : "";
    out += fmt::format("<td class=\"num\" data-sort=\"{}\">{}</td><td class=\"outcome-{}\">{}</td><td>{}</td><td>{}</td></tr>",
                       total, points_text(total), replace_all(outcome, " ", "-"), html_text(outcome), html_text(note), report);
  }
  return out + "</tbody></table>";
}

std::string render_task_rates(const ClassPageInput& in) {
  struct Rate { int graded = 0, full = 0; double earned = 0, points = 0; };
  std::vector<std::pair<std::string, Rate>> rates;  // "01 task1", in first-seen order
  for (const auto& m : in.class_list.members) {
    if (!m.record) continue;
    for (const auto& t : m.record->tasks) {
      const LabPoints* lab = find_lab(*m.record, t.lab);
      if (lab == nullptr || lab->status != LabStatus::graded) continue;
      const std::string key = t.lab + " " + t.id;
      auto it = std::find_if(rates.begin(), rates.end(), [&](const auto& r) { return r.first == key; });
      if (it == rates.end()) it = rates.insert(rates.end(), {key, Rate{}});
      it->second.graded += 1;
      it->second.full += t.earned >= t.points - 1e-9 ? 1 : 0;
      it->second.earned += t.earned;
      it->second.points += t.points;
    }
  }
  if (rates.empty()) return "<p class=\"muted\">No task results in the journal.</p>";
  std::string out = "<table><tr><th>Lab</th><th>Task</th><th class=\"num\">Full points</th><th></th><th class=\"num\">Mean share of its points</th></tr>";
  for (const auto& [key, r] : rates) {
    const double share = static_cast<double>(r.full) / r.graded;
    out += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"num\">{} of {} ({:.0f} %)</td><td>{}</td><td class=\"num\">{:.0f} %</td></tr>",
                       html_text(key.substr(0, key.find(' '))), html_text(key.substr(key.find(' ') + 1)), r.full, r.graded, share * 100,
                       percent_bar(share), r.points > 0 ? 100 * r.earned / r.points : 0.0);
  }
  return out + "</table>";
}

std::string render_most_failed(const json& summary) {
  if (summary["most_failed"].empty()) return "<p>Every graded student passed every test.</p>";
  std::string out = "<table><tr><th>Test</th><th class=\"num\">Failed by</th><th></th></tr>";
  for (const auto& f : summary["most_failed"]) {
    const int by = f["failed_by"].get<int>(), of = std::max(1, f["of_graded"].get<int>());
    out += fmt::format("<tr><td><code>{}</code></td><td class=\"num\">{} of {}</td><td>{}</td></tr>", html_text(f["case"].get<std::string>()),
                       by, f["of_graded"].get<int>(), percent_bar(static_cast<double>(by) / of, true));
  }
  return out + "</table>";
}

// One line per performance entry; a dot per student at their median ratio to the
// reference, with the threshold (dashed) and the reference's own 1.0 (grey).
std::string render_performance(const ClassPageInput& in) {
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, PerformanceOutcome>>>> lines;
  double top = 1.5;
  for (const auto& m : in.class_list.members) {
    if (!m.record) continue;
    for (const auto& p : m.record->performance) {
      const std::string key = "lab " + p.lab + " " + p.id;
      auto it = std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.first == key; });
      if (it == lines.end()) it = lines.insert(lines.end(), {key, {}});
      it->second.emplace_back(m.display_name(), p);
      top = std::max(top, std::min(p.median_ratio, 4.0) * 1.1);
    }
  }
  if (lines.empty()) return "<p class=\"muted\">No benchmark was timed in this batch (--no-timing, or no lab with a benchmark).</p>";
  const double left = 200, width = 900, lane = 34;
  auto x_of = [&](double v) { return left + (width - left - 20) * std::clamp(v, 0.0, top) / top; };
  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {} {}" role="img" aria-label="performance ratios">)",
                                width, lane * static_cast<double>(lines.size()) + 40);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const double y = lane * static_cast<double>(i) + 20;
    svg += fmt::format(R"(<text x="4" y="{:.1f}" font-size="12">{}</text>)", y + 4, html_text(lines[i].first));
    svg += fmt::format(R"(<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" stroke="#eee"/>)", left, width - 20, y, y);
    const double threshold = lines[i].second.front().second.threshold;
    svg += fmt::format(R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="{1:.1f}" y2="{2:.1f}" stroke="#ef6c00" stroke-dasharray="4,3"><title>needed {3:.2f}</title></line>)",
                       x_of(threshold), y - 12, y + 12, threshold);
    for (const auto& [name, p] : lines[i].second) {
      const char* colour = p.status == PerfStatus::passed ? "#2e7d32" : p.status == PerfStatus::unreliable ? "#9e9e9e" : "#c62828";
      svg += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="5" fill="{}" fill-opacity="0.7"><title>{}: {:.2f} ({})</title></circle>)",
                         x_of(p.median_ratio), y, colour, html_text(name), p.median_ratio, html_text(status_text(p.status)));
    }
  }
  const double axis = lane * static_cast<double>(lines.size()) + 24;
  svg += fmt::format(R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="8" y2="{1:.1f}" stroke="#9e9e9e"/>)", x_of(1.0), axis - 10);
  for (double t = 0; t <= top + 1e-9; t += 0.5) {
    svg += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="11" fill="#757575" text-anchor="middle">{:.1f}</text>)", x_of(t), axis + 8, t);
  }
  return svg + "</svg><p class=\"muted\">Each dot is one student's median ratio to the reference (1.0, grey line; "
               "higher is faster); the dashed line is the threshold for the points. Green: points earned, red: below, "
               "grey: an unreliable measurement (points given). Hover for the name.</p>";
}

constexpr std::size_t shown_pairs = 25;

std::string fragment_text(const SharedFragment& f) {
  return fmt::format("{}:{}-{} ↔ {}:{}-{} ({} tokens)", f.left_file, f.left_start, f.left_end, f.right_file, f.right_start,
                     f.right_end, f.tokens);
}

std::string render_similarity(const SimilarityReport& report) {
  const std::size_t shown = std::min<std::size_t>(report.pairs.size(), shown_pairs);
  if (!report.ran) return "<p>The similarity check did not run: " + html_text(report.not_run_because) + "</p>";
  std::string out = fmt::format("<p class=\"muted\">Dolos compared every pair of submissions lab by lab ({}), the starter "
                                "code ignored. A high score is a reason to read both submissions, not a verdict: a "
                                "short task leaves little room for different solutions. The {} most similar pairs are "
                                "below; <a href=\"similarity.csv\">similarity.csv</a> has up to {} per lab.</p>",
                                html_text(human_seconds(report.seconds)), shown_pairs, SimilarityOptions{}.pairs_per_lab);
  for (const auto& note : report.notes) out += "<p class=\"muted\">" + html_text(note) + "</p>";
  if (report.pairs.empty()) return out + "<p>No pair to compare.</p>";
  out += "<table id=\"similarity\"><tr><th class=\"num\">#</th><th>Lab</th><th>Student</th><th>Student</th><th class=\"num\">Similarity</th><th class=\"num\">Longest shared</th><th>Shared fragments</th></tr>";
  for (std::size_t i = 0; i < shown; ++i) {
    const SimilarPair& p = report.pairs[i];
    std::string fragments;
    for (const auto& f : p.fragments) fragments += "<li><code>" + html_text(fragment_text(f)) + "</code></li>";
    out += fmt::format("<tr class=\"pair\"><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{:.0f} %<br>{}</td>"
                       "<td class=\"num\">{} tokens</td><td><details><summary>{} fragments</summary><ul>{}</ul></details></td></tr>",
                       i + 1, html_text(p.lab), html_text(p.left), html_text(p.right), p.similarity * 100, percent_bar(p.similarity, true),
                       p.longest_fragment, p.fragments.size(), fragments);
  }
  return out + "</table>";
}

std::string render_settings(const json& settings) {
  std::string out = "<table>";
  for (const auto& [key, value] : settings.items()) {
    out += fmt::format("<tr><th>{}</th><td><code>{}</code></td></tr>", html_text(key), html_text(value.is_string() ? value.get<std::string>() : value.dump()));
  }
  return out + "</table>";
}

}  // namespace

std::string render_class_page(const ClassPageInput& in) {
  std::string out = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>parlab: class results</title><style>";
  out += style;
  out += "</style></head><body><h1>Class results</h1>";
  out += fmt::format("<p class=\"muted\">Written {} by <code>parlab-grader batch</code>; gradebook.csv, canvas.csv, "
                     "moodle.csv and similarity.csv are beside this page.</p>",
                     html_text(in.generated_at));
  out += render_cards(in);
  out += "<h2 id=\"distribution\">Score distribution</h2>" + render_histogram(in.summary);
  out += "<h2 id=\"students-heading\">Students</h2>" + render_student_table(in);
  if (!in.class_list.notes.empty()) {
    out += "<h3>Roster and exports</h3><ul>";
    for (const auto& note : in.class_list.notes) out += "<li>" + html_text(note) + "</li>";
    out += "</ul>";
  }
  out += "<h2 id=\"tasks\">Full points per task</h2>" + render_task_rates(in);
  out += "<h2 id=\"failed\">Tests failed most often</h2>" + render_most_failed(in.summary);
  out += "<h2 id=\"performance\">Performance against the reference</h2>" + render_performance(in);
  out += "<h2 id=\"similarity-heading\">Similarity</h2>" + render_similarity(in.similarity);
  out += "<h2 id=\"settings\">Settings of this batch</h2>" + render_settings(in.settings);
  out += "<script>";
  out += script;
  out += "</script></body></html>\n";
  return out;
}

}  // namespace grader
