// The tracing layer itself: off unless a session runs, one track per thread and per
// process, spans that nest, forked children merged under their own pid.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <unistd.h>

#include "parlab/child_process.hpp"
#include "parlab/trace.hpp"
#include "parlab_test/catch.hpp"
#include "trace_checks.hpp"

namespace fs = std::filesystem;
using parlab_test::check_trace_file;

namespace {

fs::path fresh_trace_path(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("parlab-trace-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path path = dir / name;
  fs::remove(path);
  return path;
}

std::string problems_of(const parlab_test::CheckedTrace& t) {
  std::string all;
  for (const auto& p : t.problems) all += p + "\n";
  return all;
}

}  // namespace

TEST_CASE("tracing is off until a session starts, and spans recorded then are not kept", "[trace]") {
  REQUIRE_FALSE(parlab::trace::enabled());
  { const parlab::trace::Span before("before the session", "test"); }
  const fs::path path = fresh_trace_path("off.json");
  parlab::trace::Session session(path);
  REQUIRE(parlab::trace::enabled());
  { const parlab::trace::Span inside("inside the session", "test"); }
  REQUIRE(session.finish() == 1);
  REQUIRE_FALSE(parlab::trace::enabled());
  { const parlab::trace::Span after("after the session", "test"); }
  const auto trace = check_trace_file(path);
  INFO(problems_of(trace));
  REQUIRE(trace.problems.empty());
  REQUIRE(trace.named("inside the session").size() == 1);
  REQUIRE(trace.named("before the session").empty());
  REQUIRE(trace.named("after the session").empty());
}

TEST_CASE("threads record nested spans on tracks of their own, without locks between them", "[trace]") {
  const fs::path path = fresh_trace_path("threads.json");
  constexpr int kThreads = 4, kOuter = 200;
  std::set<pid_t> tids;
  {
    parlab::trace::Session session(path);
    std::vector<pid_t> thread_ids(kThreads);
    {
      std::vector<std::jthread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&thread_ids, t] {
          thread_ids[static_cast<std::size_t>(t)] = ::gettid();
          for (int i = 0; i < kOuter; ++i) {
            const parlab::trace::Span outer("outer", "test", {"i", static_cast<std::uint64_t>(i)});
            { const parlab::trace::Span inner("inner", "test"); }
            parlab::trace::instant("mark", "test");
          }
        });
      }
    }
    tids.insert(thread_ids.begin(), thread_ids.end());
    REQUIRE(session.finish() == std::size_t{kThreads} * kOuter * 3);
  }
  const auto trace = check_trace_file(path);
  INFO(problems_of(trace));
  REQUIRE(trace.problems.empty());
  const auto outer = trace.named("outer");
  REQUIRE(outer.size() == std::size_t{kThreads} * kOuter);
  std::set<pid_t> traced_tids;
  for (const auto& s : outer) {
    REQUIRE(s.pid == ::getpid());
    traced_tids.insert(static_cast<pid_t>(s.tid));
  }
  REQUIRE(traced_tids == tids);
  // Every inner span lies inside an outer span of its own thread.
  for (const auto& in : trace.named("inner")) {
    const bool inside = std::any_of(outer.begin(), outer.end(), [&](const parlab_test::TraceSpan& o) {
      return o.tid == in.tid && o.begin <= in.begin && in.end <= o.end;
    });
    REQUIRE(inside);
  }
}

TEST_CASE("a forked child's spans appear under its own pid, merged into the parent's file", "[trace]") {
  const fs::path path = fresh_trace_path("fork.json");
  pid_t child_pid = 0;
  {
    parlab::trace::Session session(path);
    auto child = parlab::ChildProcess::fork([] {
      const parlab::trace::Span work("child work", "test");
      return 0;
    });
    child_pid = child.pid();
    REQUIRE(child.wait().success());
    session.finish();
  }
  REQUIRE_FALSE(fs::exists(path.string() + ".parts"));
  const auto trace = check_trace_file(path);
  INFO(problems_of(trace));
  REQUIRE(trace.problems.empty());
  const auto work = trace.named("child work");
  REQUIRE(work.size() == 1);
  REQUIRE(work[0].pid == child_pid);
  REQUIRE(work[0].tid == child_pid);
  const auto life = trace.named("process");
  REQUIRE(life.size() == 1);
  REQUIRE(life[0].pid == child_pid);
  REQUIRE((life[0].begin <= work[0].begin && work[0].end <= life[0].end));
  REQUIRE(trace.named("fork").at(0).pid == ::getpid());
  REQUIRE(trace.named("wait for child").at(0).pid == ::getpid());
}

TEST_CASE("a discarded session writes nothing, and only one session runs at a time", "[trace]") {
  const fs::path path = fresh_trace_path("discarded.json");
  parlab::trace::Session session(path);
  REQUIRE_THROWS_AS(parlab::trace::Session(fresh_trace_path("second.json")), std::logic_error);
  { const parlab::trace::Span span("lost", "test"); }
  session.discard();
  REQUIRE_FALSE(parlab::trace::enabled());
  REQUIRE(session.finish() == 0);
  REQUIRE_FALSE(fs::exists(path));
}

TEST_CASE("the trace checker rejects unmatched, crossing and unnamed spans", "[trace]") {
  const fs::path path = fresh_trace_path("bad.json");
  const auto problems_in = [&](const nlohmann::json& events) {
    std::ofstream(path) << nlohmann::json{{"traceEvents", events}}.dump();
    return check_trace_file(path).problems;
  };
  const nlohmann::json names = {
      {{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"tid", 1}, {"args", {{"name", "p"}}}},
      {{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", 1}, {"args", {{"name", "t"}}}}};
  auto with = [&](std::initializer_list<nlohmann::json> extra) {
    nlohmann::json all = names;
    for (const auto& e : extra) all.push_back(e);
    return all;
  };
  const auto event = [](const char* ph, double ts, double dur = -1, int tid = 1) {
    nlohmann::json e = {{"name", "s"}, {"ph", ph}, {"pid", 1}, {"tid", tid}, {"ts", ts}};
    if (dur >= 0) e["dur"] = dur;
    return e;
  };
  REQUIRE(problems_in(with({event("B", 1), event("E", 2), event("X", 3, 1)})).empty());
  REQUIRE_FALSE(problems_in(with({event("B", 1)})).empty());                        // never ends
  REQUIRE_FALSE(problems_in(with({event("E", 1)})).empty());                        // ends without a begin
  REQUIRE_FALSE(problems_in(with({event("X", 1, 5), event("X", 3, 5)})).empty());   // crossing spans
  REQUIRE_FALSE(problems_in(with({event("X", 1, 1, 2)})).empty());                  // thread 2 has no name
  REQUIRE_FALSE(problems_in(nlohmann::json::array({event("X", 1, 1)})).empty());   // process has no name
}
