// Lab 05 benchmark: what parallelism costs on this machine, and when it pays.
//
//   lab05_bench                               the cost table, Monte Carlo pi, the crossovers
//   lab05_bench --svg figures/probe_costs.svg  ... and the bar chart of the handout
//   lab05_bench --grading                      the graded figures only, one JSON object on stdout
//
// Every figure is measured in this run: the probes are compared with the thread start
// measured just before them, the parallel pi with the one-worker pi of the same run, and
// every speed-up is printed next to the parallel capacity the machine delivered meanwhile.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "parlab/bench.hpp"
#include "parlab/bench_trace.hpp"
#include "trace_lab05.hpp"
#include "parlab/capacity.hpp"
#include "parlab/lab05/crossover.hpp"
#include "parlab/lab05/harness.hpp"
#include "parlab/lab05/monte_carlo.hpp"
#include "parlab/lab05/probes.hpp"

namespace {

using parlab::bench::human_seconds;
using parlab::bench::Summary;
namespace lab = parlab::lab05;

struct ProbeRow {
  const lab::ProbeInfo* info;
  Summary time;
};

struct PiRow {
  std::string name;
  unsigned workers;
  Summary time;
  lab::PiEstimate estimate;
};

using PiFunction = std::function<lab::PiEstimate(std::uint64_t, unsigned, std::uint64_t)>;

PiRow time_pi(const std::string& name, const PiFunction& fn, std::uint64_t samples, unsigned workers,
              std::uint64_t seed, unsigned repetitions) {
  lab::PiEstimate last{};
  const auto seconds = parlab::bench::time_repeated([&] { last = fn(samples, workers, seed); }, 1, repetitions);
  return {name, workers, parlab::bench::summarize(seconds), last};
}

// The cost of Monte Carlo pi with `samples` points on 1 or 2 workers, measured now: the
// minimum of a few runs, the figure least disturbed by whatever else the machine is doing
// (a median of small runs still jumps when a neighbour takes a core). Even so, the crossover
// it yields is a figure of this run on this machine, not a law.
lab::CostFunction measured_cost(const PiFunction& fn, unsigned repetitions) {
  return [fn, repetitions](std::uint64_t samples, unsigned workers) {
    const auto seconds = parlab::bench::time_repeated([&] { lab::keep(fn(samples, workers, 1).inside); }, 2,
                                                      repetitions);
    return parlab::bench::summarize(seconds).min;
  };
}

// Two short lines per bar, so that eight labels fit under the chart side by side.
std::string chart_label(std::string_view key) {
  if (key == "thread_start_join") return "thread\\nstart+join";
  if (key == "fork_waitpid") return "fork\\n+waitpid";
  if (key == "posix_spawn_wait") return "posix_spawn\\n+waitpid";
  if (key == "pipe_round_trip") return "pipe\\nround trip";
  if (key == "socketpair_round_trip") return "socketpair\\nround trip";
  if (key == "condvar_round_trip") return "condvar\\nround trip";
  if (key == "atomic_spin_round_trip") return "atomic spin\\nround trip";
  if (key == "shared_memory_round_trip") return "shared mem.\\nround trip";
  return std::string(key);
}

std::string svg_script(const std::string& path, const std::vector<ProbeRow>& rows) {
  std::string data;
  for (const auto& r : rows) {
    const std::string python = r.info->python_seconds ? fmt::format("{:.6g}", *r.info->python_seconds * 1e6) : "NaN";
    data += fmt::format("\"{}\" {:.6g} {}\n", chart_label(r.info->key), r.time.median * 1e6, python);
  }
  return fmt::format(
      "set terminal svg size 860,480 dynamic noenhanced font 'sans,11' background '#ffffff'\n"
      "set output '{}'\n"
      "set title 'What parallelism costs: median time per operation (log scale)'\n"
      "set logscale y 10\nset yrange [0.01:100000]\nset format y '%g'\n"
      "set ylabel 'microseconds per operation'\n"
      "set style data histograms\nset style histogram clustered gap 1\n"
      "set style fill solid 0.85 border -1\nset boxwidth 0.9\n"
      "set xtics scale 0 font 'sans,10'\nset grid ytics\nset key right top\n"
      "set bmargin 4\n"
      "plot '-' using 2:xtic(1) title 'C++ on this machine' lc rgb '#3a6ea5', "
      "'-' using 3 title 'CPython (seed notebooks)' lc rgb '#e08a2c'\n{}e\n{}e\n",
      path, data, data);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lab 05 benchmark: the cost of threads, processes and their messages; Monte Carlo pi"};
  std::uint64_t samples = 40'000'000;
  unsigned workers = 2;
  unsigned repetitions = 7;
  unsigned probe_repetitions = 51;
  std::uint64_t seed = 2024;
  bool grading = false;
  bool skip_crossover = false;
  std::string json_path, svg_path;
  app.add_option("--samples", samples, "Monte Carlo pi: points in total")
      ->check(CLI::Range(std::uint64_t{1000}, std::uint64_t{1} << 40));
  app.add_option("--workers", workers, "workers for the parallel pi runs")->check(CLI::Range(2u, 64u));
  app.add_option("--repetitions", repetitions, "timed runs of each pi configuration")->check(CLI::Range(1u, 100u));
  app.add_option("--probe-repetitions", probe_repetitions, "samples per probe")->check(CLI::Range(3u, 1000u));
  app.add_option("--seed", seed, "seed of the pi runs");
  app.add_flag("--grading", grading, "measure only Monte Carlo pi and print one JSON object (for the grader)");
  app.add_flag("--no-crossover", skip_crossover, "skip the crossover search");
  app.add_option("--json", json_path, "also write the full results as JSON to this file");
  app.add_option("--svg", svg_path, "draw the probe costs as a bar chart into this SVG (needs gnuplot)");
  parlab::bench::TraceOptions trace;
  trace.add_to(app, parlab::lab05::trace_scenarios());
  CLI11_PARSE(app, argc, argv);
  if (const auto code = trace.run_scenario_if_asked()) return *code;
  const auto trace_session = trace.session_for_benchmark();

  try {
    const auto capacity = parlab::measure_parallel_capacity(workers);
    const PiFunction threads = [](std::uint64_t s, unsigned w, std::uint64_t sd) {
      return lab::estimate_pi_threads(s, w, sd);
    };
    const PiFunction processes = [](std::uint64_t s, unsigned w, std::uint64_t sd) {
      return lab::estimate_pi_processes(s, w, sd);
    };

    // Monte Carlo pi: one worker is the baseline; the parallel runs must agree exactly.
    const PiRow serial = time_pi("1 thread", threads, samples, 1, seed, repetitions);
    const PiRow par_threads = time_pi(fmt::format("{} threads", workers), threads, samples, workers, seed, repetitions);
    const PiRow par_processes =
        time_pi(fmt::format("{} processes", workers), processes, samples, workers, seed, repetitions);
    const bool agree = par_threads.estimate.inside == par_processes.estimate.inside;
    const double ts = serial.time.median / par_threads.time.median;
    const double ps = serial.time.median / par_processes.time.median;

    nlohmann::json pi_json = {
        {"samples", samples}, {"workers", workers}, {"seed", seed}, {"threads_processes_agree", agree},
        {"value", par_threads.estimate.value()}, {"sigma", par_threads.estimate.sigma()},
        {"serial_seconds", parlab::bench::to_json(serial.time)},
        {"threads_seconds", parlab::bench::to_json(par_threads.time)},
        {"processes_seconds", parlab::bench::to_json(par_processes.time)}};
    const nlohmann::json metrics = {{"pi_threads_speedup", ts},
                                    {"pi_processes_speedup", ps},
                                    {"pi_threads_speedup_over_capacity", ts / capacity.speedup},
                                    {"pi_processes_speedup_over_capacity", ps / capacity.speedup},
                                    {"threads_processes_agree", agree ? 1 : 0}};

    if (grading) {
      const nlohmann::json out = {{"lab", "05"}, {"capacity", parlab::bench::to_json(capacity)},
                                  {"pi", pi_json}, {"metrics", metrics}};
      std::cout << out.dump(2) << '\n';
      parlab::bench::write_report(json_path, out);
      return agree ? 0 : 1;
    }

    fmt::print("lab 05: the cost of parallelism; parallel capacity {}\n\n", capacity.describe());

    // The probes. Starting workers: one per sample; round trips: batches of 200.
    std::vector<ProbeRow> rows;
    fmt::print("{:<44} {:>10} {:>10} {:>10} {:>12} {:>14}\n", "operation", "min", "median", "p90",
               "x thread", "Python (seeds)");
    double thread_median = 0;
    for (const lab::ProbeInfo& info : lab::all_probes()) {
      const lab::MeasureOptions options = info.round_trip ? lab::MeasureOptions{200, probe_repetitions, 200}
                                                          : lab::MeasureOptions{3, probe_repetitions, 1};
      const Summary s = parlab::bench::summarize(info.run(options));
      if (rows.empty()) thread_median = s.median;
      rows.push_back({&info, s});
      fmt::print("{:<44} {:>10} {:>10} {:>10} {:>11.3g}x {:>14}\n", info.label, human_seconds(s.min),
                 human_seconds(s.median), human_seconds(s.p90), s.median / thread_median,
                 info.python_seconds ? "~" + human_seconds(*info.python_seconds) : std::string("-"));
      std::fflush(stdout);
    }

    fmt::print("\nMonte Carlo pi, {} points, seed {}:\n", samples, seed);
    fmt::print("{:<14} {:>10} {:>10} {:>10} {:>10} {:>13} {:>12}\n", "run", "min", "median", "max", "speed-up",
               "of capacity", "pi");
    for (const PiRow* r : {&serial, &par_threads, &par_processes}) {
      const double sp = serial.time.median / r->time.median;
      fmt::print("{:<14} {:>10} {:>10} {:>10} {:>9.2f}x {:>12.0f}% {:>12.8f}\n", r->name, human_seconds(r->time.min),
                 human_seconds(r->time.median), human_seconds(r->time.max), sp, 100 * sp / capacity.speedup,
                 r->estimate.value());
    }
    fmt::print("threads and processes agree exactly: {}; |pi - estimate| = {:.2g} sigma\n", agree ? "yes" : "NO",
               std::abs(par_threads.estimate.value() - 3.14159265358979323846) / par_threads.estimate.sigma());
    const double per_sample = serial.time.median / static_cast<double>(samples);
    fmt::print("one point costs {} on one worker\n", human_seconds(per_sample));

    nlohmann::json crossover_json = nlohmann::json::object();
    if (!skip_crossover) {
      // Crossover: the smallest number of points at which 2 workers beat 1, measured.
      // The model says: a second worker costs one more start s and saves half the work,
      // so it pays when n * c / 2 > s, i.e. n > 2 s / c.
      fmt::print("\nCrossover (smallest number of points at which 2 workers beat 1), measured now:\n");
      const double fork_median = rows.size() > 1 ? rows[1].time.median : 0.0;
      for (const auto& [name, fn, start] : {std::tuple{"threads", threads, thread_median},
                                           std::tuple{"processes", processes, fork_median}}) {
        const auto found = lab::crossover(measured_cost(fn, 11), 100, samples);
        const double model = 2 * start / per_sample;
        fmt::print("{:<10} measured {:>12}   model 2 x start / per-point cost = {:.3g}\n", name,
                   found ? fmt::format("{}", *found) : std::string("none"), model);
        crossover_json[name] = {{"measured", found ? nlohmann::json(*found) : nlohmann::json(nullptr)},
                                {"model", model}};
      }
    }

    nlohmann::json report = {{"lab", "05"}, {"capacity", parlab::bench::to_json(capacity)},
                             {"pi", pi_json}, {"metrics", metrics}, {"crossover", crossover_json},
                             {"probes", nlohmann::json::array()}};
    for (const auto& r : rows) {
      report["probes"].push_back({{"key", r.info->key},
                                  {"label", r.info->label},
                                  {"seconds", parlab::bench::to_json(r.time)},
                                  {"times_thread_start", r.time.median / thread_median},
                                  {"python_seconds", r.info->python_seconds ? nlohmann::json(*r.info->python_seconds)
                                                                            : nlohmann::json(nullptr)}});
    }
    parlab::bench::write_report(json_path, report);
    if (!svg_path.empty() && parlab::bench::run_gnuplot(svg_script(svg_path, rows))) {
      fmt::print("\nwrote {}\n", svg_path);
    }
    return agree ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lab05_bench: %s\n", e.what());
    return 1;
  }
}
