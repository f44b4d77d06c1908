// A self-contained HTML page (inline CSS, inline SVG): no script, no external file, so it
// can be mailed, archived or opened from a CI artifact as it is.
#include <algorithm>

#include <fmt/format.h>

#include "reports.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

const char* verdict_colour(Verdict v) {
  switch (v) {
    case Verdict::passed: return "#2e7d32";
    case Verdict::failed: return "#c62828";
    case Verdict::crashed: return "#6a1b9a";
    case Verdict::timed_out: return "#ef6c00";
    case Verdict::race_detected: return "#ad1457";
    case Verdict::memory_limit:
    case Verdict::output_limit:
    case Verdict::disk_quota:
    case Verdict::process_limit: return "#4e342e";
    case Verdict::did_not_build:
    case Verdict::not_submitted: return "#616161";
  }
  return "#616161";
}

const char* style = R"(
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;color:#212121;padding:0 1em}
h1{margin-bottom:.2em} h2{border-bottom:2px solid #e0e0e0;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;width:100%;margin:.6em 0} th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid #eee;vertical-align:top}
th{background:#fafafa} td.num{text-align:right;font-variant-numeric:tabular-nums}
.verdict{display:inline-block;padding:0 .5em;border-radius:.8em;color:#fff;font-size:.85em;white-space:nowrap}
.muted{color:#757575;font-size:.9em} pre{background:#f5f5f5;padding:.7em;overflow-x:auto;font-size:.85em;max-height:28em}
details{margin:.4em 0;border:1px solid #eee;border-radius:4px;padding:.3em .6em} summary{cursor:pointer}
.bar{background:#eee;border-radius:3px;height:.8em;width:8em;display:inline-block;vertical-align:middle}
.bar>span{display:block;height:100%;border-radius:3px;background:#2e7d32}
.score{font-size:1.6em;font-weight:600}
)";

std::string progress_bar(double earned, double max) {
  const double share = max > 0 ? std::clamp(earned / max, 0.0, 1.0) : 0.0;
  return fmt::format(R"(<span class="bar"><span style="width:{:.0f}%"></span></span>)", share * 100);
}

std::string verdict_badge(Verdict v) {
  return fmt::format(R"(<span class="verdict" style="background:{}">{}</span>)", verdict_colour(v), verdict_label(v));
}

// One lane per parallel runner; each case is a bar from its start to its end.
std::string timeline_svg(const LabResult& lab) {
  if (lab.cases.empty()) return {};
  unsigned workers = 0;
  double end = 0;
  for (const auto& c : lab.cases) {
    workers = std::max(workers, c.worker + 1);
    end = std::max(end, c.started_at + c.seconds);
  }
  if (end <= 0) return {};
  const double width = 1000, lane = 26, left = 80;
  const double scale = (width - left - 10) / end;
  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {} {}" role="img" aria-label="test timeline">)",
                                width, lane * workers + 30);
  for (unsigned w = 0; w < workers; ++w) {
    svg += fmt::format(R"(<text x="4" y="{}" font-size="12">runner {}</text>)", lane * w + 17, w + 1);
  }
  for (const auto& c : lab.cases) {
    const double x = left + c.started_at * scale;
    const double bar = std::max(1.5, c.seconds * scale - 1);
    svg += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{}" fill="{}" rx="2"><title>{} [{}] {:.2f} s: {}</title></rect>)",
                       x, lane * c.worker + 4, bar, lane - 8, verdict_colour(c.verdict), html_text(c.name), c.suite, c.seconds,
                       verdict_label(c.verdict));
  }
  const double axis_y = lane * workers + 18;
  for (int tick = 0; tick <= 4; ++tick) {
    const double t = end * tick / 4;
    svg += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="11" fill="#757575">{}</text>)", left + t * scale, axis_y,
                       html_text(human_seconds(t)));
  }
  svg += "</svg>";
  return svg;
}

// One bar per round (student / reference), the threshold as a dashed line, 1.0 as a grey one.
std::string ratio_bars_svg(const PerfResult& p) {
  if (p.ratios.empty()) return {};
  const double top = std::max({1.25, p.max_ratio * 1.1, p.threshold * 1.1});
  const double height = 140, bar_width = 36, gap = 18, left = 40;
  const double width = left + static_cast<double>(p.ratios.size()) * (bar_width + gap) + 120;
  auto y_of = [&](double v) { return 10 + (height - 10) * (1 - v / top); };
  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" role="img" aria-label="ratio per round">)",
                                width, height + 24);
  for (std::size_t i = 0; i < p.ratios.size(); ++i) {
    const double v = p.ratios[i];
    const double x = left + static_cast<double>(i) * (bar_width + gap);
    svg += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{}" height="{:.1f}" fill="{}"><title>round {}: {:.3f}</title></rect>)", x,
                       y_of(v), bar_width, height - y_of(v), v >= p.threshold ? "#2e7d32" : "#c62828", i + 1, v);
    svg += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="11" text-anchor="middle">r{}</text>)", x + bar_width / 2, height + 16, i + 1);
  }
  const double right = left + static_cast<double>(p.ratios.size()) * (bar_width + gap);
  svg += fmt::format(R"(<line x1="{}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}" stroke="#9e9e9e"/>)", left - 5, right, y_of(1.0), y_of(1.0));
  svg += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="11" fill="#757575">reference = 1.0</text>)", right + 4, y_of(1.0) + 4);
  svg += fmt::format(R"(<line x1="{}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}" stroke="#ef6c00" stroke-dasharray="5,4"/>)", left - 5, right,
                     y_of(p.threshold), y_of(p.threshold));
  svg += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="11" fill="#ef6c00">needed {:.2f}</text>)", right + 4, y_of(p.threshold) + 14, p.threshold);
  svg += fmt::format(R"(<line x1="{}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}" stroke="#1565c0" stroke-width="2"/>)", left - 5, right,
                     y_of(p.median_ratio), y_of(p.median_ratio));
  svg += fmt::format(R"(<text x="4" y="{:.1f}" font-size="11" fill="#1565c0">{:.2f}</text>)", y_of(p.median_ratio) + 4, p.median_ratio);
  svg += "</svg>";
  return svg;
}

