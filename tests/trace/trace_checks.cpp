#include "trace_checks.hpp"

#include <algorithm>
#include <fstream>
#include <set>

namespace parlab_test {

std::vector<TraceSpan> CheckedTrace::named(const std::string& name) const {
  std::vector<TraceSpan> out;
  for (const auto& s : spans) {
    if (s.name == name) out.push_back(s);
  }
  return out;
}

namespace {

// Spans on one track may share an end point (a clock reads the same nanosecond twice).
constexpr double kSlack = 0.001;

void check_nesting(std::vector<TraceSpan> spans, std::vector<std::string>& problems) {
  std::sort(spans.begin(), spans.end(), [](const TraceSpan& a, const TraceSpan& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::vector<const TraceSpan*> open;
  for (const auto& s : spans) {
    while (!open.empty() && open.back()->end <= s.begin + kSlack) open.pop_back();
    if (!open.empty() && s.end > open.back()->end + kSlack) {
      problems.push_back("span '" + s.name + "' overlaps '" + open.back()->name + "' on track " +
                         std::to_string(s.pid) + "/" + std::to_string(s.tid) + " without nesting");
      return;
    }
    open.push_back(&s);
  }
}

}  // namespace

CheckedTrace check_trace_file(const std::filesystem::path& path) {
  CheckedTrace out;
  std::ifstream in(path);
  out.file = nlohmann::json::parse(in, nullptr, false);
  auto& problems = out.problems;
  if (out.file.is_discarded() || !out.file.is_object() || !out.file.contains("traceEvents") ||
      !out.file["traceEvents"].is_array()) {
    problems.push_back(path.string() + " is not a JSON object with a traceEvents array");
    return out;
  }
  using Track = std::pair<std::int64_t, std::int64_t>;
  std::map<Track, std::vector<TraceSpan>> open_b, by_track;
  std::set<std::int64_t> named_processes;
  std::set<Track> named_threads, tracks;
  std::map<std::int64_t, std::int64_t> pid_of_tid;
  for (const auto& e : out.file["traceEvents"]) {
    if (!e.is_object() || !e.contains("ph") || !e.contains("name") || !e.contains("pid") || !e.contains("tid") ||
        !e["pid"].is_number_integer() || !e["tid"].is_number_integer()) {
      problems.push_back("event without ph, name, integer pid and tid: " + e.dump());
      continue;
    }
    const std::string ph = e["ph"];
    const Track track{e["pid"].get<std::int64_t>(), e["tid"].get<std::int64_t>()};
    if (ph == "M") {
      if (e["name"] == "process_name") named_processes.insert(track.first);
      if (e["name"] == "thread_name") named_threads.insert(track);
      continue;
    }
    if (!e.contains("ts") || !e["ts"].is_number()) {
      problems.push_back("event without a numeric ts: " + e.dump());
      continue;
    }
    tracks.insert(track);
    const auto [it, fresh] = pid_of_tid.emplace(track.second, track.first);
    if (!fresh && it->second != track.first) {
      problems.push_back("tid " + std::to_string(track.second) + " appears under two pids");
    }
    const double ts = e["ts"];
    const std::string name = e["name"];
    if (ph == "X") {
      if (!e.contains("dur") || !e["dur"].is_number() || e["dur"].get<double>() < 0) {
        problems.push_back("X event without a dur >= 0: " + e.dump());
        continue;
      }
      by_track[track].push_back({name, track.first, track.second, ts, ts + e["dur"].get<double>()});
    } else if (ph == "B") {
      open_b[track].push_back({name, track.first, track.second, ts, ts});
    } else if (ph == "E") {
      auto& stack = open_b[track];
      if (stack.empty() || ts < stack.back().begin) {
        problems.push_back("E event without an earlier B on its track: " + e.dump());
        continue;
      }
      TraceSpan s = stack.back();
      stack.pop_back();
      s.end = ts;
      by_track[track].push_back(s);
    } else if (ph != "i" && ph != "I") {
      problems.push_back("unexpected phase '" + ph + "'");
    }
  }
  for (const auto& [track, stack] : open_b) {
    if (!stack.empty()) problems.push_back("B event '" + stack.back().name + "' never ends");
  }
  for (const auto& track : tracks) {
    if (!named_processes.contains(track.first)) problems.push_back("pid " + std::to_string(track.first) + " has no process_name");
    if (!named_threads.contains(track)) problems.push_back("tid " + std::to_string(track.second) + " has no thread_name");
  }
  for (auto& [track, spans] : by_track) {
    check_nesting(spans, problems);
    out.spans.insert(out.spans.end(), spans.begin(), spans.end());
  }
  return out;
}

}  // namespace parlab_test
