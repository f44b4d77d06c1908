// The tracing layer's recording half: per-thread event buffers, the session's start and the
// fork handling. Writing the events out as Chrome trace-event JSON is in trace_file.cpp.
#include "parlab/trace.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include <pthread.h>
#include <sys/types.h>
#include <unistd.h>

#include "trace_internal.hpp"

namespace parlab::trace {

namespace detail {
std::atomic<bool> g_enabled{false};
}

namespace {

using detail::Event;

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

detail::SessionInfo g_session;

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

}  // namespace

namespace detail {

SessionInfo& session_info() { return g_session; }

std::vector<RecordedEvent> own_events(std::uint64_t& dropped) {
  std::vector<RecordedEvent> events;
  dropped = 0;
  const std::uint64_t generation = g_generation.load(std::memory_order_relaxed);
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  for (const auto& buffer : r.buffers) {
    if (buffer->generation() != generation) continue;
    buffer->for_each([&](const Event& e) { events.push_back({e, buffer->pid(), buffer->tid()}); });
    dropped += buffer->dropped();
  }
  return events;
}

}  // namespace detail

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

namespace {
// PARLAB_TRACE=FILE traces any program that links the traced given code, from its start to
// its exit. Last in this file: it uses the globals above, which are initialised first.
[[maybe_unused]] const bool g_started_from_environment = start_from_environment();
}  // namespace

}  // namespace parlab::trace