void render_case(const CaseResult& c, std::string& out) {
  out += fmt::format("<details><summary>{} <b>{}</b> <span class=\"muted\">[{}] {} &middot; {}</span></summary>",
                     verdict_badge(c.verdict), html_text(c.name), c.suite, html_text(c.task_id), html_text(human_seconds(c.seconds)));
  out += fmt::format("<p>{}</p>", html_text(c.summary));
  if (!c.assertions.empty()) {
    out += "<p>Failed checks:</p><ul>";
    for (const auto& a : c.assertions) out += fmt::format("<li><code>{}</code></li>", html_text(a));
    out += "</ul>";
  }
  if (!c.hang_threads.empty()) {
    out += "<p>Where each thread was when it was stopped:</p><ul>";
    for (const auto& t : c.hang_threads) out += fmt::format("<li><code>{}</code></li>", html_text(t));
    out += "</ul>";
  }
  if (!c.race_report.empty()) out += fmt::format("<p>ThreadSanitizer:</p><pre>{}</pre>", html_text(c.race_report));
  if (!c.tsan_note.empty()) out += fmt::format("<p class=\"muted\">{}</p>", html_text(c.tsan_note));
  if (!c.output.empty()) out += fmt::format("<p>Output:</p><pre>{}</pre>", html_text(c.output));
  out += "</details>";
}

