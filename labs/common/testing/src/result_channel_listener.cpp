// The grader's structured result channel: a Catch2 listener compiled into every lab test
// executable. It stays silent unless the grader starts the test process with
//   PARLAB_RESULT_FD=<fd>       a pipe the grader reads
//   PARLAB_RESULT_NONCE_FD=<fd> a pipe holding a random word for this run (the grader), or
//   PARLAB_RESULT_NONCE=<text>  the word itself (the student command)
// and then writes one JSON object per line to that fd: case_started, assertion_failed,
// case_ended and run_ended; the closing records echo the word. The grader trusts these
// records instead of the console output, which the student's code can print anything into.
// The variables are read and removed, and the nonce pipe closed, by an initialiser that runs
// before any of the student's code (see Channel). See docs/grading.md for what this does and
// does not protect against.

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>
#include <algorithm>
#include <iterator>

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "crash_stack.hpp"
#include "isolated_internal.hpp"

#if __has_include(<catch2/catch_test_macros.hpp>)
#include <catch2/catch_test_case_info.hpp>
#include <catch2/reporters/catch_reporter_event_listener.hpp>
#include <catch2/reporters/catch_reporter_registrars.hpp>
#define PARLAB_CHANNEL_CATCH_MAJOR 3
#else
// Catch2 2.x hides its listener base class unless this is defined before the include.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>
#define PARLAB_CHANNEL_CATCH_MAJOR 2
#endif

namespace {

// ordered_json keeps the fields in the order written, "event" first, for people reading a channel.
using Record = nlohmann::ordered_json;

// A record, newline included, is at most PIPE_BUF bytes: one write() of that much to a pipe
// is atomic, so the whole line lands in one piece even if a forked child of the test writes
// to an inherited copy of the fd at the same moment.
constexpr std::size_t max_line_bytes = PIPE_BUF;
// Text fields are first cut to this many bytes: a failing CHECK on a big container expands
// to megabytes. Several such fields, and escaping (a control byte is written as six), can
// still add up to more than PIPE_BUF, so to_line() measures the whole line as well.
constexpr std::size_t max_field_bytes = 900;

std::string capped(std::string_view text) { return std::string(text.substr(0, max_field_bytes)); }

// The record as one line of JSON. Text from a test, and so from the student's code, can be
// anything: invalid UTF-8, or a character cut in two by the cap, is written as U+FFFD
// (error_handler_t::replace) instead of throwing in the middle of a test run. While the line
// is too long, the longest text field is cut in half; "event" and "nonce" are never cut (the
// nonce is a short word the grader or the student command chose), and when nothing else is
// left to cut the line goes out as it is: whole but perhaps not atomic beats lost.
std::string to_line(Record& record) {
  for (;;) {
    std::string line = record.dump(-1, ' ', false, Record::error_handler_t::replace) + '\n';
    if (line.size() <= max_line_bytes) return line;
    std::string* longest = nullptr;
    for (auto& [key, value] : record.items()) {
      if (key == "event" || key == "nonce" || !value.is_string()) continue;
      auto& text = value.get_ref<std::string&>();
      if (longest == nullptr || text.size() > longest->size()) longest = &text;
    }
    if (longest == nullptr || longest->empty()) return line;
    longest->resize(longest->size() / 2);
  }
}

// Where the nonce comes from: the grader writes it into a pipe whose read end the test
// inherits as fd PARLAB_RESULT_NONCE_FD, so that it is never in the environment (which the
// student's code could read before the listener runs); the student command `parlab` may
// still pass PARLAB_RESULT_NONCE itself. Either is taken by an initialiser of priority 101,
// which runs before every initialiser of default priority, and so before any of the
// student's code: the grader refuses student objects with initialisers of their own
// priority, .preinit_array, .init or ifunc resolvers (grader/src/student_objects.cpp).
class Channel {
 public:
  void open_from_environment() {
    const char* fd_text = std::getenv("PARLAB_RESULT_FD");
    const char* nonce_fd_text = std::getenv("PARLAB_RESULT_NONCE_FD");
    const char* nonce_text = std::getenv("PARLAB_RESULT_NONCE");
    std::string nonce;
    if (nonce_text != nullptr) {
      nonce = nonce_text;
    } else if (const int nonce_fd = parse_fd(nonce_fd_text); nonce_fd >= 0) {
      char buffer[128];
      ssize_t n = 0;
      while ((n = ::read(nonce_fd, buffer, sizeof buffer)) < 0 && errno == EINTR) {
      }
      if (n > 0) nonce.assign(buffer, static_cast<std::size_t>(n));
      std::fill(std::begin(buffer), std::end(buffer), '\0');
      ::close(nonce_fd);
    }
    if (const int fd = parse_fd(fd_text); fd >= 0 && !nonce.empty()) {
      fd_ = fd;
      keep_masked(nonce);
      // From the grader: no other process of this uid -- the children that run the student's
      // code in isolated() -- may read this one's memory or open its fds through /proc,
      // ptrace or process_vm_readv. (The grader, root or the owner of the sandbox's user
      // namespace, still can: its hang report reads the stacks with gdb.)
      if (nonce_text == nullptr) ::prctl(PR_SET_DUMPABLE, 0);
      // Processes the tests exec must not inherit it; forked children still do.
      ::fcntl(fd_, F_SETFD, FD_CLOEXEC);
      parlab_test::detail::report_crashes_to(fd_);
    }
    std::fill(nonce.begin(), nonce.end(), '\0');
    ::unsetenv("PARLAB_RESULT_FD");
    ::unsetenv("PARLAB_RESULT_NONCE_FD");
    ::unsetenv("PARLAB_RESULT_NONCE");
  }

