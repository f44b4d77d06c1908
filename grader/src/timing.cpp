#include "timing.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "parlab/capacity.hpp"
#include "parlab/manifest/benchmark_report.hpp"
#include "util/text.hpp"
#include "verdict.hpp"

namespace grader {

namespace {

// The benchmarks' capacity readings may differ by this factor before timing is unreliable.
// On the quiet 2-core machine they agree within about 10 %.
constexpr double max_capacity_spread = 1.25;

struct BenchmarkRun {
  bool ok = false;
  std::string failure;
  nlohmann::json report;
  double seconds = 0;
};

// A lab whose tests run their own server on 127.0.0.1 has a benchmark that does too.
bool benchmark_needs_loopback_tcp(const LabManifest& manifest) {
  return std::any_of(manifest.tasks.begin(), manifest.tasks.end(), [](const auto& task) { return task.loopback_tcp; });
}

BenchmarkRun run_benchmark(Sandbox& sandbox, const std::filesystem::path& executable, const LabManifest& manifest,
                           std::chrono::milliseconds wall) {
  const std::vector<std::string>& args = manifest.benchmark_args;
  SandboxRequest request;
  request.loopback_tcp = benchmark_needs_loopback_tcp(manifest);
  request.argv = {executable.string()};
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  request.limits.wall = wall;
  request.limits.cpu_seconds = static_cast<unsigned>(std::chrono::duration_cast<std::chrono::seconds>(wall).count() * 2 + 5);
  request.limits.address_space = 4ULL << 30;
  request.limits.output_bytes = 1 << 20;
  request.environment = {"PARLAB_TIMEOUT_SCALE=100"};
  const SandboxResult r = sandbox.run(request);
  BenchmarkRun run;
  run.seconds = r.seconds;
  if (r.ending != SandboxResult::Ending::exited || r.exit_code != 0) {
    ChannelReport none;
    none.started = true;
    const CaseVerdict v = decide_verdict(r, none, request.limits);
    run.failure = fmt::format("{} {}", verdict_label(v.verdict), replace_all(v.summary, "The test", "The benchmark"));
    if (!r.setup_failure.empty()) {
      run.failure = "sandbox set-up failed: " + r.setup_failure;
    } else if (r.ending == SandboxResult::Ending::exited) {
      run.failure = fmt::format("the benchmark exited with status {}: {}", r.exit_code, trim(first_lines(r.output, 5, 600)));
    }
    return run;
  }
  auto report = parlab::manifest::find_benchmark_report(r.output);
  if (!report || !report->contains("metrics") || !(*report)["metrics"].is_object()) {
    run.failure = "the benchmark printed no JSON report with a \"metrics\" object";
    return run;
  }
  run.ok = true;
  run.report = std::move(*report);
  return run;
}

double metric_of(const nlohmann::json& report, const std::string& metric) {
  const auto& metrics = report.at("metrics");
  if (!metrics.contains(metric) || !metrics.at(metric).is_number()) {
    throw std::runtime_error("the benchmark's report has no metric '" + metric + "'");
  }
  return metrics.at(metric).get<double>();
}

double capacity_efficiency_of(const nlohmann::json& report) {
  if (!report.contains("capacity") || !report["capacity"].is_object()) return 1.0;
  return report["capacity"].value("efficiency", 1.0);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// A performance task's result before it is judged: what the manifest says about it.
PerfResult unjudged(const PerformanceSpec& spec) {
  PerfResult r;
  r.id = spec.id;
  r.title = spec.title;
  r.metric = spec.metric;
  r.threshold = spec.threshold;
  r.points = spec.points;
  return r;
}

void fail_all(const LabManifest& manifest, PerfStatus status, const std::string& detail, LabResult& lab) {
  lab.performance.clear();
  for (const auto& p : manifest.performance) {
    PerfResult r = unjudged(p);
    r.status = status;
    r.detail = detail;
    lab.performance.push_back(std::move(r));
  }
}

void reference_failed(const LabManifest& manifest, const std::string& detail, LabResult& lab) {
  fail_all(manifest, PerfStatus::unreliable, detail, lab);
  lab.timing.reliable = false;
  lab.timing.unreliable_because = "the reference benchmark failed";
}

// The benchmark reports of every round, student's and reference's side by side.
struct Rounds {
  bool ok = false;
  std::vector<nlohmann::json> student, reference;
};

// The benchmark's fixed arguments and limits, shared by every run of one lab.
struct BenchmarkPair {
  Sandbox& sandbox;
  const LabManifest& manifest;
  const std::filesystem::path& student, &reference;
  std::chrono::milliseconds student_wall{0};
  [[nodiscard]] BenchmarkRun run_student() const { return run_benchmark(sandbox, student, manifest, student_wall); }
  [[nodiscard]] BenchmarkRun run_reference() const {
    return run_benchmark(sandbox, reference, manifest, std::chrono::minutes(5));
  }
};

// Warm-up: caches, page cache, CPU frequency. The reference's time also sets how long the
// student's may take (10x, at least 30 s) before it counts as hanging. False: it failed.
bool warm_up(BenchmarkPair& pair, LabResult& lab) {
  const BenchmarkRun reference_warmup = pair.run_reference();
  if (!reference_warmup.ok) {
    reference_failed(pair.manifest, "the reference benchmark failed (a problem of the grader, not yours): " + reference_warmup.failure, lab);
    return false;
  }
  pair.student_wall = std::chrono::milliseconds(static_cast<long long>(std::max(30.0, 10 * reference_warmup.seconds) * 1000));
  const BenchmarkRun student_warmup = pair.run_student();
  if (!student_warmup.ok) {
    lab.timing.student_failure = student_warmup.failure;
    fail_all(pair.manifest, PerfStatus::benchmark_failed, "your build's benchmark did not produce figures: " + student_warmup.failure, lab);
    return false;
  }
  return true;
}

Rounds run_rounds(const BenchmarkPair& pair, unsigned rounds, LabResult& lab) {
  Rounds out;
  for (unsigned round = 0; round < rounds; ++round) {
    // A B, B A, A B, ...: whatever favours the first (or second) run of a pair - a CPU
    // that clocks up, a neighbour's periodic job - favours both sides equally often.
    const bool student_first = round % 2 == 0;
    BenchmarkRun a, b;
    if (!student_first) b = pair.run_reference();
    a = pair.run_student();
    if (!a.ok) {
      lab.timing.student_failure = a.failure;
      fail_all(pair.manifest, PerfStatus::benchmark_failed, fmt::format("round {}: {}", round + 1, a.failure), lab);
      return out;
    }
    if (student_first) b = pair.run_reference();
    if (!b.ok) {
      reference_failed(pair.manifest, "the reference benchmark failed: " + b.failure, lab);
      return out;
    }
    lab.timing.student_seconds.push_back(a.seconds);
    lab.timing.reference_seconds.push_back(b.seconds);
    out.student.push_back(a.report);
    out.reference.push_back(b.report);
  }
  out.ok = true;
  return out;
}

// Is the machine able to show a speed-up right now? Marks the timing unreliable if not.
void judge_reliability(const parlab::ParallelCapacity& probe, unsigned workers, const Rounds& rounds,
                       const TimingSettings& settings, TimingResult& timing) {
  std::vector<double> efficiencies;
  for (const auto& r : rounds.student) efficiencies.push_back(capacity_efficiency_of(r));
  for (const auto& r : rounds.reference) efficiencies.push_back(capacity_efficiency_of(r));
  const double run_efficiency = median(efficiencies);
  if (probe.efficiency() < settings.min_efficiency) {
    timing.reliable = false;
    timing.unreliable_because = fmt::format("the probe measured a parallel capacity of {:.2f}x on {} workers: the machine "
                                            "was busy", probe.speedup, workers);
  } else if (probe.efficiency() > 1.15) {
    // More than linear on a CPU-bound spin loop: the single-thread measurement was slowed
    // down by something else, so nothing measured now can be trusted either.
    timing.reliable = false;
    timing.unreliable_because = fmt::format("the probe measured an impossible capacity of {:.2f}x on {} workers: the "
                                            "machine's load changed while it measured", probe.speedup, workers);
  } else if (run_efficiency < settings.min_efficiency) {
    timing.reliable = false;
    timing.unreliable_because = fmt::format("the benchmarks measured a parallel capacity of only {:.0f}% per worker: "
                                            "the machine was busy", run_efficiency * 100);
  } else if (const auto [low, high] = std::minmax_element(efficiencies.begin(), efficiencies.end());
             !efficiencies.empty() && *low > 0 && *high / *low > max_capacity_spread) {
    // Metrics "over capacity" divide by each run's own capacity reading: when those readings
    // disagree this much, the ratio of two such metrics measures the probe's noise (the
    // reference timed against itself scored 0.75 on lab 04 with readings of 1.5x and 2x).
    timing.reliable = false;
    timing.unreliable_because = fmt::format("the benchmarks' own capacity readings ranged from {:.0f}% to {:.0f}% per "
                                            "worker: the machine's load changed while they ran", *low * 100, *high * 100);
  }
}

// One performance task: the metric's ratio student / reference per round, and its status
// (score() turns the status into points).
PerfResult compare_metric(const PerformanceSpec& spec, const Rounds& rounds, const TimingSettings& settings,
                          const TimingResult& timing) {
  PerfResult p = unjudged(spec);
  try {
    std::vector<double> student, reference;
    for (std::size_t i = 0; i < rounds.student.size(); ++i) {
      student.push_back(metric_of(rounds.student[i], spec.metric));
      reference.push_back(metric_of(rounds.reference[i], spec.metric));
      p.ratios.push_back(reference.back() > 0 ? student.back() / reference.back() : 0.0);
    }
    p.median_ratio = median(p.ratios);
    p.min_ratio = *std::min_element(p.ratios.begin(), p.ratios.end());
    p.max_ratio = *std::max_element(p.ratios.begin(), p.ratios.end());
    p.student_median = median(student);
    p.reference_median = median(reference);
  } catch (const std::exception& e) {
    p.status = PerfStatus::unreliable;
    p.detail = std::string("the reference benchmark does not report this metric (a grader problem): ") + e.what();
    return p;
  }
  p.detail = fmt::format("{} of the reference: median {:.2f} (min {:.2f}, max {:.2f}, {} rounds); needed {:.2f}",
                         spec.metric, p.median_ratio, p.min_ratio, p.max_ratio, p.ratios.size(), spec.threshold);
  const RatioJudgement judged = judge_ratios(p.median_ratio, p.min_ratio, p.max_ratio, spec.threshold, settings,
                                             timing.reliable ? std::string() : timing.unreliable_because);
  p.status = judged.status;
  if (!judged.why.empty()) p.detail += "; " + judged.why;
  return p;
}

}  // namespace

RatioJudgement judge_ratios(double median, double min, double max, double threshold, const TimingSettings& settings,
                            const std::string& machine_doubt) {
  if (median >= threshold) return {PerfStatus::passed, ""};
  const bool noisy = max - min > settings.max_spread;
  const bool close = median >= threshold - settings.too_close_margin;
  if (machine_doubt.empty() && !noisy && !close) return {PerfStatus::below_threshold, ""};
  const std::string doubt = !machine_doubt.empty() ? machine_doubt
                            : noisy ? fmt::format("the rounds disagree by more than {:.2f}", settings.max_spread)
                                    : fmt::format("within {:.2f} of the threshold, too close to call on a shared machine",
                                                  settings.too_close_margin);
  if (median < threshold / settings.max_machine_slowdown) {
    return {PerfStatus::below_threshold,
            fmt::format("judged although {}: a machine slows a ratio of interleaved runs by at most {:.0f}x, and this one is "
                        "below {:.2f}",
                        doubt, settings.max_machine_slowdown, threshold / settings.max_machine_slowdown)};
  }
  return {PerfStatus::unreliable, "not judged: " + doubt};
}

void skip_timing(const LabManifest& manifest, const std::string& because, LabResult& lab) {
  lab.timing.ran = false;
  lab.timing.skipped_because = because;
  fail_all(manifest, PerfStatus::not_timed, because, lab);
}

void time_lab(Sandbox& sandbox, const LabManifest& manifest, const std::filesystem::path& student_benchmark,
              const std::filesystem::path& reference_benchmark, const TimingSettings& settings, LabResult& lab) {
  TimingResult& timing = lab.timing;
  timing.ran = true;
  timing.rounds = settings.rounds;

  constexpr unsigned workers = 2;  // every lab's graded benchmark runs two workers (the thresholds are for 2)
  const parlab::ParallelCapacity probe = parlab::measure_parallel_capacity(workers);
  timing.probe_workers = workers;
  timing.probe_capacity = probe.speedup;
  timing.probe_capacity_min = probe.speedup_min;
  timing.probe_capacity_max = probe.speedup_max;

  BenchmarkPair pair{sandbox, manifest, student_benchmark, reference_benchmark};
  if (!warm_up(pair, lab)) return;
  const Rounds rounds = run_rounds(pair, settings.rounds, lab);
  if (!rounds.ok) return;
  judge_reliability(probe, workers, rounds, settings, timing);
  lab.performance.clear();
  for (const auto& spec : manifest.performance) lab.performance.push_back(compare_metric(spec, rounds, settings, timing));
}

}  // namespace grader
