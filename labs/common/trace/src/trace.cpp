// The tracing layer: per-thread event buffers, a session that writes them out as Chrome
// trace-event JSON, and the parts forked children leave for their parent to merge.
#include "parlab/trace.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <pthread.h>
#include <sys/types.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace parlab::trace {

namespace detail {
std::atomic<bool> g_enabled{false};
}

namespace {

using nlohmann::json;

struct Event {
  const char* name;
  const char* category;
  Arg a0, a1;
  std::int64_t begin_ns;
  std::int64_t end_ns;  // == begin_ns for an instant
  bool instant;
};

// One thread's events. Only its thread appends; a reader (the session's end) may run at
// the same time and sees every event published before its acquire load of `count`. Events
// live in fixed blocks that never move, so a reader never sees a half-moved vector.
class ThreadBuffer {
 public:
  static constexpr std::size_t kBlockEvents = 4096;
  static constexpr std::size_t kMaxBlocks = 256;  // about a million events per thread

  ThreadBuffer(std::uint64_t generation, pid_t pid, pid_t tid) : generation_(generation), pid_(pid), tid_(tid) {}

  void append(const Event& e) noexcept {
    const std::size_t n = count_.load(std::memory_order_relaxed);  // only this thread writes it
    const std::size_t block = n / kBlockEvents;
    if (block >= kMaxBlocks) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (!blocks_[block]) {
      blocks_[block].reset(new (std::nothrow) Event[kBlockEvents]);
      if (!blocks_[block]) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
    }
    blocks_[block][n % kBlockEvents] = e;
    count_.store(n + 1, std::memory_order_release);
  }

  template <class Visit>
  void for_each(Visit&& visit) const {
    const std::size_t n = count_.load(std::memory_order_acquire);
    for (std::size_t i = 0; i < n; ++i) visit(blocks_[i / kBlockEvents][i % kBlockEvents]);
  }

  [[nodiscard]] std::uint64_t generation() const noexcept { return generation_; }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] pid_t tid() const noexcept { return tid_; }
  [[nodiscard]] std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }

 private:
  std::uint64_t generation_;
  pid_t pid_, tid_;
  std::array<std::unique_ptr<Event[]>, kMaxBlocks> blocks_;
  std::atomic<std::size_t> count_{0};
  std::atomic<std::uint64_t> dropped_{0};
};

// Every buffer of this process. Never destroyed: a thread still running at exit may
// record after static destructors have run.
struct Registry {
  std::mutex mutex;
  std::vector<std::unique_ptr<ThreadBuffer>> buffers;
};
Registry& registry() {
  static Registry* const instance = new Registry;
  return *instance;
}

// Bumped by every session start, so buffers of an earlier session are left behind.
std::atomic<std::uint64_t> g_generation{0};
thread_local ThreadBuffer* t_buffer = nullptr;
thread_local std::uint64_t t_generation = 0;

// What a session needs to write its file; set before tracing turns on, read after it is off
// (or in a forked child, which has its own copy).
struct SessionInfo {
  std::filesystem::path out;
  std::filesystem::path parts;
  std::int64_t t0 = 0;
  pid_t root_pid = 0;
  bool active = false;
};
SessionInfo g_session;

// fork() copies the registry with the parent's buffers. The child drops them (their
// events are the parent's to write) and its forking thread registers afresh under the
// child's pid. The registry lock is held across fork so no child inherits it locked.
void before_fork() { registry().mutex.lock(); }
void after_fork_in_parent() { registry().mutex.unlock(); }
void after_fork_in_child() {
  Registry& r = registry();
  r.buffers.clear();
  r.mutex.unlock();
  t_buffer = nullptr;
}
std::once_flag g_atfork_once;

ThreadBuffer* buffer_for_this_thread() noexcept {
  const std::uint64_t generation = g_generation.load(std::memory_order_relaxed);
  if (t_buffer != nullptr && t_generation == generation) return t_buffer;
  try {
    auto buffer = std::make_unique<ThreadBuffer>(generation, ::getpid(), ::gettid());
    Registry& r = registry();
    const std::lock_guard lock(r.mutex);
    r.buffers.push_back(std::move(buffer));
    t_buffer = r.buffers.back().get();
    t_generation = generation;
    return t_buffer;
  } catch (...) {
    return nullptr;  // out of memory: lose the event, never the run
  }
}

double micros_since_start(std::int64_t ns) { return static_cast<double>(ns - g_session.t0) / 1000.0; }

