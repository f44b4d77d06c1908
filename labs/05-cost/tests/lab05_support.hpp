#pragma once
// Lab 05 test helpers, shared by the visible and the hidden tests.
//
// The tests call your code only inside parlab_test::isolated(): in a child process, which
// hands back what the checks need. The types here are those results, with what it takes to
// copy them back (JSON), and the helpers run the usual sequences in one child each.

#include <bit>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "parlab/lab05/harness.hpp"
#include "parlab/lab05/monte_carlo.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/scripted_clock.hpp"

namespace lab05_test {

// Durations cross the process boundary bit for bit: JSON has no NaN or infinity, and a
// broken figure must reach the test's own isfinite check rather than fail to copy back.
inline nlohmann::json exact_doubles(const std::vector<double>& values) {
  std::vector<std::uint64_t> bits;
  bits.reserve(values.size());
  for (const double v : values) bits.push_back(std::bit_cast<std::uint64_t>(v));
  return bits;
}

inline std::vector<double> doubles_from(const nlohmann::json& j) {
  std::vector<double> values;
  for (const auto& bits : j) values.push_back(std::bit_cast<double>(bits.get<std::uint64_t>()));
  return values;
}

}  // namespace lab05_test

// (found by argument-dependent lookup, so in the types' own namespace)
namespace parlab::lab05 {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PiEstimate, samples, inside, workers)

inline void to_json(nlohmann::json& j, const Stats& s) {
  j = {{"count", s.count}, {"figures", lab05_test::exact_doubles({s.min, s.median, s.p90, s.max, s.mean})}};
}

inline void from_json(const nlohmann::json& j, Stats& s) {
  j.at("count").get_to(s.count);
  const std::vector<double> figures = lab05_test::doubles_from(j.at("figures"));
  if (figures.size() != 5) throw std::invalid_argument("Stats: 5 figures expected");
  s.min = figures[0];
  s.median = figures[1];
  s.p90 = figures[2];
  s.max = figures[3];
  s.mean = figures[4];
}
}  // namespace parlab::lab05