  [[nodiscard]] bool active() const { return fd_ >= 0; }
  // The nonce for one record; callers wipe it after use.
  [[nodiscard]] std::string nonce() const {
    std::string out(masked_.size(), '\0');
    for (std::size_t i = 0; i < masked_.size(); ++i) out[i] = static_cast<char>(masked_[i] ^ mask_[i]);
    return out;
  }

  void send(Record record) {
    if (fd_ < 0) return;
    std::string line = to_line(record);
    // The nonce must not stay behind in freed memory, where a scan could find it.
    if (auto nonce = record.find("nonce"); nonce != record.end() && nonce->is_string()) {
      auto& text = nonce->get_ref<std::string&>();
      std::fill(text.begin(), text.end(), '\0');
    }
    std::string_view rest = line;
    while (!rest.empty()) {
      const ssize_t n = ::write(fd_, rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // the grader went away: nothing useful left to do
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
    std::fill(line.begin(), line.end(), '\0');
  }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // In a child of isolated(): closes this copy of the fd and wipes the nonce, so that nothing
  // in the child's memory or fds can write a record the grader would believe.
  void forget() {
    close();
    std::fill(masked_.begin(), masked_.end(), 0);
    std::fill(mask_.begin(), mask_.end(), 0);
    masked_.clear();
    mask_.clear();
  }

 private:
  static int parse_fd(const char* text) {
    if (text == nullptr) return -1;
    char* end = nullptr;
    const long fd = std::strtol(text, &end, 10);
    return end != text && *end == '\0' && fd > 2 && fd < 1 << 20 ? static_cast<int>(fd) : -1;
  }

  // Kept XOR-masked with random bytes, so that the nonce's text is nowhere in memory
  // between records: a scan of the process's memory for it finds nothing. (This hides it
  // from a scan, not from code that reads this object: see docs/grading.md.)
  void keep_masked(const std::string& nonce) {
    mask_.assign(nonce.size(), 0);
    const int random = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (random >= 0) {
      (void)!::read(random, mask_.data(), mask_.size());
      ::close(random);
    }
    masked_.assign(nonce.size(), 0);
    for (std::size_t i = 0; i < nonce.size(); ++i) masked_[i] = static_cast<unsigned char>(nonce[i]) ^ mask_[i];
  }

  int fd_ = -1;
  std::vector<unsigned char> masked_, mask_;
};

Channel& channel() {
  static Channel instance;
  return instance;
}

// Runs before every initialiser of default priority (the student's included).
struct OpenChannelEarly {
  OpenChannelEarly() { channel().open_from_environment(); }
};
__attribute__((init_priority(101))) OpenChannelEarly open_channel_early;

template <class AssertionStats>
void report_failed_assertion(const AssertionStats& stats) {
  const auto& result = stats.assertionResult;
  if (parlab_test::in_isolated_child()) {
    parlab_test::detail::report_assertion_in_child(result.getSourceInfo().file, result.getSourceInfo().line);
    return;
  }
  if (result.isOk() || !channel().active()) return;
  Record record{{"event", "assertion_failed"},
                {"file", capped(result.getSourceInfo().file)},
                {"line", result.getSourceInfo().line},
                {"macro", capped(std::string(result.getTestMacroName()))}};
  if (result.hasExpression()) {
    record["expression"] = capped(result.getExpressionInMacro());
    record["expansion"] = capped(result.getExpandedExpression());
  }
  record["message"] = capped(std::string(result.getMessage()));
  std::string info;
  for (const auto& message : stats.infoMessages) {
    if (!info.empty()) info += '\n';
    info += std::string(message.message);
  }
  record["info"] = capped(info);
  channel().send(std::move(record));
}

void report_case_started(std::string_view name) {
  if (!channel().active()) return;
  channel().send({{"event", "case_started"}, {"name", capped(name)}});
  parlab_test::detail::note_case_running(true);
}

void report_case_ended(std::string_view name, std::size_t assertions_passed, std::size_t assertions_failed) {
  if (!channel().active()) return;
  parlab_test::detail::note_case_running(false);
  channel().send({{"event", "case_ended"},
                  {"name", capped(name)},
                  {"passed", assertions_failed == 0},
                  {"assertions_passed", assertions_passed},
                  {"assertions_failed", assertions_failed},
                  {"nonce", channel().nonce()}});
  // (the record's copy of the nonce is wiped by send())
}

void report_run_ended() {
  if (!channel().active()) return;
  channel().send({{"event", "run_ended"}, {"nonce", channel().nonce()}});
  channel().close();
}

#if PARLAB_CHANNEL_CATCH_MAJOR == 3

class ResultChannelListener : public Catch::EventListenerBase {
 public:
  explicit ResultChannelListener(const Catch::IConfig* config) : Catch::EventListenerBase(config) {
    // Catch2 3 tells its listeners of passing assertions only when one asks: a CHECK that
    // passes inside an isolated() child must still be seen, and refused (Catch2 2 tells always).
    m_preferences.shouldReportAllAssertions = true;
  }
  void testCaseStarting(const Catch::TestCaseInfo& info) override { report_case_started(info.name); }
  void assertionEnded(const Catch::AssertionStats& stats) override { report_failed_assertion(stats); }
  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    report_case_ended(stats.testInfo->name, stats.totals.assertions.passed, stats.totals.assertions.failed);
  }
  void testRunEnded(const Catch::TestRunStats&) override { report_run_ended(); }
};

#else

struct ResultChannelListener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  // The 2.x base class keeps per-run state in these members, so each override calls it.
  void testRunStarting(const Catch::TestRunInfo& info) override {
    TestEventListenerBase::testRunStarting(info);
  }
  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    TestEventListenerBase::testCaseStarting(info);
    report_case_started(info.name);
  }
  bool assertionEnded(const Catch::AssertionStats& stats) override {
    report_failed_assertion(stats);
    return true;
  }
  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    TestEventListenerBase::testCaseEnded(stats);
    report_case_ended(stats.testInfo.name, stats.totals.assertions.passed, stats.totals.assertions.failed);
  }
  void testRunEnded(const Catch::TestRunStats& stats) override {
    TestEventListenerBase::testRunEnded(stats);
    report_run_ended();
  }
};

