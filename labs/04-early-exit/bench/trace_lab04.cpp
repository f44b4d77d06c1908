// Lab 04's traced scenarios: your check_range and your stop flags, on two workers, with
// the flag wrapped so that every check and the raise are marked on the timeline. The stop
// latency is the distance from "flag raised" to the end of the other worker's check_range.
#include "trace_lab04.hpp"

#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include "parlab/child_process.hpp"
#include "parlab/lab04/early_exit.hpp"
#include "parlab/trace.hpp"

namespace parlab::lab04 {
namespace {

// 1000003 * 100000007: the first worker finds 1000003 after about 5e5 divisions, while the
// second worker's range (about 5e6 .. 1e7) holds no divisor and would take 2.5e6 divisions.
constexpr std::uint64_t kComposite = 1'000'003ULL * 100'000'007ULL;
constexpr unsigned kWorkers = 2;

// Marks every look at the flag (and what it said) and the moment it is raised.
class TracedStopFlag final : public StopFlag {
 public:
  explicit TracedStopFlag(StopFlag& inner) : inner_(inner) {}
  bool is_set() override {
    const bool up = inner_.is_set();
    trace::instant(up ? "saw the flag" : "flag check", "flag");
    return up;
  }
  void raise() override {
    trace::instant("flag raised", "flag");
    inner_.raise();
  }
  void clear() override { inner_.clear(); }

 private:
  StopFlag& inner_;
};

RangeResult traced_scan(std::uint64_t n, Range r, StopFlag& flag, std::uint64_t check_every) {
  const trace::Span span("check_range", "work", {"from", r.lo}, {"to", r.hi});
  return check_range(n, r.lo, r.hi, flag, check_every);
}

void on_threads(std::uint64_t check_every, const char* phase) {
  const trace::Span span(phase, "scenario", {"check_every", check_every});
  const SearchPlan plan = plan_search(kComposite, kWorkers);
  AtomicStopFlag atomic;
  TracedStopFlag flag(atomic);
  std::vector<RangeResult> results(plan.ranges.size());
  {
    std::vector<std::jthread> workers;
    for (std::size_t i = 0; i < plan.ranges.size(); ++i) {
      workers.emplace_back([&, i] { results[i] = traced_scan(kComposite, plan.ranges[i], flag, check_every); });
    }
  }
  (void)conclude(plan, results);
}

void on_processes(std::uint64_t check_every) {
  const trace::Span span("processes, check every 1000", "scenario", {"check_every", check_every});
  const SearchPlan plan = plan_search(kComposite, kWorkers);
  SharedStopFlag shared;
  TracedStopFlag flag(shared);
  std::vector<ChildProcess> children;
  for (const Range& r : plan.ranges) {
    children.push_back(ChildProcess::fork([&, r] {
      (void)traced_scan(kComposite, r, flag, check_every);
      return 0;
    }));
  }
  for (auto& child : children) {
    const ExitStatus status = child.wait();
    if (!status.success()) throw std::runtime_error("a traced worker process " + status.describe());
  }
}

}  // namespace

const std::vector<bench::TraceScenario>& trace_scenarios() {
  static const std::vector<bench::TraceScenario> scenarios = {
      {"compare", "2 threads, n = 1000003 * 100000007: check every 1000, every 100000, never",
       [] {
         on_threads(1000, "check every 1000");
         on_threads(100'000, "check every 100000");
         on_threads(kNeverCheck, "never check");
       }},
      {"every1000", "2 threads, check every 1000 divisions", [] { on_threads(1000, "check every 1000"); }},
      {"never", "2 threads, never check: the second worker runs to the end of its range",
       [] { on_threads(kNeverCheck, "never check"); }},
      {"processes", "2 forked workers sharing a SharedStopFlag, check every 1000", [] { on_processes(1000); }},
  };
  return scenarios;
}

}  // namespace parlab::lab04
