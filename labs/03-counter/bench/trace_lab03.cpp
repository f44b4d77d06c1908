// Lab 03's traced scenarios: two forked workers (your run_workers) take turns on one
// counter through your CounterLock (flock, OFD) or your RobustCounter::with_lock. A span
// from the request to the grant is the wait; the span inside is the hold.
#include "trace_lab03.hpp"

#include <cstdint>

#include "parlab/lab03/counter_file.hpp"
#include "parlab/lab03/scratch_dir.hpp"
#include "parlab/lab03/shared_counters.hpp"
#include "parlab/trace.hpp"

namespace parlab::lab03 {
namespace {

constexpr unsigned kWorkers = 2;
constexpr unsigned kIncrements = 150;

// Span names must outlive the trace: one literal per mode.
const char* wait_name(LockMode mode) { return mode == LockMode::flock ? "wait for flock" : "wait for OFD lock"; }
const char* hold_name(LockMode mode) { return mode == LockMode::flock ? "hold flock" : "hold OFD lock"; }

void file_counter(LockMode mode, const char* phase) {
  const trace::Span span(phase, "scenario", {"increments", kIncrements});
  const ScratchDir dir("parlab-trace-lab03");
  const auto counter = dir / "counter";
  run_workers(Backend::processes, kWorkers, [&](unsigned) {
    for (unsigned i = 0; i < kIncrements; ++i) {
      const std::int64_t asked = trace::now_ns();
      const CounterLock lock(counter, mode);
      trace::complete(wait_name(mode), "wait", asked, trace::now_ns());
      const trace::Span hold(hold_name(mode), "lock");
      write_counter(counter, read_counter(counter) + 1);
    }
  });
}

void robust_mutex(const char* phase) {
  const trace::Span span(phase, "scenario", {"increments", kIncrements});
  RobustCounter counter;
  run_workers(Backend::processes, kWorkers, [&](unsigned) {
    for (unsigned i = 0; i < kIncrements; ++i) {
      const std::int64_t asked = trace::now_ns();
      counter.with_lock([&](std::uint64_t& count) {
        trace::complete("wait for mutex", "wait", asked, trace::now_ns());
        const trace::Span hold("hold mutex", "lock");
        ++count;
      });
    }
  });
}

}  // namespace

const std::vector<bench::TraceScenario>& trace_scenarios() {
  static const std::vector<bench::TraceScenario> scenarios = {
      {"compare", "2 processes x 150 increments: flock, then OFD, then the robust mutex in shared memory",
       [] {
         file_counter(LockMode::flock, "flock");
         file_counter(LockMode::ofd, "OFD lock");
         robust_mutex("robust mutex");
       }},
      {"flock", "2 processes, flock on the lock file", [] { file_counter(LockMode::flock, "flock"); }},
      {"ofd", "2 processes, OFD record lock", [] { file_counter(LockMode::ofd, "OFD lock"); }},
      {"mutex", "2 processes, RobustCounter's process-shared mutex", [] { robust_mutex("robust mutex"); }},
  };
  return scenarios;
}

}  // namespace parlab::lab03
