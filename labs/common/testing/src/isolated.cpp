// The process boundary behind parlab_test::isolated() (see parlab_test/isolated.hpp): the
// fork, what the child gives up before any student code runs in it, the frames it sends
// back, and how the test process takes them in.
#define PARLAB_TEST_ISOLATED_NO_MARKER  // this file is not a test that uses isolated()
#include "parlab_test/isolated.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <future>
#include <iostream>
#include <new>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>
#include <typeinfo>
#include <variant>
#include <vector>

#include <cxxabi.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isolated_internal.hpp"
#include "parlab/child_process.hpp"
#include "parlab/student_initialisers.hpp"
#include "parlab/todo.hpp"

extern "C" {
// Present in sanitizer builds with a leak checker: a child's leaks are found before it leaves.
void __lsan_do_leak_check() __attribute__((weak));
}

namespace parlab_test {

namespace {

// In a child of isolated(): the pipe its frames go to (-1 in the test process).
int frame_fd = -1;
// In the test process: the child an isolated() call is waiting for (0: none).
std::atomic<pid_t> running_child{0};

// ---- exception kinds -------------------------------------------------------------------

// Standard exceptions that may not be made from a message alone keep their text this way.
template <class Base>
class WithMessage : public Base {
 public:
  template <class... Args>
  explicit WithMessage(std::string what, Args&&... args) : Base(std::forward<Args>(args)...), what_(std::move(what)) {}
  [[nodiscard]] const char* what() const noexcept override { return what_.c_str(); }

 private:
  std::string what_;
};

template <class E>
[[noreturn]] void throw_default_constructed(const std::string& what) {
  throw WithMessage<E>(what);
}

[[noreturn]] void throw_system_error(const std::string& what) {
  throw WithMessage<std::system_error>(what, std::make_error_code(std::errc::io_error));
}

[[noreturn]] void throw_future_error(const std::string& what) {
  throw WithMessage<std::future_error>(what, std::future_errc::broken_promise);
}

template <class E>
detail::ExceptionKind with_rethrow(std::string name, void (*rethrow)(const std::string&)) {
  return {std::move(name), &detail::is_exception_of_type<E>, rethrow};
}

// The exception an unknown type becomes in the test process: its type's name and message.
class ChildException : public std::exception {
 public:
  explicit ChildException(std::string what) : what_(std::move(what)) {}
  [[nodiscard]] const char* what() const noexcept override { return what_.c_str(); }