void render_lab(const LabResult& lab, std::string& out) {
  out += fmt::format("<h2 id=\"lab{}\">Lab {} &middot; {} <span class=\"muted\">{:g} / {:g} points</span></h2>", lab.id, lab.id,
                     html_text(lab.title), lab.points, lab.max_points);
  if (!lab.files_missing.empty()) {
    out += fmt::format("<p>Missing files (the starter's were used): {}</p>", html_text(fmt::format("{}", fmt::join(lab.files_missing, ", "))));
  }
  for (const auto& r : lab.files_rejected) out += fmt::format("<p>File not used: {}</p>", html_text(r));
  if (lab.status == LabStatus::did_not_build) {
    out += fmt::format("<p>{} Your code did not compile; the first errors:</p><pre>{}</pre>",
                       verdict_badge(Verdict::did_not_build), html_text(lab.build_errors));
    return;
  }
  if (lab.status == LabStatus::not_submitted) {
    out += fmt::format("<p>{} The submission has no <code>{}/</code> folder.</p>", verdict_badge(Verdict::not_submitted), html_text(lab.slug));
    return;
  }
  if (lab.status == LabStatus::grader_error) {
    out += fmt::format("<p>Grader error (not the student's fault):</p><pre>{}</pre>", html_text(lab.grader_error));
    return;
  }
  out += "<table><tr><th>Task</th><th>Cases passed</th><th></th><th class=\"num\">Points</th></tr>";
  for (const auto& t : lab.tasks) {
    out += fmt::format("<tr><td>{} &middot; {}</td><td>{} / {}</td><td>{}</td><td class=\"num\">{:g} / {:g}</td></tr>", html_text(t.id),
                       html_text(t.title), t.cases_passed, t.cases_total, progress_bar(t.earned, t.points), t.earned, t.points);
  }
  for (const auto& p : lab.performance) {
    out += fmt::format("<tr><td>{} &middot; {}</td><td colspan=\"2\">{}<br><span class=\"muted\">{}</span></td><td class=\"num\">{:g} / {:g}</td></tr>",
                       html_text(p.id), html_text(p.title), html_text(status_text(p.status)), html_text(p.detail), p.earned, p.points);
  }
  out += "</table>";

  if (lab.timing.ran) {
    out += fmt::format("<h3>Timing against the reference</h3><p class=\"muted\">Parallel capacity measured just before: {:.2f}x on {} "
                       "workers (min {:.2f}, max {:.2f}). {}</p>",
                       lab.timing.probe_capacity, lab.timing.probe_workers, lab.timing.probe_capacity_min,
                       lab.timing.probe_capacity_max,
                       lab.timing.reliable ? "The machine could deliver a speed-up: the result is reliable."
                                           : html_text("Unreliable: " + lab.timing.unreliable_because + " (no points are taken for it)."));
    for (const auto& p : lab.performance) {
      if (p.ratios.empty()) continue;
      out += fmt::format("<p><b>{}</b>: student / reference per round</p>{}", html_text(p.metric), ratio_bars_svg(p));
    }
  } else if (!lab.timing.skipped_because.empty()) {
    out += fmt::format("<p class=\"muted\">Not timed: {}</p>", html_text(lab.timing.skipped_because));
  }
  out += fmt::format("<h3>Test cases</h3><p class=\"muted\">Race check (ThreadSanitizer): {}. Each bar is one test case in its own "
                     "sandboxed process, coloured by verdict.</p>{}",
                     html_text(lab.race_check), timeline_svg(lab));
  for (const auto& c : lab.cases) {
    if (c.verdict != Verdict::passed) render_case(c, out);
  }
  const auto passed = lab.cases_passed();
  if (passed > 0) {
    out += fmt::format("<details><summary>{} cases passed</summary><ul>", passed);
    for (const auto& c : lab.cases) {
      if (c.verdict == Verdict::passed) {
        out += fmt::format("<li>{} <span class=\"muted\">[{}] {} &middot; {}</span></li>", html_text(c.name), c.suite, html_text(c.task_id),
                           html_text(human_seconds(c.seconds)));
      }
    }
    out += "</ul></details>";
  }
}

}  // namespace

std::string render_html(const SubmissionResult& result) {
  std::string out = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>";
  out += html_text("parlab grading: " + result.submission) + "</title><style>" + style + "</style></head><body>";
  out += fmt::format("<h1>parlab grading: {}</h1><p class=\"score\">{:g} / {:g} points</p>", html_text(result.submission), result.score,
                     result.max_score);
  out += fmt::format("<p class=\"muted\">Graded {} in {}. Isolation: {}. {}</p>", html_text(result.graded_at),
                     html_text(human_seconds(result.times.total)), html_text(result.isolation_description), html_text(result.settings_summary));
  out += "<table><tr><th>Lab</th><th>Tests</th><th>Verdicts</th><th>Perf ratio</th><th class=\"num\">Points</th></tr>";
  for (const auto& lab : result.labs) {
    out += fmt::format("<tr><td><a href=\"#lab{}\">{} &middot; {}</a></td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{} {:g} / {:g}</td></tr>",
                       lab.id, lab.id, html_text(lab.title),
                       lab.status == LabStatus::graded ? fmt::format("{} / {}", lab.cases_passed(), lab.cases.size()) : "-",
                       html_text(verdict_counts_text(lab)), html_text(lab.status == LabStatus::graded ? perf_ratio_text(lab) : "-"),
                       progress_bar(lab.points, lab.max_points), lab.points, lab.max_points);
  }
  out += "</table>";
  for (const auto& lab : result.labs) render_lab(lab, out);
  if (!result.ignored_files.empty()) {
    out += "<h2>Files not used</h2><p>Only the files each lab lists as editable are taken from a submission:</p><ul>";
    for (const auto& f : result.ignored_files) out += fmt::format("<li><code>{}</code></li>", html_text(f));
    if (result.ignored_not_listed > 0) out += fmt::format("<li>and {} more</li>", result.ignored_not_listed);
    out += "</ul>";
  }
  out += "</body></html>\n";
  return out;
}

}  // namespace grader
