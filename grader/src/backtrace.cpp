#include "backtrace.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>

#include <fmt/format.h>

#include "util/text.hpp"

namespace grader {

namespace {

struct Frame {
  std::string function;
  std::string location;  // "file.cpp:12" when gdb knows it
  std::string raw;
};

struct Thread {
  std::string id;
  std::vector<Frame> frames;
};

Frame parse_frame(const std::string& line) {
  // "#4  0x0000 in parlab::lab01::BlockingQueue<...>::pop (this=...) at /x/blocking_queue.cpp:30"
  // "#5  parlab::lab01::prime_worker (...) at /x/primes_threads.cpp:15"
  Frame f;
  f.raw = line;
  std::string rest = line.substr(line.find(' ') == std::string::npos ? line.size() : line.find(' '));
  rest = trim(rest);
  if (rest.rfind("0x", 0) == 0) {
    const auto in = rest.find(" in ");
    rest = in == std::string::npos ? rest : rest.substr(in + 4);
  }
  // The function name ends at " (" (its arguments) at template depth 0.
  int depth = 0;
  std::size_t end = rest.size();
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i];
    if (c == '<') ++depth;
    if (c == '>') --depth;
    if (depth == 0 && c == ' ' && i + 1 < rest.size() && rest[i + 1] == '(') {
      end = i;
      break;
    }
  }
  f.function = rest.substr(0, end);
  const auto at = rest.rfind(" at ");
  if (at != std::string::npos) f.location = std::filesystem::path(trim(rest.substr(at + 4))).filename().string();
  return f;
}

// Threads of every process, named "thread 2", or "thread 2 of child process 456" after a
// "=== process 456: a child process ===" line (sandbox/hang_backtrace.hpp); `pid` is 456
// (0 in the test process).
struct ProcessThread : Thread {
  std::string pid;
};

std::vector<ProcessThread> parse_threads(const std::string& output) {
  std::vector<ProcessThread> threads;
  static const std::regex thread_line(R"(^Thread (\d+) )");
  static const std::regex process_line(R"(^=== process (\d+): (.*) ===$)");
  std::string pid;
  for (const auto& line : split_lines(output)) {
    std::smatch m;
    if (std::regex_search(line, m, process_line)) {
      pid = m[2].str() == "the test process" ? "" : m[1].str();
    } else if (std::regex_search(line, m, thread_line)) {
      threads.push_back({{"thread " + m[1].str() + (pid.empty() ? "" : " of child process " + pid), {}}, pid});
    } else if (!threads.empty() && line.rfind("#", 0) == 0) {
      threads.back().frames.push_back(parse_frame(line));
    }
  }
  return threads;
}

bool any_frame(const Thread& t, std::size_t upto, std::initializer_list<const char*> needles) {
  for (std::size_t i = 0; i < upto && i < t.frames.size(); ++i) {
    for (const char* needle : needles) {
      if (contains(t.frames[i].function, needle)) return true;
    }
  }
  return false;
}

std::string what_it_waits_for(const Thread& t, std::size_t first_own_frame) {
  if (any_frame(t, first_own_frame, {"pthread_cond_", "condition_variable", "__condvar"})) return "waiting on a condition variable";
  if (any_frame(t, first_own_frame, {"__lll_lock_wait", "pthread_mutex_lock", "mutex::lock"})) return "waiting for a mutex";
  if (any_frame(t, first_own_frame, {"pthread_join", "thread::join"})) return "waiting for a thread to finish (join)";
  if (any_frame(t, first_own_frame, {"waitpid", "wait4", "waitid"})) return "waiting for a child process to exit";
  if (any_frame(t, first_own_frame, {"__libc_read", "__GI___libc_read", "read_all", "read_value", "::read"})) {
    return "blocked reading a pipe";
  }
  if (any_frame(t, first_own_frame, {"__libc_write", "write_all", "write_value"})) return "blocked writing to a full pipe";
  if (any_frame(t, first_own_frame, {"poll", "select"})) return "waiting in poll()";
  if (any_frame(t, first_own_frame, {"nanosleep", "sleep_for", "sleep"})) return "sleeping";
  if (any_frame(t, first_own_frame, {"_Fork", "__libc_fork", "arch_fork"})) return "starting a process (fork)";
  return "running (a loop that does not end?)";
}

// Lab or common code: the name itself (not a template argument) is in namespace parlab.
// "std::condition_variable::wait<...BlockingQueue<...>::pop()::{lambda()#1}>" is not.
bool is_own_code(const std::string& function) {
  std::string outer;
  int depth = 0;
  for (const char c : function) {
    if (c == '<') ++depth;
    if (depth == 0) outer += c;
    if (c == '>') --depth;
  }
  return outer.rfind("parlab::", 0) == 0;
}

