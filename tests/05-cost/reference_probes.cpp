// Lab 05 hidden tests: the reference probes, which the hidden probe tests run in the same
// process as the student's so that both meet the machine in the same state. This is the
// reference solution itself, solutions/05-cost/src/probes.cpp, compiled a second time with
// its namespace renamed from parlab::lab05 to parlab::lab05_reference.
//
// The path is relative to this file, never to the implementation being built: the hidden
// tests are linked against a submission (the grader's overlay) or the starter (the separation
// check), and the reference must stay the reference. Every tree that builds hidden tests has
// solutions/ beside tests/: the grader refuses a source tree without it, and the Gradescope
// package stages solutions/NN-slug with tests/NN-slug. The grader's sandbox hides solutions/
// from the test processes only, at run time.

// The lab's headers first, under their real names: the solution's own #include of them is
// then skipped (#pragma once), and the rename below reaches only the solution's definitions.
#include "parlab/lab05/harness.hpp"
#include "parlab/lab05/probes.hpp"
#include "reference_probes.hpp"

#include <chrono>
#include <functional>
#include <vector>

namespace parlab::lab05_reference {
namespace {

// The reference harness: warm-up, then batches timed on steady_clock. Deliberately not the
// student's measure(), so that a broken harness cannot drag the reference figures with it.
struct ReferenceMeasure {
  std::vector<double> operator()(const std::function<void()>& op, const MeasureOptions& options) const {
    for (unsigned i = 0; i < options.warmup; ++i) op();
    std::vector<double> samples;
    for (unsigned r = 0; r < options.repetitions; ++r) {
      const auto start = std::chrono::steady_clock::now();
      for (unsigned b = 0; b < options.batch; ++b) op();
      const auto stop = std::chrono::steady_clock::now();
      samples.push_back(std::chrono::duration<double>(stop - start).count() / options.batch);
    }
    return samples;
  }
};

// An object, not a function: the solution's measure(op, options) finds it by name and stops
// there. A function would also bring in, by argument-dependent lookup through MeasureOptions,
// the student's parlab::lab05::measure, and the call would be ambiguous.
constexpr ReferenceMeasure measure{};

}  // namespace
}  // namespace parlab::lab05_reference

#define lab05 lab05_reference
#include "../../solutions/05-cost/src/probes.cpp"
#undef lab05