#endif

}  // namespace

CATCH_REGISTER_LISTENER(ResultChannelListener)

namespace parlab_test::detail {

void leave_result_channel() { channel().forget(); }

// Only the fields the grader reads, each checked. The isolated() child itself is named as
// this process: for the student, the code under test ran in the test (the child is a
// detail). A process that child forked (a worker of the student's code) stays a child.
void forward_crash_record(const nlohmann::json& record) {
  if (!channel().active()) return;
  const auto number = [&](const char* key) -> long long {
    return record.contains(key) && record[key].is_number_integer() ? record[key].get<long long>() : 0;
  };
  const auto text = [&](const char* key) -> std::string {
    if (!record.contains(key) || !record[key].is_string()) return {};
    std::string value = record[key].get<std::string>();
    const bool plain = std::all_of(value.begin(), value.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == 'x' || c == ' ' || c == '=';
    });
    return plain ? capped(value) : std::string();
  };
  const long long self = ::getpid();
  const long long sender = number("pid");
  const bool from_a_worker = sender > 0 && sender != isolated_child_running() && sender != self;
  channel().send({{"event", "crash_stack"},
                  {"pid", from_a_worker ? sender : self},
                  {"test_pid", self},
                  {"signal", number("signal")},
                  {"exit_code", number("exit_code")},
                  {"base", text("base")},
                  {"frames", text("frames")}});
}

}  // namespace parlab_test::detail

// PARLAB_EXPLAIN (parlab_test/explain.hpp) announces a test's explanation here as soon as it
// is declared, so that the grader has it even when the case then hangs or crashes.
namespace parlab_test {

void announce_explanation(std::string_view text) {
  if (!channel().active()) return;
  channel().send({{"event", "explanation"}, {"text", capped(text)}});
}

}  // namespace parlab_test