json to_json(const Event& e, pid_t pid, pid_t tid) {
  json j = {{"name", e.name}, {"cat", e.category}, {"pid", pid}, {"tid", tid}, {"ts", micros_since_start(e.begin_ns)}};
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
  json events = json::array();
  std::uint64_t dropped = 0;
  const std::uint64_t generation = g_generation.load(std::memory_order_relaxed);
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  for (const auto& buffer : r.buffers) {
    if (buffer->generation() != generation) continue;
    buffer->for_each([&](const Event& e) { events.push_back(to_json(e, buffer->pid(), buffer->tid())); });
    dropped += buffer->dropped();
  }
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
      const std::string name = pid == g_session.root_pid ? "main process " + std::to_string(pid)
                                                         : "child process " + std::to_string(pid);
      meta.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", pid}, {"tid", pid}, {"args", {{"name", name}}}});
      meta.push_back({{"name", "process_sort_index"}, {"ph", "M"}, {"pid", pid}, {"tid", pid},
                      {"args", {{"sort_index", pid == g_session.root_pid ? 0 : 1}}}});
      last_pid = pid;
    }
    const std::string name = tid == pid ? "main thread " + std::to_string(tid) : "thread " + std::to_string(tid);
    meta.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", pid}, {"tid", tid}, {"args", {{"name", name}}}});
  }
  return meta;
}

}  // namespace

std::int64_t now_ns() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void complete(const char* name, const char* category, std::int64_t begin_ns, std::int64_t end_ns, Arg a0,
              Arg a1) noexcept {
  if (!enabled()) return;
  if (ThreadBuffer* b = buffer_for_this_thread()) b->append({name, category, a0, a1, begin_ns, end_ns, false});
}

void instant(const char* name, const char* category, Arg a0, Arg a1) noexcept {
  if (!enabled()) return;
  const std::int64_t t = now_ns();
  if (ThreadBuffer* b = buffer_for_this_thread()) b->append({name, category, a0, a1, t, t, true});
}

Session::Session(std::filesystem::path out) : out_(std::move(out)) {
  if (g_session.active) throw std::logic_error("trace::Session: a trace session is already running");
  if (out_.empty()) throw std::invalid_argument("trace::Session: the trace file name is empty");
  std::call_once(g_atfork_once, [] { ::pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child); });
  g_session.out = std::filesystem::absolute(out_);
  g_session.parts = g_session.out.string() + ".parts";
  std::error_code ec;
  std::filesystem::remove_all(g_session.parts, ec);
  std::filesystem::create_directories(g_session.parts, ec);
  if (ec) {
    throw std::runtime_error("cannot create " + g_session.parts.string() + " for the trace's parts: " + ec.message());
  }
  g_session.t0 = now_ns();
  g_session.root_pid = ::getpid();
  g_session.active = true;
  g_generation.fetch_add(1, std::memory_order_relaxed);
  detail::g_enabled.store(true, std::memory_order_release);
}

Session::~Session() {
  try {
    finish();
  } catch (...) {
    // A destructor must not throw; finish() called by hand reports the error.
  }
}

std::size_t Session::finish() {
  // A forked child that unwinds (or exits) with its parent's session never writes the file.
  if (!open_ || ::getpid() != g_session.root_pid) return 0;
  open_ = false;
  detail::g_enabled.store(false, std::memory_order_release);
  g_session.active = false;
  auto [events, dropped] = collect_own_events();
  std::error_code ec;
  for (const auto& part : std::filesystem::directory_iterator(g_session.parts, ec)) {
    if (part.path().extension() != ".json") continue;  // a child killed while writing left a .tmp
    std::ifstream in(part.path());
    json child = json::parse(in, nullptr, false);
    if (!child.is_object() || !child["events"].is_array()) continue;  // a child killed while writing
    for (auto& e : child["events"]) events.push_back(std::move(e));
    dropped += child.value("dropped", std::uint64_t{0});
  }
  std::filesystem::remove_all(g_session.parts, ec);
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

void Session::discard() noexcept {
  if (!open_ || ::getpid() != g_session.root_pid) return;
  open_ = false;
  detail::g_enabled.store(false, std::memory_order_release);
  g_session.active = false;
  std::error_code ec;
  std::filesystem::remove_all(g_session.parts, ec);
}

bool start_from_environment() {
  const char* path = std::getenv("PARLAB_TRACE");
  if (path == nullptr || *path == '\0' || g_session.active) return false;
  static std::unique_ptr<Session> session;
  session = std::make_unique<Session>(path);
  std::atexit([] { session.reset(); });
  return true;
}

void write_child_part() noexcept {
  if (!enabled() || ::getpid() == g_session.root_pid) return;
  try {
    auto [events, dropped] = collect_own_events();
    const json part = {{"events", std::move(events)}, {"dropped", dropped}};
    write_atomically(g_session.parts / (std::to_string(::getpid()) + ".json"), part);
  } catch (...) {
    // A child that cannot write its part loses its events; it must still exit as it meant to.
  }
}

namespace {
// PARLAB_TRACE=FILE traces any program that links the traced given code, from its start to
// its exit. Last in this file: it uses the globals above, which are initialised first.
[[maybe_unused]] const bool g_started_from_environment = start_from_environment();
}  // namespace

}  // namespace parlab::trace
