#include "trace_timeline.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace parlab::student {
namespace {

using Track = std::pair<std::int64_t, std::int64_t>;  // pid, tid
constexpr std::size_t kColumns = 480;

// What a span's category is drawn as. "life" (a process's lifetime) and "scenario" (the
// phases) are drawn as outlines, not filled: everything else happens inside them.
struct Layer {
  const char* category;
  const char* title;
  const char* colour;
};
constexpr std::array<Layer, 5> kLayers = {{
    {"work", "work (chunk, range, probe)", "#2e7d32"},
    {"io", "pipe read / write (includes blocking)", "#1565c0"},
    {"wait", "waiting (lock, child, flag)", "#c62828"},
    {"lock", "holding a lock", "#f9a825"},
    {"flag", "flag checks", "#6a1b9a"},
}};

struct Span {
  Track track;
  double begin, end;  // ms
  std::string name, category;
};

std::string escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string timeline_script(const nlohmann::json& trace, const std::filesystem::path& svg, const std::string& title) {
  if (!trace.is_object() || !trace.contains("traceEvents") || !trace["traceEvents"].is_array()) {
    throw std::runtime_error("not a trace-event file: it has no traceEvents array");
  }
  std::map<Track, std::string> names;
  std::vector<Span> spans;
  std::vector<Span> moments;
  std::set<Track> tracks;
  for (const auto& e : trace["traceEvents"]) {
    const Track track{e.value("pid", std::int64_t{0}), e.value("tid", std::int64_t{0})};
    const std::string ph = e.value("ph", "");
    if (ph == "M" && e.value("name", "") == "thread_name") names[track] = e["args"].value("name", "");
    if (ph != "X" && ph != "i") continue;
    const double ts = e.value("ts", 0.0) / 1000.0;
    Span s{track, ts, ts + e.value("dur", 0.0) / 1000.0, e.value("name", ""), e.value("cat", "")};
    tracks.insert(track);
    (ph == "X" ? spans : moments).push_back(std::move(s));
  }
  if (spans.empty()) throw std::runtime_error("the trace holds no span to draw");
  double t0 = spans.front().begin, t1 = spans.front().end;
  for (const auto& s : spans) {
    t0 = std::min(t0, s.begin);
    t1 = std::max(t1, s.end);
  }
  const double width = std::max(t1 - t0, 1e-6) / kColumns;
  std::map<Track, int> row;
  for (const auto& t : tracks) row.emplace(t, static_cast<int>(row.size()));

  // coverage[layer][row][column]: the fraction of the column's time covered by that layer.
  std::vector<std::vector<std::vector<double>>> coverage(
      kLayers.size(), std::vector<std::vector<double>>(row.size(), std::vector<double>(kColumns, 0.0)));
  std::string outlines, phase_labels;
  int phases = 0;
  for (const auto& s : spans) {
    const int r = row[s.track];
    if (s.category == "life" || s.category == "scenario") {
      const double pad = s.category == "life" ? 0.45 : 0.48;
      outlines += fmt::format("{} {} {} {} {} {}\n", (s.begin + s.end) / 2 - t0, r, s.begin - t0, s.end - t0,
                              r - pad, r + pad);
      if (s.category == "scenario") {
        phase_labels += fmt::format("set label '{}' at {},{} left front font ',10' offset 0.3,0\n", escape(s.name),
                                    s.begin - t0, r - 0.3 + 0.3 * (phases++ % 2));
      }
      continue;
    }
    const auto layer = std::find_if(kLayers.begin(), kLayers.end(), [&](const Layer& l) { return s.category == l.category; });
    if (layer == kLayers.end()) continue;
    auto& cells = coverage[static_cast<std::size_t>(layer - kLayers.begin())][static_cast<std::size_t>(r)];
    const double a = (s.begin - t0) / width, b = (s.end - t0) / width;
    for (auto c = static_cast<std::size_t>(a); c < kColumns && static_cast<double>(c) < b; ++c) {
      const double lo = std::max(a, static_cast<double>(c)), hi = std::min(b, static_cast<double>(c + 1));
      cells[c] = std::min(1.0, cells[c] + (hi - lo));
    }
  }

  std::string plots, data;
  for (std::size_t l = 0; l < kLayers.size(); ++l) {
    std::string block;
    for (std::size_t r = 0; r < row.size(); ++r) {
      // Neighbouring columns of (nearly) the same height become one box.
      std::size_t c = 0;
      while (c < kColumns) {
        const double h = coverage[l][r][c];
        std::size_t e = c + 1;
        while (e < kColumns && std::abs(coverage[l][r][e] - h) < 0.02) ++e;
        if (h >= 0.01) {
          const double x0 = static_cast<double>(c) * width, x1 = static_cast<double>(e) * width;
          const double y = static_cast<double>(r);
          block += fmt::format("{} {} {} {} {} {}\n", (x0 + x1) / 2, y, x0, x1, y + 0.4 - 0.8 * h, y + 0.4);
        }
        c = e;
      }
    }
    if (block.empty()) continue;
    plots += fmt::format("{}'-' using 1:2:3:4:5:6 with boxxyerror fs solid 0.85 noborder lc rgb '{}' title '{}'",
                         plots.empty() ? "" : ", ", kLayers[l].colour, kLayers[l].title);
    data += block + "e\n";
  }
  if (!outlines.empty()) {
    plots += fmt::format("{}'-' using 1:2:3:4:5:6 with boxxyerror fs empty border lc rgb '#9e9e9e' "
                         "title 'process lifetime / scenario phase'",
                         plots.empty() ? "" : ", ");
    data += outlines + "e\n";
  }
  // Other moments (flag checks) as one tick per column and row that had any: thousands of
  // checks would otherwise be thousands of marks on top of each other.
  std::set<std::pair<int, std::size_t>> ticks;
  std::string tick_data;
  std::string marks;
  for (const auto& m : moments) {
    const double x = m.begin - t0;
    const int r = row[m.track];
    if (m.name != "flag raised") {
      const auto column = std::min(kColumns - 1, static_cast<std::size_t>(x / width));
      if (ticks.emplace(r, column).second) {
        tick_data += fmt::format("{} {}\n", (static_cast<double>(column) + 0.5) * width, r - 0.43);
      }
      continue;
    }
    {
      marks += fmt::format("set arrow from {},graph 0 to {},graph 1 nohead lc rgb '#d50000' lw 1.5 front\n", x, x);
      marks += fmt::format("set label 'flag raised' at {},{} right front tc rgb '#d50000' offset -0.3,0\n", x, r - 0.45);
    }
  }
  if (!tick_data.empty()) {
    plots += fmt::format("{}'-' using 1:2 with points pt 7 ps 0.25 lc rgb '#6a1b9a' title 'flag checks'",
                         plots.empty() ? "" : ", ");
    data += tick_data + "e\n";
  }
  std::string ytics;
  for (const auto& [track, r] : row) {
    const auto named = names.find(track);
    const std::string label = named != names.end() ? named->second : fmt::format("{}/{}", track.first, track.second);
    ytics += fmt::format("{}'{} (pid {})' {}", ytics.empty() ? "" : ", ", escape(label), track.first, r);
  }
  const int height = 170 + 46 * static_cast<int>(row.size());
  return fmt::format(
      "set terminal svg size 900,{} dynamic noenhanced font 'sans,11' background '#ffffff'\n"
      "set output '{}'\n"
      "set title '{}'\n"
      "set xlabel 'milliseconds since the trace started (a bar fills as much of its column as the spans covered)'\n"
      "set ytics ({})\nset yrange [{}:-0.6]\nset xrange [0:{}]\n"
      "set key outside bottom center horizontal maxrows 2 font ',10'\nset grid xtics\nset tics front\n"
      "{}{}plot {}\n{}",
      height, escape(svg.string()), escape(title), ytics, static_cast<double>(row.size()) - 0.4, t1 - t0, phase_labels,
      marks, plots, data);
}

}  // namespace parlab::student
