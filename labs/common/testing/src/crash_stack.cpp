#include "crash_stack.hpp"

#include <array>
#include <atomic>
#include <new>
#include <csignal>
#include <cstdlib>
#include <cstddef>
#include <cstdint>

#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <unistd.h>

namespace parlab_test::detail {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitizer_build = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool sanitizer_build = true;
#else
constexpr bool sanitizer_build = false;
#endif
#else
constexpr bool sanitizer_build = false;
#endif

constexpr std::array fatal_signals = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
constexpr int max_frames = 40;

// Set once before any test runs; the handler only reads them.
int crash_fd = -1;
std::uintptr_t executable_base = 0;
pid_t test_pid = 0;
std::uintptr_t signal_trampoline = 0;  // where a signal handler returns to the kernel (sa_restorer)
std::atomic<bool> case_running{false};

// A line built without allocating: the handler may run inside a broken malloc.
class Line {
 public:
  void text(const char* s) {
    while (*s != '\0' && used_ < buffer_.size()) buffer_[used_++] = *s++;
  }
  void decimal(long value) {
    if (value < 0) {
      text("-");
      value = -value;
    }
    char digits[24];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0 && n < 24);
    while (n > 0 && used_ < buffer_.size()) buffer_[used_++] = digits[--n];
  }
  void hex(std::uintptr_t value) {
    text("0x");
    char digits[2 * sizeof value];
    int n = 0;
    do {
      digits[n++] = "0123456789abcdef"[value & 0xf];
      value >>= 4;
    } while (value != 0);
    while (n > 0 && used_ < buffer_.size()) buffer_[used_++] = digits[--n];
  }
  void send(int fd) const {
    std::size_t done = 0;
    while (done < used_) {
      const ssize_t n = ::write(fd, buffer_.data() + done, used_ - done);
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }

 private:
  // Under PIPE_BUF, so that the record lands in one piece beside a child's writes.
  std::array<char, 2048> buffer_{};
  std::size_t used_ = 0;
};

// The record for a process that dies of `signal`, or (signal 0) leaves with `exit_code`, or
// (signal 0, exit_code -1) could not allocate.
void send_stack(int signal, int exit_code) {
  std::array<void*, max_frames> frames{};
  const int depth = ::backtrace(frames.data(), max_frames);
  Line line;
  line.text(R"({"event":"crash_stack","pid":)");
  line.decimal(::getpid());
  line.text(R"(,"test_pid":)");
  line.decimal(test_pid);
  line.text(R"(,"signal":)");
  line.decimal(signal);
  line.text(R"(,"exit_code":)");
  line.decimal(exit_code);
  line.text(R"(,"base":")");
  line.hex(executable_base);
  line.text(R"(","frames":")");
  for (int i = 0; i < depth; ++i) {
    if (i > 0) line.text(" ");
    // Below the kernel's signal trampoline is the interrupted instruction itself, not a
    // return address: marked with '=' so that the grader does not step back into the call.
    const auto at = [&](int k) { return reinterpret_cast<std::uintptr_t>(frames[static_cast<std::size_t>(k)]); };
    if (i > 0 && signal_trampoline != 0 && at(i - 1) - signal_trampoline < 32) line.text("=");
    line.hex(at(i));
  }
  line.text("\"}\n");
  line.send(crash_fd);
}

void on_fatal_signal(int signal) {
  send_stack(signal, -1);
  // Die of the same signal, as without this handler: it is blocked until the handler returns.
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

// A forked child that calls exit() with a failure code (not _exit(), which skips this) is
// reported with where it called it: "exited with code 3" alone does not say which child or why.
// So is the test process when it leaves in the middle of a case.
void on_exit_of_process(int status, void*) {
  if (::getpid() == test_pid ? case_running.load() : status != 0) send_stack(0, status);
}

// Called by operator new when it finds no memory, before it throws std::bad_alloc: where the
// allocation was made says more than "ran out of memory". A few per process, since a test may
// catch bad_alloc and try again.
void on_allocation_failure() {
  static std::atomic<int> reported{0};
  if (reported.fetch_add(1) < 3) send_stack(0, -1);
  throw std::bad_alloc();
}

}  // namespace

void report_crashes_to(int channel_fd) {
  if (sanitizer_build || channel_fd < 0) return;
  // A copy of its own: the listener closes the channel after the run's last record, and
  // Catch's own fatal-signal handler ends the run before this handler gets the signal.
  crash_fd = ::fcntl(channel_fd, F_DUPFD_CLOEXEC, 200);
  if (crash_fd < 0) return;
  test_pid = ::getpid();
  Dl_info self{};
  if (::dladdr(reinterpret_cast<void*>(&report_crashes_to), &self) != 0) {
    executable_base = reinterpret_cast<std::uintptr_t>(self.dli_fbase);
  }
  // The first backtrace() loads libgcc's unwinder (dlopen, malloc): here, not in the handler.
  std::array<void*, 4> warm_up{};
  (void)::backtrace(warm_up.data(), static_cast<int>(warm_up.size()));
  // A stack of its own, so that a stack overflow (a recursion without end) is reported too.
  static std::array<char, 64 * 1024> alternate_stack;
  stack_t stack{};
  stack.ss_sp = alternate_stack.data();
  stack.ss_size = alternate_stack.size();
  ::sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_ONSTACK;
  for (const int s : fatal_signals) ::sigaction(s, &action, nullptr);
#if defined(__linux__) && defined(__GLIBC__)
  // glibc on Linux fills in the trampoline it gave the kernel (SA_RESTORER is a kernel flag).
  struct sigaction installed {};
  if (::sigaction(SIGSEGV, nullptr, &installed) == 0) {
    signal_trampoline = reinterpret_cast<std::uintptr_t>(installed.sa_restorer);
  }
#endif
  ::on_exit(on_exit_of_process, nullptr);
  std::set_new_handler(on_allocation_failure);
}

void note_case_running(bool running) { case_running.store(running); }

void redirect_crash_reports(int fd) {
  // The test framework's own handler, installed for the running case, would report a crash
  // here as the end of a test run that goes on in the test process: only this one (or none).
  struct sigaction action {};
  sigemptyset(&action.sa_mask);
  if (crash_fd >= 0) {
    ::close(crash_fd);
    crash_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 200);
    action.sa_handler = on_fatal_signal;
    action.sa_flags = SA_ONSTACK;
  } else {
    action.sa_handler = SIG_DFL;  // not reporting crashes (no channel, or a sanitizer build)
  }
  if (!sanitizer_build) {
    for (const int s : fatal_signals) ::sigaction(s, &action, nullptr);
  }
}

void stop_crash_reports() {
  if (crash_fd >= 0) ::close(crash_fd);
  crash_fd = -1;
}

}  // namespace parlab_test::detail
