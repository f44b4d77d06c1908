#include "thread_dump.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include <cxxabi.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace parlab_test::detail {
namespace {

constexpr int kMaxFrames = 48;
constexpr int kMaxThreads = 256;

// One slot per thread asked. The handler finds its slot by thread id and fills it; nothing in
// the handler allocates or locks (backtrace() is safe once the unwinder is loaded).
struct StackSlot {
  std::atomic<pid_t> tid{0};
  std::atomic<bool> done{false};
  int depth = 0;
  std::array<void*, kMaxFrames> frames{};
};

std::array<StackSlot, kMaxThreads> slots;

int dump_signal() { return SIGRTMIN + 5; }

pid_t current_tid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

void record_stack(int) {
  const int saved_errno = errno;
  const pid_t self = current_tid();
  for (auto& slot : slots) {
    if (slot.tid.load(std::memory_order_acquire) == self && !slot.done.load(std::memory_order_acquire)) {
      slot.depth = ::backtrace(slot.frames.data(), kMaxFrames);
      slot.done.store(true, std::memory_order_release);
      break;
    }
  }
  errno = saved_errno;
}

std::string read_first_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// "S (sleeping)"-style state letter from /proc/self/task/N/stat.
char thread_state(pid_t tid) {
  const std::string line = read_first_line("/proc/self/task/" + std::to_string(tid) + "/stat");
  const auto close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() ? '?' : line[close + 2];
}

std::vector<pid_t> thread_ids() {
  std::vector<pid_t> ids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    ids.push_back(static_cast<pid_t>(std::stol(entry.path().filename().string())));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// std::string's full name makes a frame three lines long.
std::string shorten(std::string name) {
  static const std::string long_string = "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >";
  for (auto at = name.find(long_string); at != std::string::npos; at = name.find(long_string, at)) {
    name.replace(at, long_string.size(), "std::string");
  }
  return name;
}

std::string demangle(const char* name) {
  int status = 0;
  char* text = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string out = status == 0 && text != nullptr ? text : name;
  std::free(text);
  return shorten(out);
}

// Runs `argv` and returns its standard output (empty if it cannot run). Used for addr2line,
// which reads the executable's debug information: function names and lines for code that the
// dynamic symbol table does not list (static functions, lambdas, inlined calls).
std::string capture_output(std::vector<std::string> argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {};
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  ::posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = ::posix_spawnp(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  std::string out;
  if (spawned == 0) {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  ::close(fds[0]);
  return out;
}

struct Frame {
  void* address = nullptr;
  std::string function;  // demangled, or "" when unknown
  std::string location;  // "blocking_queue.cpp:30", or ""
  std::string object;    // "libc.so.6"
};

// Names frames, returning them innermost first with inlined calls as frames of their own.
// Frames in the test executable go to addr2line in one batch (with -i it lists an inlined call
// and then each function it was inlined into); frames in shared libraries are named from
// their dynamic symbols.
std::vector<Frame> symbolize(const std::vector<void*>& addresses) {
  Dl_info self{};
  ::dladdr(reinterpret_cast<void*>(&symbolize), &self);
  std::vector<std::vector<Frame>> expanded(addresses.size());
  std::vector<std::size_t> in_executable;
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    Frame frame;
    frame.address = addresses[i];
    Dl_info info{};
    // A return address points after the call; the call itself is one byte before.
    auto* probe = static_cast<char*>(addresses[i]) - (i == 0 ? 0 : 1);
    if (::dladdr(probe, &info) != 0) {
      frame.object = info.dli_fname ? std::filesystem::path(info.dli_fname).filename().string() : "";
      if (info.dli_sname != nullptr) frame.function = demangle(info.dli_sname);
      if (info.dli_fbase == self.dli_fbase) in_executable.push_back(i);
    }
    expanded[i].push_back(frame);
  }
  // The path, not /proc/self/exe: in addr2line's process that link names addr2line.
  std::error_code ec;
  const std::string executable = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (!in_executable.empty() && !ec) {
    std::vector<std::string> argv{"addr2line", "-a", "-f", "-C", "-i", "-e", executable};
    for (const std::size_t i : in_executable) {
      const auto offset = static_cast<char*>(addresses[i]) - (i == 0 ? 0 : 1) - static_cast<char*>(self.dli_fbase);
      std::ostringstream hex;
      hex << "0x" << std::hex << offset;
      argv.push_back(hex.str());
    }
    // Output: per address a line "0x...", then pairs of lines "function" and "file:line".
    std::istringstream out(capture_output(argv));
    std::vector<Frame> named;
    std::size_t next = 0;
    std::vector<Frame>* target = nullptr;
    std::string line;
    while (std::getline(out, line)) {
      if (line.starts_with("0x")) {
        if (target != nullptr && !named.empty()) *target = std::move(named);
        named.clear();
        target = next < in_executable.size() ? &expanded[in_executable[next++]] : nullptr;
        continue;
      }
      std::string location;
      std::getline(out, location);
      if (target == nullptr || line == "??") continue;
      Frame frame = target->front();
      frame.function = shorten(line);
      frame.location = location.starts_with("??") ? "" : std::filesystem::path(location.substr(0, location.find(' '))).filename().string();
      named.push_back(frame);
    }
    if (target != nullptr && !named.empty()) *target = std::move(named);
  }
  std::vector<Frame> frames;
  for (auto& group : expanded) frames.insert(frames.end(), group.begin(), group.end());
  return frames;
}

// Code of the course (the student's or the given), not the standard library working for it:
// "parlab::lab01::BlockingQueue<int>::push(int)" is, "void std::condition_variable::wait<
// parlab::...>" is not. The name up to its first '<' or '(' decides.
bool is_parlab_code(const Frame& f) {
  const std::string head = f.function.substr(0, f.function.find_first_of("<("));
  return head.find("parlab::") != std::string::npos && head.find("parlab_test") == std::string::npos;
}

std::string what_it_waits_for(const std::vector<Frame>& frames) {
  for (const auto& f : frames) {
    const auto& n = f.function;
    if (n.find("pthread_cond_") != std::string::npos || n.find("condition_variable") != std::string::npos) return "waiting on a condition variable";
    if (n.find("pthread_mutex_lock") != std::string::npos || n.find("__lll_lock_wait") != std::string::npos) return "waiting for a mutex";
    if (n.find("pthread_join") != std::string::npos || n.find("thread::join") != std::string::npos) return "waiting for a thread to finish (join)";
    if (n.find("waitpid") != std::string::npos || n == "wait4" || n == "__wait4") return "waiting for a child process (waitpid)";
    if (n == "read" || n == "__libc_read" || n == "__read") return "waiting in read() (a pipe whose write end is still open?)";
    if (n == "write" || n == "__libc_write" || n == "__write") return "waiting in write() (a full pipe nobody reads?)";
    if (n.find("nanosleep") != std::string::npos) return "sleeping";
    if (n.find("flock") != std::string::npos || n.find("fcntl") != std::string::npos) return "waiting for a file lock";
    if (n.find("poll") != std::string::npos || n.find("select") != std::string::npos) return "waiting in poll/select";
    if (is_parlab_code(f)) break;
  }
  return {};
}

std::string describe_one(pid_t tid, bool is_test_thread, const StackSlot* slot) {
  std::ostringstream out;
  // Threads are named after the program unless the code named them (pthread_setname_np).
  const std::string comm = read_first_line("/proc/self/task/" + std::to_string(tid) + "/comm");
  const std::string program = read_first_line("/proc/self/comm");
  const std::string who = is_test_thread ? "the test case's own thread"
                          : comm == program ? "a thread the test started"
                                            : "thread \"" + comm + "\"";
  const char state = thread_state(tid);
  out << "  thread " << tid << " (" << who << ", "
      << (state == 'R' ? "running" : state == 'S' || state == 'D' ? "blocked" : std::string("state ") + state) << ")";
  if (slot == nullptr || !slot->done.load(std::memory_order_acquire)) {
    out << ": did not answer (a sanitizer's own thread, or one busy in a loop that calls nothing)\n";
    return out.str();
  }
  const std::vector<Frame> frames =
      symbolize(std::vector<void*>(slot->frames.begin(), slot->frames.begin() + slot->depth));
  // Skip the frames of the signal handler itself (up to and including the kernel's return trampoline).
  std::size_t first = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (frames[i].function.find("record_stack") != std::string::npos || frames[i].function == "__restore_rt" ||
        frames[i].function.find("sigaction") != std::string::npos || frames[i].function.find("__tsan") != std::string::npos ||
        frames[i].function.find("__sanitizer") != std::string::npos) {
      first = i + 1;
    }
  }
  if (first >= frames.size()) first = 0;
  const std::vector<Frame> own(frames.begin() + static_cast<std::ptrdiff_t>(first), frames.end());
  const auto in_parlab = std::find_if(own.begin(), own.end(), is_parlab_code);
  if (in_parlab != own.end()) {
    out << ": " << (state == 'R' ? "in " : "blocked in ") << in_parlab->function;
    if (!in_parlab->location.empty()) out << " at " << in_parlab->location;
  }
  const std::string waits = what_it_waits_for(own);
  if (!waits.empty()) out << (in_parlab != own.end() ? ", " : ": ") << waits;
  out << '\n';
  // The frames down to the test framework; unnamed ones (inside libc) say nothing.
  std::size_t shown = 0;
  for (const auto& f : own) {
    if (f.function.empty()) continue;
    if (f.function.starts_with("Catch::") || shown++ == 14) break;
    out << "      " << f.function;
    if (!f.location.empty()) out << "  (" << f.location << ')';
    else if (!f.object.empty()) out << "  [" << f.object << ']';
    out << '\n';
    // Below this frame is the standard library starting the thread.
    if (f.function.starts_with("std::thread::_State_impl")) break;
  }
  return out.str();
}

}  // namespace

void prepare_thread_dump() {
  struct sigaction action {};
  action.sa_handler = record_stack;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(dump_signal(), &action, nullptr);
  // The first backtrace() loads libgcc's unwinder (dlopen, malloc): do it here, not in a handler.
  std::array<void*, 4> warm_up{};
  (void)::backtrace(warm_up.data(), static_cast<int>(warm_up.size()));
}

std::string describe_threads(pid_t main_tid, std::chrono::milliseconds patience) {
  const pid_t self = current_tid();
  std::vector<pid_t> asked;
  for (const pid_t tid : thread_ids()) {
    if (tid == self || asked.size() == slots.size()) continue;
    StackSlot& slot = slots[asked.size()];
    slot.done.store(false, std::memory_order_release);
    slot.tid.store(tid, std::memory_order_release);
    asked.push_back(tid);
    ::syscall(SYS_tgkill, ::getpid(), tid, dump_signal());
  }
  const auto give_up = std::chrono::steady_clock::now() + patience;
  for (std::size_t i = 0; i < asked.size(); ++i) {
    while (!slots[i].done.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  std::string text;
  for (std::size_t i = 0; i < asked.size(); ++i) text += describe_one(asked[i], asked[i] == main_tid, &slots[i]);
  return text;
}

}  // namespace parlab_test::detail
