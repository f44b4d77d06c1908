// The tracing layer's writing half: this process's events, and the parts its forked children
// left, as one Chrome trace-event JSON file.
#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "parlab/trace.hpp"
#include "trace_internal.hpp"

namespace parlab::trace {

namespace {

using nlohmann::json;

double micros_since_start(std::int64_t ns) {
  return static_cast<double>(ns - detail::session_info().t0) / 1000.0;
}

json to_json(const detail::RecordedEvent& recorded) {
  const detail::Event& e = recorded.event;
  json j = {{"name", e.name}, {"cat", e.category}, {"pid", recorded.pid}, {"tid", recorded.tid},
            {"ts", micros_since_start(e.begin_ns)}};
  if (e.instant) {
    j["ph"] = "i";
    j["s"] = "t";  // drawn on its thread's track
  } else {
    j["ph"] = "X";
    j["dur"] = static_cast<double>(e.end_ns - e.begin_ns) / 1000.0;
  }
  json args = json::object();
  if (e.a0.name != nullptr) args[e.a0.name] = e.a0.value;
  if (e.a1.name != nullptr) args[e.a1.name] = e.a1.value;
  if (!args.empty()) j["args"] = std::move(args);
  return j;
}

// This process's events of the current session, and how many were dropped.
std::pair<json, std::uint64_t> collect_own_events() {
  std::uint64_t dropped = 0;
  json events = json::array();
  for (const auto& recorded : detail::own_events(dropped)) events.push_back(to_json(recorded));
  return {std::move(events), dropped};
}

void write_atomically(const std::filesystem::path& path, const json& content) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) throw std::runtime_error("cannot write the trace to " + tmp.string());
    out << content.dump() << '\n';
    if (!out) throw std::runtime_error("writing the trace to " + tmp.string() + " failed (disk full?)");
  }
  std::filesystem::rename(tmp, path);
}

// "M" events naming every process and thread that recorded something.
json metadata_events(const json& events) {
  std::vector<std::pair<pid_t, pid_t>> tracks;
  for (const auto& e : events) tracks.emplace_back(e["pid"].get<pid_t>(), e["tid"].get<pid_t>());
  std::sort(tracks.begin(), tracks.end());
  tracks.erase(std::unique(tracks.begin(), tracks.end()), tracks.end());
  json meta = json::array();
  pid_t last_pid = -1;
  for (const auto& [pid, tid] : tracks) {
    if (pid != last_pid) {
      const std::string name = pid == detail::session_info().root_pid ? "main process " + std::to_string(pid)
                                                         : "child process " + std::to_string(pid);
      meta.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", pid}, {"tid", pid}, {"args", {{"name", name}}}});
      meta.push_back({{"name", "process_sort_index"}, {"ph", "M"}, {"pid", pid}, {"tid", pid},
                      {"args", {{"sort_index", pid == detail::session_info().root_pid ? 0 : 1}}}});
      last_pid = pid;
    }
    const std::string name = tid == pid ? "main thread " + std::to_string(tid) : "thread " + std::to_string(tid);
    meta.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", pid}, {"tid", tid}, {"args", {{"name", name}}}});
  }
  return meta;
}

}  // namespace

std::size_t Session::finish() {
  // A forked child that unwinds (or exits) with its parent's session never writes the file.
  if (!open_ || ::getpid() != detail::session_info().root_pid) return 0;
  open_ = false;
  detail::g_enabled.store(false, std::memory_order_release);
  detail::session_info().active = false;
  auto [events, dropped] = collect_own_events();
  std::error_code ec;
  for (const auto& part : std::filesystem::directory_iterator(detail::session_info().parts, ec)) {
    if (part.path().extension() != ".json") continue;  // a child killed while writing left a .tmp
    std::ifstream in(part.path());
    json child = json::parse(in, nullptr, false);
    if (!child.is_object() || !child["events"].is_array()) continue;  // a child killed while writing
    for (auto& e : child["events"]) events.push_back(std::move(e));
    dropped += child.value("dropped", std::uint64_t{0});
  }
  std::filesystem::remove_all(detail::session_info().parts, ec);
  std::stable_sort(events.begin(), events.end(), [](const json& a, const json& b) {
    return std::tuple(a["pid"].get<pid_t>(), a["tid"].get<pid_t>(), a["ts"].get<double>()) <
           std::tuple(b["pid"].get<pid_t>(), b["tid"].get<pid_t>(), b["ts"].get<double>());
  });
  const std::size_t count = events.size();
  json trace_events = metadata_events(events);
  for (auto& e : events) trace_events.push_back(std::move(e));
  const json file = {{"traceEvents", std::move(trace_events)},
                     {"displayTimeUnit", "ms"},
                     {"otherData", {{"producer", "parlab trace"}, {"dropped_events", dropped}}}};
  write_atomically(out_, file);
  return count;
}

void write_child_part() noexcept {
  if (!enabled() || ::getpid() == detail::session_info().root_pid) return;
  try {
    auto [events, dropped] = collect_own_events();
    const json part = {{"events", std::move(events)}, {"dropped", dropped}};
    write_atomically(detail::session_info().parts / (std::to_string(::getpid()) + ".json"), part);
  } catch (...) {
    // A child that cannot write its part loses its events; it must still exit as it meant to.
  }
}

}  // namespace parlab::trace
