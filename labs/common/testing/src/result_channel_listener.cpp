// The grader's structured result channel: a Catch2 listener compiled into every lab test
// executable. It stays silent unless the grader starts the test process with
//   PARLAB_RESULT_FD=<fd>       a pipe the grader reads
//   PARLAB_RESULT_NONCE=<text>  a random word for this run, echoed in the closing records
// and then writes one JSON object per line to that fd: case_started, assertion_failed,
// case_ended and run_ended. The grader trusts these records instead of the console output,
// which the student's code can print anything into. Both variables are read and removed from
// the environment when the test run starts, before any test (and so any student code called
// by a test) runs. See docs/grading.md for what this does and does not protect against.

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <unistd.h>

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

// Records stay below PIPE_BUF so that one write() puts a whole line in the pipe, even if a
// forked child of the test writes to an inherited copy of the fd at the same moment.
constexpr std::size_t max_field_bytes = 900;

void append_json_string(std::string& out, std::string_view text) {
  if (text.size() > max_field_bytes) text = text.substr(0, max_field_bytes);
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

class Channel {
 public:
  // Takes the fd and nonce out of the environment: code that runs later in this process
  // (the student's) cannot look them up there.
  void open_from_environment() {
    const char* fd_text = std::getenv("PARLAB_RESULT_FD");
    const char* nonce_text = std::getenv("PARLAB_RESULT_NONCE");
    if (fd_text != nullptr && nonce_text != nullptr) {
      char* end = nullptr;
      const long fd = std::strtol(fd_text, &end, 10);
      if (end != fd_text && *end == '\0' && fd > 2 && fd < 1 << 20) {
        fd_ = static_cast<int>(fd);
        nonce_ = nonce_text;
        // Processes the tests exec must not inherit it; forked children still do.
        ::fcntl(fd_, F_SETFD, FD_CLOEXEC);
      }
    }
    ::unsetenv("PARLAB_RESULT_FD");
    ::unsetenv("PARLAB_RESULT_NONCE");
  }

  [[nodiscard]] bool active() const { return fd_ >= 0; }
  [[nodiscard]] const std::string& nonce() const { return nonce_; }

  void write_line(std::string line) {
    if (fd_ < 0) return;
    line += '\n';
    std::string_view rest = line;
    while (!rest.empty()) {
      const ssize_t n = ::write(fd_, rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // the grader went away: nothing useful left to do
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  std::string nonce_;
};

Channel& channel() {
  static Channel instance;
  return instance;
}

std::string record(std::string_view event) {
  std::string out = "{\"event\":";
  append_json_string(out, event);
  return out;
}

void add_field(std::string& out, std::string_view key, std::string_view value) {
  out += ',';
  append_json_string(out, key);
  out += ':';
  append_json_string(out, value);
}

void add_number(std::string& out, std::string_view key, std::size_t value) {
  out += ',';
  append_json_string(out, key);
  out += ':';
  out += std::to_string(value);
}

void add_bool(std::string& out, std::string_view key, bool value) {
  out += ',';
  append_json_string(out, key);
  out += value ? ":true" : ":false";
}

template <class AssertionStats>
void report_failed_assertion(const AssertionStats& stats) {
  const auto& result = stats.assertionResult;
  if (result.isOk() || !channel().active()) return;
  std::string out = record("assertion_failed");
  add_field(out, "file", std::string(result.getSourceInfo().file));
  add_number(out, "line", result.getSourceInfo().line);
  add_field(out, "macro", std::string(result.getTestMacroName()));
  if (result.hasExpression()) {
    add_field(out, "expression", result.getExpressionInMacro());
    add_field(out, "expansion", result.getExpandedExpression());
  }
  add_field(out, "message", std::string(result.getMessage()));
  std::string info;
  for (const auto& message : stats.infoMessages) {
    if (!info.empty()) info += '\n';
    info += std::string(message.message);
  }
  add_field(out, "info", info);
  out += '}';
  channel().write_line(std::move(out));
}

void report_case_started(std::string_view name) {
  if (!channel().active()) return;
  std::string out = record("case_started");
  add_field(out, "name", name);
  out += '}';
  channel().write_line(std::move(out));
}

void report_case_ended(std::string_view name, std::size_t assertions_passed, std::size_t assertions_failed) {
  if (!channel().active()) return;
  std::string out = record("case_ended");
  add_field(out, "name", name);
  add_bool(out, "passed", assertions_failed == 0);
  add_number(out, "assertions_passed", assertions_passed);
  add_number(out, "assertions_failed", assertions_failed);
  add_field(out, "nonce", channel().nonce());
  out += '}';
  channel().write_line(std::move(out));
}

void report_run_ended() {
  if (!channel().active()) return;
  std::string out = record("run_ended");
  add_field(out, "nonce", channel().nonce());
  out += '}';
  channel().write_line(std::move(out));
  channel().close();
}

#if PARLAB_CHANNEL_CATCH_MAJOR == 3

class ResultChannelListener : public Catch::EventListenerBase {
 public:
  using Catch::EventListenerBase::EventListenerBase;
  void testRunStarting(const Catch::TestRunInfo&) override { channel().open_from_environment(); }
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
    channel().open_from_environment();
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