 private:
  std::string what_;
};

[[noreturn]] void throw_child_exception(const std::string& what) { throw ChildException(what); }

struct Registry {
  std::vector<detail::ExceptionKind> registered;  // by the tests, PARLAB_ISOLATED_EXCEPTION
  std::vector<detail::ExceptionKind> kinds;       // those and the standard ones, in trying order
  bool ordered = false;
};

Registry& registry() {
  static Registry r;
  return r;
}

void add_standard_kinds(std::vector<detail::ExceptionKind>& kinds) {
  // The starter's "not written yet" stays itself, not just any std::logic_error.
  kinds.push_back(detail::exception_kind<parlab::NotImplemented>("parlab::NotImplemented"));
  kinds.push_back(detail::exception_kind<std::invalid_argument>("std::invalid_argument"));
  kinds.push_back(detail::exception_kind<std::domain_error>("std::domain_error"));
  kinds.push_back(detail::exception_kind<std::length_error>("std::length_error"));
  kinds.push_back(detail::exception_kind<std::out_of_range>("std::out_of_range"));
  kinds.push_back(with_rethrow<std::future_error>("std::future_error", &throw_future_error));
  kinds.push_back(detail::exception_kind<std::logic_error>("std::logic_error"));
  kinds.push_back(detail::exception_kind<std::range_error>("std::range_error"));
  kinds.push_back(detail::exception_kind<std::overflow_error>("std::overflow_error"));
  kinds.push_back(detail::exception_kind<std::underflow_error>("std::underflow_error"));
  kinds.push_back(with_rethrow<std::system_error>("std::system_error", &throw_system_error));
  kinds.push_back(detail::exception_kind<std::runtime_error>("std::runtime_error"));
  kinds.push_back(with_rethrow<std::bad_alloc>("std::bad_alloc", &throw_default_constructed<std::bad_alloc>));
  kinds.push_back(with_rethrow<std::bad_optional_access>("std::bad_optional_access", &throw_default_constructed<std::bad_optional_access>));
  kinds.push_back(with_rethrow<std::bad_variant_access>("std::bad_variant_access", &throw_default_constructed<std::bad_variant_access>));
  kinds.push_back(with_rethrow<std::bad_function_call>("std::bad_function_call", &throw_default_constructed<std::bad_function_call>));
  kinds.push_back(with_rethrow<std::bad_cast>("std::bad_cast", &throw_default_constructed<std::bad_cast>));
}

std::exception_ptr sample_of(const detail::ExceptionKind& kind) {
  try {
    kind.rethrow("sample");
  } catch (...) {
    return std::current_exception();
  }
  return {};  // (rethrow always throws)
}

// The kinds in the order the child tries them: a type before every base class of it, so
// that a QueueClosed (a std::runtime_error) is sent as QueueClosed. Worked out from the types
// themselves, once, in the test process (the children inherit the order).
const std::vector<detail::ExceptionKind>& ordered_kinds() {
  Registry& r = registry();
  if (r.ordered) return r.kinds;
  std::vector<detail::ExceptionKind> pending = r.registered, sorted;
  add_standard_kinds(pending);
  std::vector<std::exception_ptr> samples;
  for (const auto& k : pending) samples.push_back(sample_of(k));
  // Repeatedly take a kind that catches no other pending kind's sample (a most derived one).
  std::vector<bool> taken(pending.size(), false);
  for (std::size_t round = 0; round < pending.size(); ++round) {
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (taken[i]) continue;
      bool catches_another = false;
      for (std::size_t j = 0; j < pending.size() && !catches_another; ++j) {
        std::string ignored;
        if (j != i && !taken[j] && pending[i].matches(samples[j], ignored)) catches_another = true;
      }
      if (!catches_another) {
        taken[i] = true;
        sorted.push_back(pending[i]);
        break;
      }
    }
  }
  for (std::size_t i = 0; i < pending.size(); ++i) {
    if (!taken[i]) sorted.push_back(pending[i]);  // (two names for one type: kept, in order)
  }
  r.kinds = std::move(sorted);
  r.ordered = true;
  return r.kinds;
}

std::string type_name_of_current_exception() {
  const std::type_info* type = abi::__cxa_current_exception_type();
  if (type == nullptr) return "an unknown type";
  int status = 0;
  char* readable = abi::__cxa_demangle(type->name(), nullptr, nullptr, &status);
  std::string name = status == 0 && readable != nullptr ? readable : type->name();
  std::free(readable);
  return name;
}

// ---- frames ------------------------------------------------------------------------------
// One line of JSON each: {"event":"isolated_result","data":HEX}, {"event":"isolated_exception",
// "kind":NAME,"what":HEX}, {"event":"isolated_assertion","where":HEX}, and the crash
// handler's own {"event":"crash_stack",...} (see crash_stack.hpp).

void write_line(int fd, const std::string& line) {
  std::string_view rest = line;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

void send_frame(const nlohmann::json& frame) { write_line(frame_fd, frame.dump() + "\n"); }

nlohmann::json exception_frame(const std::exception_ptr& thrown) {
  for (const auto& kind : ordered_kinds()) {
    std::string what;
    if (kind.matches(thrown, what)) {
      return {{"event", "isolated_exception"}, {"kind", kind.name}, {"what", detail::to_hex(what.data(), what.size())}};
    }
  }
  std::string text;
  try {
    std::rethrow_exception(thrown);
  } catch (const std::exception& e) {
    text = type_name_of_current_exception() + ": " + e.what();
  } catch (...) {
    text = "an exception of type " + type_name_of_current_exception();
  }
  return {{"event", "isolated_exception"}, {"kind", ""}, {"what", detail::to_hex(text.data(), text.size())}};
}


[[noreturn]] void child_main(int write_end, const std::function<std::string()>& produce,
                             const detail::DeadlineSnapshot& deadlines) {
  // Before any student code: nothing here may reach the grader any more.
  // (the hooks are absent in test programs without the result channel)
  if (detail::leave_result_channel != nullptr) detail::leave_result_channel();
  frame_fd = write_end;
  if (detail::redirect_crash_reports != nullptr) detail::redirect_crash_reports(write_end);
  ::prctl(PR_SET_DUMPABLE, 1);  // a debugger (the grader's hang report) may read this process
  running_child.store(0);
  detail::resume_deadlines_in_child(deadlines);
  nlohmann::json frame;
  try {
    parlab::detail::run_student_initialisers();
    const std::string result = produce();
    frame = {{"event", "isolated_result"}, {"data", detail::to_hex(result.data(), result.size())}};
  } catch (...) {
    frame = exception_frame(std::current_exception());
  }
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  if (__lsan_do_leak_check != nullptr) __lsan_do_leak_check();  // leaves with its exit code if it finds one
  send_frame(frame);
  parlab::detail::write_coverage_counters();
  ::_exit(0);
}

// ---- the test process's side --------------------------------------------------------------

struct Frames {
  std::optional<std::string> result;
  std::optional<std::pair<std::string, std::string>> exception;  // kind, message
  std::vector<std::string> assertions;                           // where a CHECK ran in the child
  bool malformed = false;
};

void take_line(const std::string& line, Frames& frames) {
  nlohmann::json frame = nlohmann::json::parse(line, nullptr, false);
  if (!frame.is_object() || !frame.contains("event") || !frame["event"].is_string()) {
    frames.malformed = true;
    return;
  }
  const auto text = [&](const char* key) {
    return frame.contains(key) && frame[key].is_string() ? detail::from_hex(frame[key].get<std::string>(), 0) : std::string();
  };
  const std::string event = frame["event"].get<std::string>();
  if (event == "isolated_result") {
    frames.result = text("data");
  } else if (event == "isolated_exception") {
    const std::string kind = frame.contains("kind") && frame["kind"].is_string() ? frame["kind"].get<std::string>() : "";
    frames.exception = {kind, text("what")};
  } else if (event == "isolated_assertion") {
    frames.assertions.push_back(text("where"));
  } else if (event == "crash_stack") {
    if (detail::forward_crash_record != nullptr) detail::forward_crash_record(frame);
  } else {
    frames.malformed = true;
  }
}

// Reads frames until the child has ended. Not until end-of-file: a process the child forked
// and left behind may still hold the pipe open.
Frames collect(int read_end, pid_t child, int& wait_status) {
  Frames frames;
  std::string pending;
  bool ended = false, eof = false;
  while (!eof) {
    pollfd p{read_end, POLLIN, 0};
    const int ready = ::poll(&p, 1, ended ? 0 : 100);
    if (ready > 0) {
      char buffer[65536];
      const ssize_t n = ::read(read_end, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        eof = true;
      } else {
        pending.append(buffer, static_cast<std::size_t>(n));
        for (std::size_t at; (at = pending.find('\n')) != std::string::npos; pending.erase(0, at + 1)) {
          take_line(pending.substr(0, at), frames);
        }
      }
      continue;
    }
    if (ended) break;  // ended, and nothing more to read now
    if (::waitpid(child, &wait_status, WNOHANG) == child) ended = true;
  }
  if (!ended) {
    while (::waitpid(child, &wait_status, 0) < 0 && errno == EINTR) {
    }
  }
  return frames;
}

[[noreturn]] void rethrow(const std::pair<std::string, std::string>& exception) {
  for (const auto& kind : ordered_kinds()) {
    if (kind.name == exception.first) kind.rethrow(exception.second);
  }
  throw_child_exception(exception.first.empty() ? exception.second : exception.first + ": " + exception.second);
}

// The child ended without a result: this process ends the same way, as it would have if the
// code had run here.
[[noreturn]] void end_like(pid_t child, int wait_status) {
  std::fflush(nullptr);
  if (WIFSIGNALED(wait_status)) {
    const int signal = WTERMSIG(wait_status);
    std::fprintf(stderr, "\nparlab_test: the code under test (run in child process %d by parlab_test::isolated) was killed by signal %d (%s); the test program ends the same way.\n",
                 static_cast<int>(child), signal, ::strsignal(signal));
    std::fflush(stderr);
    // The test framework's handler names the case that crashed, as it would have; this
    // process's own crash report is left out (the child's went to the grader already).
    if (detail::stop_crash_reports != nullptr) detail::stop_crash_reports();
    ::raise(signal);
    ::signal(signal, SIG_DFL);
    sigset_t only{};
    sigemptyset(&only);
    sigaddset(&only, signal);
    ::pthread_sigmask(SIG_UNBLOCK, &only, nullptr);
    ::raise(signal);
    ::_exit(128 + signal);
  }
  const int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 1;
  if (code != 124) {  // 124: the child's watchdog has said what it was waiting for
    std::fprintf(stderr, "\nparlab_test: the code under test (run in child process %d by parlab_test::isolated) ended it with exit code %d before returning; the test program ends the same way.\n",
                 static_cast<int>(child), code);
    std::fflush(stderr);
  }
  ::_exit(code);
}

}  // namespace

namespace detail {

void register_exception_kind(ExceptionKind kind) {
  Registry& r = registry();
  // Each test file of a program may register the same type.
  for (const auto& known : r.registered) {
    if (known.name == kind.name) return;
  }
  r.registered.push_back(std::move(kind));
  r.ordered = false;  // sorted again at the next isolated() call
}

std::string to_hex(const void* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 0xf];
  }
  return out;
}

