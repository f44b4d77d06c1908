#pragma once
// Tracing: who ran what, when, and when it waited. Given code and the API wrappers a lab
// calls record spans here; a traced run writes them as a Chrome trace-event JSON file that
// ui.perfetto.dev or chrome://tracing open from disk (both work offline).
//
// Off unless a run asks for it (trace::Session, `--trace FILE` on a benchmark, or
// PARLAB_TRACE=FILE in the environment): then every span costs one relaxed atomic load and
// a branch. On, a span appends one record to a buffer that belongs to its thread (found
// through a thread_local pointer, registered once), so threads never share a lock while
// they record. The buffers are written out when the session ends. A child forked while a
// session is on writes its own part when it leaves (ChildProcess does this), and the
// session merges the parts, so every process and thread is a track of its own (pid/tid).

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>

namespace parlab::trace {

namespace detail {
extern std::atomic<bool> g_enabled;
}

// True while a session records. A relaxed load: that is the whole cost of a span when off.
[[nodiscard]] inline bool enabled() noexcept { return detail::g_enabled.load(std::memory_order_relaxed); }

// A named number attached to an event ("lo", 1000). Names are string literals: events keep
// the pointer, never a copy, so recording allocates nothing.
struct Arg {
  const char* name = nullptr;
  std::uint64_t value = 0;
};

// Nanoseconds on the steady clock (CLOCK_MONOTONIC: one clock for every process).
[[nodiscard]] std::int64_t now_ns() noexcept;

// Records a finished span [begin_ns, end_ns) on the calling thread's track.
// `name` and `category` must be string literals (or live as long as the program).
void complete(const char* name, const char* category, std::int64_t begin_ns, std::int64_t end_ns, Arg a0 = {},
              Arg a1 = {}) noexcept;

// Records a moment (e.g. "flag raised") on the calling thread's track.
void instant(const char* name, const char* category, Arg a0 = {}, Arg a1 = {}) noexcept;

// A span from construction to destruction: `trace::Span span("chunk", "work", {"lo", r.lo});`
class Span {
 public:
  Span(const char* name, const char* category, Arg a0 = {}, Arg a1 = {}) noexcept
      : name_(enabled() ? name : nullptr), category_(category), a0_(a0), a1_(a1) {
    if (name_ != nullptr) begin_ = now_ns();
  }
  ~Span() {
    if (name_ != nullptr) complete(name_, category_, begin_, now_ns(), a0_, a1_);
  }
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

 private:
  const char* name_;
  const char* category_;
  Arg a0_, a1_;
  std::int64_t begin_ = 0;
};

// One traced run. Starting it turns tracing on (events from before are not kept); finish()
// (or the destructor) turns it off, merges the parts forked children wrote, and writes the
// trace to `out`. Only one session at a time: starting a second one throws.
class Session {
 public:
  explicit Session(std::filesystem::path out);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Writes the file; returns how many events it holds. Throws std::runtime_error when the
  // file cannot be written. A second call does nothing and returns 0.
  std::size_t finish();
  // Turns tracing off and writes nothing (the traced run failed: no file that looks like a
  // trace of it). finish() and the destructor then do nothing.
  void discard() noexcept;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return out_; }

 private:
  std::filesystem::path out_;
  bool open_ = true;
};

// For programs that did not start a Session themselves: when PARLAB_TRACE names a file,
// starts a session that ends (and writes the file) at exit. Returns whether it did. Runs by
// itself when the program starts (every program that links this library).
bool start_from_environment();

// Called by a forked child (ChildProcess) just before it leaves with _exit: writes the
// events of this process into the session's parts folder for the parent to merge. Does
// nothing when no session is on.
void write_child_part() noexcept;

}  // namespace parlab::trace