// The innermost frame in a file the student edits ("primes_threads.cpp:15" is, a frame in
// stl_vector.h is not); frames.size() when there is none.
std::size_t first_student_frame(const Thread& t, const std::vector<std::string>& student_files) {
  for (std::size_t i = 0; i < t.frames.size(); ++i) {
    const std::string& location = t.frames[i].location;
    const std::string file = location.substr(0, location.rfind(':'));
    if (!file.empty() && std::find(student_files.begin(), student_files.end(), file) != student_files.end()) return i;
  }
  return t.frames.size();
}

// The student's frame that called parlab::ChildProcess::fork, below the function a child runs:
// " (started by run_workers at workers.cpp:50)"; empty for a child forked otherwise.
std::string started_by(const Thread& t, const std::vector<std::string>& student_files) {
  for (std::size_t i = 0; i < t.frames.size(); ++i) {
    if (!contains(t.frames[i].function, "parlab::ChildProcess::fork")) continue;
    Thread caller{t.id, {t.frames.begin() + static_cast<std::ptrdiff_t>(i) + 1, t.frames.end()}};
    const std::size_t at = first_student_frame(caller, student_files);
    if (at == caller.frames.size()) return {};
    return fmt::format(", which {} started at {}", shorten_function_name(caller.frames[at].function), caller.frames[at].location);
  }
  return {};
}

// isolated()'s child_main, however gdb names it: qualified
// ("parlab_test::(anonymous namespace)::child_main") or, where the optimiser inlined it into
// run_isolated, by its bare name ("child_main () at .../isolated.cpp:227").
bool is_isolated_child_main(const Frame& f) {
  const bool named = f.function == "child_main" || f.function.ends_with("::child_main");
  return named && (f.location.empty() || f.location.starts_with("isolated.cpp:"));
}

// Names the processes in the student's terms. The parlab_test::isolated() child (the oldest
// child with isolated()'s child_main on its stack) runs the code under test: for the student
// it is the test process, and the test process proper only waits for it (the test harness).
// A child the student's code started with ChildProcess::fork is named by who started it.
void name_processes(std::vector<ProcessThread>& threads, const std::vector<std::string>& student_files) {
  std::string isolated_child;
  for (const auto& t : threads) {
    if (!t.pid.empty() && std::any_of(t.frames.begin(), t.frames.end(), is_isolated_child_main)) {
      isolated_child = t.pid;
      break;
    }
  }
  std::map<std::string, std::string> roles;  // child pid -> ", which run_workers started at …"
  for (const auto& t : threads) {
    if (t.pid.empty() || t.pid == isolated_child || !roles[t.pid].empty()) continue;
    roles[t.pid] = started_by(t, student_files);
  }
  for (auto& t : threads) {
    const std::string number = t.id.substr(0, t.id.find(" of "));
    if (isolated_child.empty()) {
      if (!t.pid.empty()) t.id += roles[t.pid];
    } else if (t.pid.empty()) {
      t.id = number + " of the test harness";
    } else if (t.pid == isolated_child) {
      t.id = number;
      t.pid.clear();
    } else {
      t.id += roles[t.pid];
    }
  }
}

}  // namespace

std::string shorten_function_name(const std::string& name) {
  // A copy the optimiser specialised: "leave_with_code(int) [clone .constprop.0]".
  static const std::regex clone_suffix(R"( \[clone [^\]]*\])");
  std::string out;
  int depth = 0;
  for (const char c : std::regex_replace(name, clone_suffix, "")) {
    if (c == '<') {
      if (depth++ == 0) out += "<…>";
      continue;
    }
    if (c == '>') {
      --depth;
      continue;
    }
    if (depth == 0) out += c;
  }
  // Drop a trailing parameter list: "primes_threads(unsigned int, ...)" -> "primes_threads".
  if (!out.empty() && out.back() == ')') {
    int parens = 0;
    for (std::size_t i = out.size(); i-- > 0;) {
      if (out[i] == ')') ++parens;
      if (out[i] == '(' && --parens == 0) {
        if (i > 0) out.erase(i);
        break;
      }
    }
  }
  static const std::regex lab_namespace(R"(parlab::lab\d\d::)");
  out = std::regex_replace(out, lab_namespace, "");
  out = replace_all(out, "(anonymous namespace)::", "");
  out = replace_all(out, "parlab::", "");
  // gdb names a lambda's body by its DWARF name alone: "operator()".
  return out == "operator" ? "a lambda" : out;
}