std::string from_hex(const std::string& hex, std::size_t from) {
  const auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  if ((hex.size() - from) % 2 != 0) malformed_result("odd hex text");
  for (std::size_t i = from; i + 1 < hex.size(); i += 2) {
    const int high = value(hex[i]), low = value(hex[i + 1]);
    if (high < 0 || low < 0) malformed_result("not hex");
    out += static_cast<char>(high << 4 | low);
  }
  return out;
}

void malformed_result(const char* why) {
  throw std::runtime_error(std::string("parlab_test::isolated: the child's result could not be read back (") + why +
                           "): something in the child wrote to the result pipe");
}

std::string run_isolated(const std::function<std::string()>& produce) {
  if (frame_fd >= 0) return produce();  // already in a child: the boundary is behind us
  (void)ordered_kinds();
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "isolated: pipe");
  const DeadlineSnapshot deadlines = snapshot_deadlines();
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const bool watchdog_paused = pause_watchdog_for_fork();
  const pid_t child = ::fork();
  if (child != 0 && watchdog_paused) resume_watchdog_after_fork();
  if (child < 0) {
    const int error = errno;
    ::close(ends[0]);
    ::close(ends[1]);
    throw std::system_error(error, std::generic_category(), "isolated: fork");
  }
  if (child == 0) {
    ::close(ends[0]);
    child_main(ends[1], produce, deadlines);
  }
  ::close(ends[1]);
  running_child.store(child);
  int wait_status = 0;
  Frames frames = collect(ends[0], child, wait_status);
  ::close(ends[0]);
  running_child.store(0);
  if (!frames.assertions.empty()) {
    throw std::logic_error("a CHECK or REQUIRE ran inside parlab_test::isolated() (" + frames.assertions.front() +
                           "): the child's assertions are not counted. Return what the check needs and check it outside the call");
  }
  const bool clean_exit = WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
  if (clean_exit && frames.result) return *frames.result;
  if (clean_exit && frames.exception) rethrow(*frames.exception);
  if (clean_exit) {
    throw std::runtime_error(frames.malformed ? "the code under test ended its process with exit code 0 (exit() or _exit()) before returning a result, "
                                                "after writing something else into the pipe that parlab_test::isolated reads it from"
                                              : "the code under test ended its process with exit code 0 (exit() or _exit()) before returning a result");
  }
  end_like(child, wait_status);
}

void report_assertion_in_child(const char* file, std::size_t line) {
  if (frame_fd < 0) return;
  const std::string where = std::string(file) + ":" + std::to_string(line);
  send_frame({{"event", "isolated_assertion"}, {"where", to_hex(where.data(), where.size())}});
}

pid_t isolated_child_running() noexcept { return running_child.load(); }

}  // namespace detail

bool in_isolated_child() noexcept { return frame_fd >= 0; }

}  // namespace parlab_test
