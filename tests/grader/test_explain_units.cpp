// Failures in the student's terms: the test's own explanation travels with a failed check
// (or with a hang), repeated failing checks are counted instead of turning into an output
// verdict, and a hang's headline names a poison pill only where there is one.
#include <string>

#include "backtrace.hpp"
#include "channel.hpp"
#include "parlab_test/catch.hpp"
#include "util/text.hpp"
#include "verdict.hpp"

using grader::contains;

namespace {

const std::string nonce = "n";
const std::string started = R"({"event":"case_started","name":"a case"})" "\n";

std::string failed_check(const std::string& info) {
  return R"({"event":"assertion_failed","file":"hidden_x.cpp","line":7,"macro":"CHECK","expression":"problems == \"\"","expansion":"\"worker 0 did not stop early\" == \"\"","message":"","info":")" +
         info + "\"}\n";
}

}  // namespace

TEST_CASE("a PARLAB_EXPLAIN in scope is split off the INFO text and shown apart", "[grader][explain]") {
  const std::string text = started + R"({"event":"explanation","text":"it reads the flag too rarely"})" "\n" +
                           failed_check(R"(n := 91\nwhat this usually means: a worker kept going after the flag was raised)");
  const auto channel = grader::parse_channel(text, "a case", nonce);
  REQUIRE(channel.failures.size() == 1);
  CHECK(channel.failures[0].explanation == "a worker kept going after the flag was raised");
  CHECK(channel.failures[0].info == "n := 91");
  CHECK_FALSE(contains(channel.failures[0].describe(), "usually means"));
  CHECK(channel.explanation() == "a worker kept going after the flag was raised");  // the failure's own comes first
  // A case that hangs has no failed check: the latest announced explanation stands.
  const auto hung = grader::parse_channel(started + R"({"event":"explanation","text":"close() wakes only one consumer"})" "\n",
                                          "a case", nonce);
  CHECK(hung.explanation() == "close() wakes only one consumer");
}

TEST_CASE("repeated failing checks are counted, and filling the output with them is not the student's output",
          "[grader][explain]") {
  std::string text = started;
  for (int i = 0; i < 1234; ++i) text += failed_check("");
  const auto channel = grader::parse_channel(text, "a case", nonce);
  CHECK(channel.failures_seen == 1234);
  grader::SandboxResult flooded;
  flooded.ending = grader::SandboxResult::Ending::output_limit;
  const auto verdict = grader::decide_verdict(flooded, channel, grader::SandboxLimits{});
  CHECK(verdict.verdict == grader::Verdict::failed);
  CHECK(contains(verdict.summary, "hidden_x.cpp:7"));
  CHECK(contains(verdict.summary, "and 1,233 more failed checks"));
  CHECK_FALSE(contains(verdict.summary, "Remove the printing"));
  // Output that fills the limit without failing checks is still the printing's fault.
  const auto printing = grader::decide_verdict(flooded, grader::parse_channel(started, "a case", nonce), grader::SandboxLimits{});
  CHECK(printing.verdict == grader::Verdict::output_limit);
}

TEST_CASE("a hang in pop talks about poison pills only in the pipeline", "[grader][explain][backtrace]") {
  const std::string queue_test = R"(
Thread 2 (Thread 0x7f1 (LWP 12) "lab01_hidden"):
#0  0x00007f in __futex_abstimed_wait_common64 () at ./nptl/futex-internal.c:57
#1  0x00007f in __pthread_cond_wait_common () at ./nptl/pthread_cond_wait.c:503
#2  0x00007f in std::condition_variable::wait(std::unique_lock<std::mutex>&) () from /lib/libstdc++.so.6
#3  parlab::lab01::BlockingQueue<std::variant<parlab::Range, parlab::lab01::PoisonPill> >::pop (this=...) at /w/overlay/01-queues/src/blocking_queue.cpp:30
#4  0x0000ab in CATCH2_INTERNAL_TEST_4()::{lambda()#1}::operator() (...) at /w/tests/01-queues/hidden_queue.cpp:90
)";
  const auto summary = grader::summarize_backtrace(queue_test);
  CHECK(contains(summary.headline, "consumer blocked in pop: it waits for an item that never comes"));
  CHECK_FALSE(contains(summary.headline, "pill"));
}
