// Lab 05's traced scenario: what starting a worker costs. Five threads, then five forked
// children, each started, run for a moment and waited for; your probes for the same two
// costs run first (their spans are the calls, the timeline shows how long each took).
#include "trace_lab05.hpp"

#include <thread>

#include "parlab/child_process.hpp"
#include "parlab/lab05/probes.hpp"
#include "parlab/trace.hpp"

namespace parlab::lab05 {
namespace {

constexpr int kStarts = 5;

void starts() {
  {
    const trace::Span span("your probe_thread_start + probe_fork_wait", "scenario");
    const MeasureOptions few{0, 2, 1};
    (void)probe_thread_start(few);
    (void)probe_fork_wait(few);
  }
  {
    const trace::Span span("5 threads", "scenario");
    for (int i = 0; i < kStarts; ++i) {
      const trace::Span start("start + join a thread", "wait");
      std::thread worker([] { const trace::Span body("thread body", "life"); });
      worker.join();
    }
  }
  {
    const trace::Span span("5 processes", "scenario");
    for (int i = 0; i < kStarts; ++i) {
      const trace::Span start("fork + wait for a child", "wait");
      (void)ChildProcess::fork([] { return 0; }).wait();
    }
  }
}

}  // namespace

const std::vector<bench::TraceScenario>& trace_scenarios() {
  static const std::vector<bench::TraceScenario> scenarios = {
      {"start", "5 thread starts, then 5 process starts: each child is a track of its own", starts},
  };
  return scenarios;
}

}  // namespace parlab::lab05
