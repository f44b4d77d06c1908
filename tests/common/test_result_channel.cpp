// Tests of the result channel (labs/common/testing/src/result_channel_listener.cpp): a test
// program that carries it (channel/failing_cases.cpp) runs with the channel on a pipe, as
// the grader and `parlab test` run lab tests, and every line it writes there must be one
// whole JSON record, valid UTF-8 whatever the test printed, and small enough for one atomic
// write.
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab_test/catch.hpp"

namespace {

constexpr int kChannelFd = 100;  // any fd above 2 will do; this one is free in a fresh child

struct ChannelRun {
  std::vector<std::string> lines;
  parlab::ExitStatus status;
};

ChannelRun run_fixture(const std::string& nonce) {
  auto channel = parlab::Pipe::create();
  auto child = parlab::ChildProcess::fork([&]() -> int {
    channel.read_end.reset();
    if (::dup2(channel.write_end.get(), kChannelFd) < 0) return 126;
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::setenv("PARLAB_RESULT_FD", std::to_string(kChannelFd).c_str(), 1);
    ::setenv("PARLAB_RESULT_NONCE", nonce.c_str(), 1);
    ::execl(RESULT_CHANNEL_FIXTURE, RESULT_CHANNEL_FIXTURE, static_cast<char*>(nullptr));
    return 127;
  });
  channel.write_end.reset();
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(channel.read_end.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ChannelRun run{{}, child.wait()};
  for (std::size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    run.lines.push_back(text.substr(start, end - start));
  }
  return run;
}

}  // namespace

TEST_CASE("the result channel writes whole, valid, atomic records whatever the test printed", "[common]") {
  const std::string nonce = "5eed0f1a7c4b2d93";
  const ChannelRun run = run_fixture(nonce);
  INFO(run.status.describe());
  REQUIRE(run.status.exited);
  CHECK(run.status.code != 0);  // two cases fail on purpose

  std::vector<nlohmann::json> records;
  for (const auto& line : run.lines) {
    INFO(line.substr(0, 200));
    CHECK(line.size() + 1 <= PIPE_BUF);  // newline included
    // parse() rejects invalid UTF-8: the listener must have replaced it.
    CHECK_NOTHROW(records.push_back(nlohmann::json::parse(line)));
  }
  REQUIRE(records.size() == 9);

  CHECK(records[0] == nlohmann::json{{"event", "case_started"}, {"name", "a passing case"}});
  CHECK(records[1] == nlohmann::json{{"event", "case_ended"}, {"name", "a passing case"}, {"passed", true},
                                     {"assertions_passed", 2}, {"assertions_failed", 0}, {"nonce", nonce}});

  const std::string replacement = "\xef\xbf\xbd";  // U+FFFD
  const nlohmann::json& not_utf8 = records[3];
  CHECK(not_utf8["event"] == "assertion_failed");
  CHECK(not_utf8["file"].get<std::string>().ends_with("failing_cases.cpp"));
  CHECK(not_utf8["line"].get<long>() > 0);
  CHECK(not_utf8["macro"] == "CHECK");
  CHECK(not_utf8["expression"].get<std::string>().find("not_utf8 == \"x\"") != std::string::npos);
  CHECK(not_utf8["expansion"] == "\"" + replacement + replacement + "\" == \"x\"");
  CHECK(not_utf8["info"] == std::string(899, 'a') + replacement);  // cut at 900 bytes, mid-character
  CHECK(records[4]["passed"] == false);
  CHECK(records[4]["assertions_failed"] == 1);
  CHECK(records[4]["nonce"] == nonce);

  // Two fields of 900 control bytes are 10800 bytes of JSON: both had to be shortened.
  const nlohmann::json& long_text = records[6];
  CHECK(long_text["event"] == "assertion_failed");
  CHECK(long_text["expansion"].get<std::string>().starts_with("\"\x01\x01"));
  CHECK(long_text["info"].get<std::string>().starts_with("\x01\x01"));
  CHECK(records[7]["name"] == "a failing case with more text than one write may carry");
  CHECK(records[7]["passed"] == false);

  CHECK(records[8] == nlohmann::json{{"event", "run_ended"}, {"nonce", nonce}});
}
