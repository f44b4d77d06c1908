#include "parlab_test/watchdog.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isolated_internal.hpp"
#include "parlab_test/process_checks.hpp"
#include "thread_dump.hpp"

namespace parlab_test {

#ifndef PARLAB_DEFAULT_TIMEOUT_SCALE
#define PARLAB_DEFAULT_TIMEOUT_SCALE 1
#endif

double timeout_scale() {
  const double built_in = PARLAB_DEFAULT_TIMEOUT_SCALE;
  const char* s = std::getenv("PARLAB_TIMEOUT_SCALE");
  if (s == nullptr) return built_in;
  const double v = std::strtod(s, nullptr);
  return v > 0 ? v : built_in;
}

// Ten seconds: a correct solution finishes any visible or hidden case without its own Watchdog
// in well under a second, so this leaves room for a machine loaded ten times over, and a hang
// still shows up while the student is looking at the terminal.
std::chrono::milliseconds default_case_budget() { return std::chrono::seconds(10); }

namespace {

using Clock = std::chrono::steady_clock;

Clock::duration scaled(std::chrono::milliseconds limit) {
  return std::chrono::duration_cast<Clock::duration>(limit * timeout_scale());
}

// utime + stime of /proc/<pid>/stat, in seconds, plus cutime + cstime: the CPU of children
// it has reaped. Without those, a case whose every step runs in a short isolated() child looks
// idle to the monitor however hard it computes, and gets no extension on a loaded machine.
double cpu_seconds(const std::string& pid) {
  std::ifstream stat("/proc/" + pid + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return 0;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(line.substr(close + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;  // state ... cmajflt
  double utime = 0, stime = 0, cutime = 0, cstime = 0;
  fields >> utime >> stime >> cutime >> cstime;
  return (utime + stime + cutime + cstime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double cpu_seconds_with_children() {
  double total = cpu_seconds("self");
  for (const auto& child : child_processes()) total += cpu_seconds(std::to_string(child.pid));
  return total;
}

struct Deadline {
  unsigned long id;
  std::string what;
  Clock::time_point started;
  Clock::time_point due;
};

// One monitor thread per process watches the innermost deadline. Test code only changes the
// deadlines under the mutex; the monitor sleeps until the earliest one or a change.
class Monitor {
 public:
  static Monitor& instance() {
    static Monitor* monitor = new Monitor();  // never destroyed: exit() must not join it
    return *monitor;
  }

  void start_case(const std::string& name) {
    std::lock_guard lock(mutex_);
    ensure_thread();
    case_name_ = name;
    test_thread_ = static_cast<pid_t>(::syscall(SYS_gettid));
    stack_.clear();
    stack_.push_back({next_id_++, "", Clock::now(), Clock::now() + scaled(default_case_budget())});
    reset_progress();
    changed_.notify_all();
  }

  void refresh_case(std::optional<std::chrono::milliseconds> limit) {
    std::lock_guard lock(mutex_);
    if (stack_.empty()) return;
    auto& base = stack_.front();
    base.started = Clock::now();
    base.due = base.started + scaled(limit.value_or(default_case_budget()));
    reset_progress();
    changed_.notify_all();
  }

  void end_case() {
    std::lock_guard lock(mutex_);
    stack_.clear();
    case_name_.clear();
    changed_.notify_all();
  }

  unsigned long push(std::string what, std::chrono::milliseconds limit) {
    std::lock_guard lock(mutex_);
    ensure_thread();
    const auto now = Clock::now();
    stack_.push_back({next_id_, std::move(what), now, now + scaled(limit)});
    changed_.notify_all();
    return next_id_++;
  }

  void pop(unsigned long id) {
    std::lock_guard lock(mutex_);
    std::erase_if(stack_, [id](const Deadline& d) { return d.id == id; });
    // The slow step is over: the rest of the case gets a fresh default budget.
    if (!stack_.empty() && stack_.size() == 1 && !case_name_.empty()) {
      stack_.front().started = Clock::now();
      stack_.front().due = stack_.front().started + scaled(default_case_budget());
      reset_progress();
    }
    changed_.notify_all();
  }

  // A forked child has none of the parent's threads: it starts over with no deadlines, and a
  // Watchdog made in the child starts a monitor of its own there.
  void forget_after_fork() {
    // The monitor may have been waiting on changed_ when the parent forked: that waiter does not
    // exist here, so the condition variable starts afresh. The mutex was locked by this thread.
    new (&changed_) std::condition_variable();
    new (&thread_) std::thread();  // (the handle of a thread this process does not have)
    mutex_.unlock();
    running_ = false;
    stop_ = false;
    stack_.clear();
    case_name_.clear();
  }

  std::mutex& mutex() { return mutex_; }

  // Before an isolated() fork the monitor thread ends, and after it starts again: forked from
  // a process with a second thread, ThreadSanitizer stops checking anything in the child
  // (it cannot trust its own locks there), and the race check would see no race at all.
  bool pause_for_fork() {
    std::unique_lock lock(mutex_);
    if (!running_) return false;
    stop_ = true;
    changed_.notify_all();
    lock.unlock();
    thread_.join();
    lock.lock();
    stop_ = false;
    running_ = false;
    return true;
  }

  void resume_after_fork() {
    std::lock_guard lock(mutex_);
    ensure_thread();
  }

  detail::DeadlineSnapshot snapshot() {
    std::lock_guard lock(mutex_);
    detail::DeadlineSnapshot out{case_name_, {}};
    for (const auto& d : stack_) out.deadlines.push_back({d.id, d.what, d.started, d.due});
    return out;
  }

  // In a child of isolated(): the same deadlines, watched by a monitor of the child's own.
  void resume(const detail::DeadlineSnapshot& snapshot) {
    std::lock_guard lock(mutex_);
    if (snapshot.deadlines.empty()) return;
    case_name_ = snapshot.case_name;
    test_thread_ = static_cast<pid_t>(::syscall(SYS_gettid));
    stack_.clear();
    for (const auto& d : snapshot.deadlines) stack_.push_back({d.id, d.what, d.started, d.due});
    next_id_ = stack_.back().id + 1;
    reset_progress();
    ensure_thread();
    changed_.notify_all();
  }

 private:
  // Runs at every case and section start, so it reads only this process's own figure (the
  // children's come in at the first look: an overestimate, which errs towards waiting).
  void reset_progress() {
    extensions_ = 0;
    cpu_at_check_ = cpu_seconds("self");
    cpu_checked_at_ = Clock::now();
  }

  Monitor() {
    detail::prepare_thread_dump();
    ::pthread_atfork([] { instance().mutex().lock(); }, [] { instance().mutex().unlock(); },
                     [] { instance().forget_after_fork(); });
  }

  void ensure_thread() {
    if (running_) return;
    running_ = true;
    // Wait until the new thread runs its own code: while it starts, the sanitizers' runtime
    // allocates for it, and an isolated() fork at that moment would leave the child with the
    // allocator locked by a thread it does not have (the child then hangs in its first malloc).
    thread_started_ = false;
    thread_ = std::thread([this] {
      thread_started_ = true;
      thread_started_.notify_one();
      watch();
    });
    thread_started_.wait(false);
  }

  void watch() {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (stop_) return;
      if (stack_.empty()) {
        changed_.wait(lock);
        continue;
      }
      // Only the time point, not a copy of the Deadline: an isolated() child forked while this
      // thread waits has no such thread, and a string held on its stack would be a (false) leak
      // to the child's leak check.
      const Clock::time_point due = stack_.back().due;
      if (Clock::now() < due) {
        changed_.wait_until(lock, due);
        continue;
      }
      // The default budget judges "no progress" by the clock, but on a machine loaded many times
      // over a correct case can take longer. A case that keeps computing (it, or its child
      // processes, used CPU in the last budget) gets up to kMaxExtensions more budgets; one that
      // only waits gets none, and a spinning hang still ends, after the last extension.
      if (stack_.size() == 1 && extensions_ < kMaxExtensions && busy_since_last_look()) {
        ++extensions_;
        stack_.back().due = Clock::now() + scaled(default_case_budget());
        continue;
      }
      expire(stack_.back());  // does not return
    }
  }

  [[noreturn]] void expire(Deadline d) {  // a copy: the stack may change while it waits below
    // The student's code runs in an isolated() child, whose own monitor has the same deadline
    // and reports the threads that matter; this process then ends as the child did. Give it
    // the time to do that before reporting this process's (waiting) threads.
    for (int i = 0; i < 50 && detail::isolated_child_running() != 0; ++i) {
      mutex_.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      mutex_.lock();
    }
    const double waited = std::chrono::duration<double>(Clock::now() - d.started).count();
    const bool spinning = extensions_ == kMaxExtensions;
    std::string text = "\nWATCHDOG: ";
    text += case_name_.empty() ? std::string("the test program") : "test case \"" + case_name_ + "\"";
    text += d.what.empty() ? std::string(spinning ? " kept computing without finishing" : " made no progress")
                           : " is stuck in: " + d.what;
    char seconds[64];
    std::snprintf(seconds, sizeof seconds, " for %.1f s (its budget).\n", waited);
    text += seconds;
    text += "What each thread is doing:\n";
    std::fputs(text.c_str(), stderr);
    std::fflush(stderr);
    const pid_t test_thread = test_thread_;
    std::fputs(detail::describe_threads(test_thread, std::chrono::milliseconds(1000)).c_str(), stderr);
    std::fputs("A thread blocked forever usually waits for something nobody will send: a pop() with no\n"
               "push or poison pill coming, a lock never released, a read from a pipe whose write end is\n"
               "still open somewhere. The test program is stopped (exit code 124).\n", stderr);
    std::fflush(stderr);
    // Kill and reap the test's children, so none outlives the test program.
    for (const auto& child : child_processes()) ::kill(child.pid, SIGKILL);
    for (const auto& child : child_processes()) ::waitpid(child.pid, nullptr, 0);
    std::_Exit(124);
  }

  static constexpr int kMaxExtensions = 5;

  // CPU seconds used by this process and its live children since the last call, compared with
  // the wall time: busy means at least 5 % of one core (a loaded machine gives a test little).
  bool busy_since_last_look() {
    const double cpu = cpu_seconds_with_children();
    const auto now = Clock::now();
    const double wall = std::chrono::duration<double>(now - cpu_checked_at_).count();
    // A look over a tenth of a budget or less judges nothing. It happens in an isolated()
    // child forked just before the case's deadline: it has barely run (on a loaded machine it
    // may not have been scheduled yet), and calling it idle failed correct code. It gets the
    // extension, and its next look covers its whole life.
    const double budget = std::chrono::duration<double>(scaled(default_case_budget())).count();
    if (wall <= 0.1 * budget) return true;
    const bool busy = cpu - cpu_at_check_ >= 0.05 * wall;
    cpu_at_check_ = cpu;
    cpu_checked_at_ = now;
    return busy;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  int extensions_ = 0;
  double cpu_at_check_ = 0;
  Clock::time_point cpu_checked_at_ = Clock::now();
  bool running_ = false;
  bool stop_ = false;
  std::thread thread_;  // never destroyed (the Monitor is not), so never a joinable one at exit
  std::atomic<bool> thread_started_{false};
  unsigned long next_id_ = 1;
  std::vector<Deadline> stack_;  // front: the case's own budget; then the Watchdogs, innermost last
  std::string case_name_;
  pid_t test_thread_ = 0;
};

}  // namespace

void case_budget(std::chrono::milliseconds limit) { Monitor::instance().refresh_case(limit); }

Watchdog::Watchdog(std::string what, std::chrono::milliseconds limit)
    : id_(Monitor::instance().push(std::move(what), limit)) {}

Watchdog::~Watchdog() { Monitor::instance().pop(id_); }

namespace detail {
void case_started(const std::string& name) { Monitor::instance().start_case(name); }
void case_progressed() { Monitor::instance().refresh_case(std::nullopt); }
void case_ended() { Monitor::instance().end_case(); }
DeadlineSnapshot snapshot_deadlines() { return Monitor::instance().snapshot(); }
bool pause_watchdog_for_fork() { return Monitor::instance().pause_for_fork(); }
void resume_watchdog_after_fork() { Monitor::instance().resume_after_fork(); }
void resume_deadlines_in_child(const DeadlineSnapshot& snapshot) { Monitor::instance().resume(snapshot); }
}  // namespace detail

}  // namespace parlab_test