namespace {

// One thread of a hung run: where it is in the student's code (or that it is the harness)
// and what it waits for.
ThreadSummary summarize_thread(const ProcessThread& t, const std::vector<std::string>& student_files) {
  ThreadSummary s;
  s.thread = t.id;
  s.child_pid = t.pid;
  std::size_t own = first_student_frame(t, student_files);
  for (std::size_t i = 0; i < t.frames.size() && own == t.frames.size(); ++i) {
    if (is_own_code(t.frames[i].function)) own = i;
  }
  const bool watchdog = any_frame(t, t.frames.size(), {"parlab_test::Watchdog"});
  if (own == t.frames.size() && !watchdog) {
    // Inlined lambdas leave only library frames whose template arguments name the code,
    // e.g. std::thread::_State_impl<...hostile_act()::{lambda()#1}...>::_M_run.
    for (std::size_t i = 0; i < t.frames.size() && s.where.empty(); ++i) {
      const auto& f = t.frames[i].function;
      const auto at = f.find("parlab::");
      if (at == std::string::npos || contains(f, "parlab_test::") || contains(f, "Catch::")) continue;
      const auto end = f.find_first_of(">,", at);
      s.where = "a thread running " + shorten_function_name(f.substr(at, end == std::string::npos ? std::string::npos : end - at));
      s.waiting = what_it_waits_for(t, i);
    }
  }
  if (!s.where.empty()) {
    // found through a template argument above
  } else if (own == t.frames.size()) {
    s.is_test_harness = true;
    s.where = watchdog ? "the test's watchdog (waiting, as it should)" : "test harness code";
    s.waiting = what_it_waits_for(t, t.frames.size());
  } else {
    const Frame& f = t.frames[own];
    s.where = shorten_function_name(f.function);
    if (!f.location.empty()) s.where += " (" + f.location + ")";
    for (std::size_t i = own + 1; i < t.frames.size(); ++i) {
      // (ChildProcess::fork is the plumbing between a worker's function and who started it)
      if (is_own_code(t.frames[i].function) && t.frames[i].function != f.function &&
          !contains(t.frames[i].function, "parlab::ChildProcess::")) {
        s.where += ", called from " + shorten_function_name(t.frames[i].function);
        break;
      }
    }
    s.waiting = what_it_waits_for(t, own);
  }
  return s;
}

void add_children_to_headline(HangSummary& summary) {
  // A hang across processes: what the children were doing belongs in the headline too, one
  // thread of each child (up to two more).
  std::vector<std::string> told;  // children the headline speaks of
  for (const auto& s : summary.threads) {
    if (!s.child_pid.empty() && contains(summary.headline, s.thread)) told.push_back(s.child_pid);
  }
  for (std::size_t i = 0, added = 0; i < summary.threads.size() && added < 2; ++i) {
    const ThreadSummary& s = summary.threads[i];
    if (s.is_test_harness || s.child_pid.empty() || std::find(told.begin(), told.end(), s.child_pid) != told.end()) continue;
    told.push_back(s.child_pid);
    ++added;
    summary.headline += fmt::format("; meanwhile {} in {} ({})", s.waiting, s.where, s.thread);
  }
}
}  // namespace

HangSummary summarize_backtrace(const std::string& gdb_output, const std::vector<std::string>& student_files) {
  HangSummary summary;
  std::vector<ProcessThread> threads = parse_threads(gdb_output);
  name_processes(threads, student_files);
  for (const auto& t : threads) summary.threads.push_back(summarize_thread(t, student_files));

  // The headline names the most telling blocked thread in words a student knows: a thread
  // stuck in a queue or on a mutex explains a hang better than the main thread's join.
  for (const auto& s : summary.threads) {
    if (s.is_test_harness) continue;
    const bool on_condition = contains(s.waiting, "condition variable");
    if (contains(s.where, "::pop") && on_condition) {
      // Pills belong to the pipeline (prime_worker and its callers); a queue test that
      // blocks in pop has no pill to wait for. (The queue's type names PoisonPill in every
      // backtrace of lab 01, so it cannot tell them apart: the caller can.)
      const bool pipeline = contains(s.where, "prime_worker") || contains(s.where, "primes_threads");
      summary.headline = std::string("consumer blocked in pop: it waits for an item") +
                         (pipeline ? " or a poison pill" : "") + " that never comes, in " + s.where + " (" + s.thread + ")";
    } else if (contains(s.where, "::push") && on_condition) {
      summary.headline = "producer blocked in push: the queue is full and nobody takes items out, in " + s.where + " (" + s.thread + ")";
    } else if (contains(s.where, "::join") && on_condition) {
      summary.headline = "blocked in join: some item was never marked done, in " + s.where + " (" + s.thread + ")";
    } else if (contains(s.waiting, "mutex")) {
      summary.headline = "waiting for a mutex nobody releases (a deadlock) in " + s.where + " (" + s.thread + ")";
    }
    if (!summary.headline.empty()) break;
  }
  for (const auto& s : summary.threads) {
    if (!summary.headline.empty()) break;
    if (!s.is_test_harness) summary.headline = fmt::format("{} in {} ({})", s.waiting, s.where, s.thread);
  }
  if (summary.headline.empty() && !summary.threads.empty()) {
    summary.headline = "no thread was in lab code; the test itself was " + summary.threads.front().waiting;
  }
  add_children_to_headline(summary);
  return summary;
}

std::string where_it_was_stopped(const HangSummary& summary) {
  for (const auto& t : summary.threads) {
    if (t.is_test_harness) continue;
    const char* process = contains(t.thread, " of ") ? "" : " of the test process";
    return fmt::format(" When it was stopped, {}{} was in {}.", t.thread, process, t.where);
  }
  return {};
}

}  // namespace grader
