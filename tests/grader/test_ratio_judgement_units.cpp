// How a performance metric's ratios (student / reference, per round) become passed, below
// threshold or unreliable: the doubt about a busy machine goes to the student, down to a
// floor under which no machine explains the gap.
#include <string>

#include "parlab_test/catch.hpp"
#include "results.hpp"
#include "timing.hpp"

using grader::judge_ratios;
using grader::PerfStatus;
using parlab_test::ContainsSubstring;

namespace {
const grader::TimingSettings defaults;  // threshold margins as grader.toml ships them
const std::string busy = "the probe measured a parallel capacity of 1.31x on 2 workers: the machine was busy";
}  // namespace

TEST_CASE("a median at or above the threshold passes, whatever the machine", "[grader][unit][timing]") {
  CHECK(judge_ratios(0.95, 0.90, 1.00, 0.95, defaults, "").status == PerfStatus::passed);
  CHECK(judge_ratios(1.02, 0.60, 1.40, 0.95, defaults, busy).status == PerfStatus::passed);
}

TEST_CASE("a clear shortfall on a reliable machine costs the points", "[grader][unit][timing]") {
  const auto judged = judge_ratios(0.70, 0.68, 0.72, 0.95, defaults, "");
  CHECK(judged.status == PerfStatus::below_threshold);
  CHECK(judged.why.empty());
}

TEST_CASE("a busy machine, noisy rounds or a near miss give the doubt to the student", "[grader][unit][timing]") {
  const auto on_busy = judge_ratios(0.855, 0.80, 0.90, 0.95, defaults, busy);
  CHECK(on_busy.status == PerfStatus::unreliable);
  CHECK_THAT(on_busy.why, ContainsSubstring("not judged: the probe measured"));
  const auto noisy = judge_ratios(0.80, 0.60, 0.90, 0.95, defaults, "");
  CHECK(noisy.status == PerfStatus::unreliable);
  CHECK_THAT(noisy.why, ContainsSubstring("the rounds disagree by more than 0.25"));
  const auto close = judge_ratios(0.92, 0.91, 0.93, 0.95, defaults, "");
  CHECK(close.status == PerfStatus::unreliable);
  CHECK_THAT(close.why, ContainsSubstring("too close to call"));
}

TEST_CASE("below half the threshold no doubt about the machine gives the points", "[grader][unit][timing]") {
  // Measured: lab 01's pipeline forced to chunks of one number read 0.158-0.223 of the
  // reference, and in three of five gradings the probe said the machine was busy.
  const auto slow = judge_ratios(0.158, 0.15, 0.17, 0.95, defaults, busy);
  CHECK(slow.status == PerfStatus::below_threshold);
  CHECK_THAT(slow.why, ContainsSubstring("judged although the probe measured"));
  CHECK_THAT(slow.why, ContainsSubstring("at most 2x"));
  CHECK_THAT(slow.why, ContainsSubstring("below 0.47"));
  CHECK(judge_ratios(0.30, 0.05, 0.60, 0.95, defaults, "").status == PerfStatus::below_threshold);  // noisy too
  CHECK(judge_ratios(0.48, 0.45, 0.50, 0.95, defaults, busy).status == PerfStatus::unreliable);   // just above the floor
  grader::TimingSettings lenient = defaults;
  lenient.max_machine_slowdown = 10;  // an instructor who trusts the machine less
  CHECK(judge_ratios(0.158, 0.15, 0.17, 0.95, lenient, busy).status == PerfStatus::unreliable);
}