namespace lab05_test {

// One step of a loop that runs in a single child (a fork per step costs a tenth of a second
// under the sanitizers, and these loops have hundreds of steps): what the step returned, or
// the message of the exception it threw.
template <class T>
struct Step {
  T value{};
  std::optional<std::string> thrown;
};

template <class T>
void to_json(nlohmann::json& j, const Step<T>& step) {
  j = {{"value", step.value}, {"thrown", step.thrown}};
}

template <class T>
void from_json(const nlohmann::json& j, Step<T>& step) {
  j.at("value").get_to(step.value);
  j.at("thrown").get_to(step.thrown);
}

// step(0), step(1), ..., step(count - 1) in one child. Like the loop it replaces, it stops at
// the first exception: the last step then holds its message, and the test fails there (FAIL,
// with that step's CAPTURE), as it would have on the exception itself.
template <class Call>
auto steps_in_one_child(std::size_t count, Call step) {
  using T = std::remove_cvref_t<std::invoke_result_t<Call&, std::size_t>>;
  return parlab_test::isolated([&] {
    std::vector<Step<T>> steps;
    for (std::size_t i = 0; i < count; ++i) {
      try {
        steps.push_back(Step<T>{step(i), std::nullopt});
      } catch (const std::exception& e) {
        steps.push_back(Step<T>{T{}, std::string(e.what())});
        break;
      }
    }
    return steps;
  });
}

// Samples (a probe's, measure's) as they cross isolated(), bit for bit.
struct ExactSamples {
  std::vector<double> values;
};

inline void to_json(nlohmann::json& j, const ExactSamples& s) { j = exact_doubles(s.values); }
inline void from_json(const nlohmann::json& j, ExactSamples& s) { s.values = doubles_from(j); }

// The samples `call` returns, run in a child.
template <class Call>
std::vector<double> samples_from(Call call) {
  return parlab_test::isolated([&] { return ExactSamples{call()}; }).values;
}

// What one call of measure did with a counting operation and a scripted clock.
struct MeasureRun {
  std::vector<double> samples;
  unsigned calls = 0;                   // calls of the operation, warm-up included
  std::vector<unsigned> calls_at_read;  // the calls made so far at each clock reading
  unsigned calls_at_first_read = 0;     // (0 if the clock was never read)
  std::size_t reads = 0;                // clock readings taken
};

inline void to_json(nlohmann::json& j, const MeasureRun& run) {
  j = {{"samples", exact_doubles(run.samples)},
       {"calls", run.calls},
       {"calls_at_read", run.calls_at_read},
       {"calls_at_first_read", run.calls_at_first_read},
       {"reads", run.reads}};
}

inline void from_json(const nlohmann::json& j, MeasureRun& run) {
  run.samples = doubles_from(j.at("samples"));
  j.at("calls").get_to(run.calls);
  j.at("calls_at_read").get_to(run.calls_at_read);
  j.at("calls_at_first_read").get_to(run.calls_at_first_read);
  j.at("reads").get_to(run.reads);
}

// measure(an operation that counts its calls, options, a clock that returns `readings` one
// after the other), in a child. The clock is a parlab_test::ScriptedClock: reading it more
// often than `needs` says is an exception naming that. The clock and the counters are made
// in the child, where measure reads and changes them, and come back in the result.
inline MeasureRun measure_with_script(std::vector<double> readings, std::string needs,
                                      parlab::lab05::MeasureOptions options) {
  return parlab_test::isolated([&] {
    MeasureRun run;
    parlab_test::ScriptedClock script(std::move(readings), std::move(needs));
    const parlab::lab05::Clock clock = [&] {
      if (script.reads() == 0) run.calls_at_first_read = run.calls;
      run.calls_at_read.push_back(run.calls);
      return script.read();
    };
    run.samples = parlab::lab05::measure([&] { ++run.calls; }, options, clock);
    run.reads = script.reads();
    return run;
  });
}

// A probe's samples and what it left behind in the process it ran in.
struct ProbeRun {
  std::vector<double> samples;
  std::string leaks;  // parlab_test::ResourceSnapshot::leaks(): empty if nothing leaked
};

inline void to_json(nlohmann::json& j, const ProbeRun& run) {
  j = {{"samples", exact_doubles(run.samples)}, {"leaks", run.leaks}};
}

inline void from_json(const nlohmann::json& j, ProbeRun& run) {
  run.samples = doubles_from(j.at("samples"));
  j.at("leaks").get_to(run.leaks);
}

// How a call that should throw an `Expected` ended, and what it left behind.
struct Failure {
  std::optional<std::string> message;  // the Expected's what(); none if the call returned
  std::string leaks;                   // empty if nothing leaked
};

inline void to_json(nlohmann::json& j, const Failure& f) { j = {{"message", f.message}, {"leaks", f.leaks}}; }

inline void from_json(const nlohmann::json& j, Failure& f) {
  j.at("message").get_to(f.message);
  j.at("leaks").get_to(f.leaks);
}

// Runs `call` in a child, with a resource snapshot around it: the leak check must look at
// the process the call ran in, and must look after the throw. An exception of another type
// than `Expected` comes back as itself and fails the case.
template <class Expected, class Call>
Failure failure_of(Call call) {
  return parlab_test::isolated([&] {
    const parlab_test::ResourceSnapshot before;
    Failure failure;
    try {
      (void)call();
    } catch (const Expected& e) {
      failure.message = e.what();
    }
    failure.leaks = before.leaks();
    return failure;
  });
}

// What the test reports when a call that should have thrown returned instead.
inline std::string message_or_none(const Failure& f) { return f.message.value_or("(no exception: the call returned)"); }

// The stream seed your worker_seed gives worker `worker` of `seed`, from a child.
inline std::uint64_t worker_seed_of(std::uint64_t seed, unsigned worker) {
  return parlab_test::isolated([&] { return parlab::lab05::worker_seed(seed, worker); });
}

// The stream seeds of workers 0 .. workers - 1 of `seed`, from one child.
inline std::vector<std::uint64_t> worker_seeds(std::uint64_t seed, unsigned workers) {
  return parlab_test::isolated([&] {
    std::vector<std::uint64_t> seeds;
    for (unsigned w = 0; w < workers; ++w) seeds.push_back(parlab::lab05::worker_seed(seed, w));
    return seeds;
  });
}

// Both estimates of one (samples, workers, seed), and what they left behind.
struct BothEstimates {
  parlab::lab05::PiEstimate threads;
  parlab::lab05::PiEstimate processes;
  std::string leaks;  // empty if nothing leaked
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BothEstimates, threads, processes, leaks)

// estimate_pi_threads and then estimate_pi_processes in one child, with a resource
// snapshot around them.
inline BothEstimates estimate_both(std::uint64_t samples, unsigned workers, std::uint64_t seed) {
  return parlab_test::isolated([&] {
    const parlab_test::ResourceSnapshot before;
    const parlab::lab05::PiEstimate threads = parlab::lab05::estimate_pi_threads(samples, workers, seed);
    const parlab::lab05::PiEstimate processes = parlab::lab05::estimate_pi_processes(samples, workers, seed);
    return BothEstimates{threads, processes, before.leaks()};
  });
}

}  // namespace lab05_test
