// Lab 02 benchmark: how each chunking scheme balances trial division over [0, n).
//
//   build/release/lab02_bench                      full table, n = 4*10^6 (about 20 s)
//   build/release/lab02_bench --n 10000000         the headline n (about a minute)
//   build/release/lab02_bench --svg timeline.svg   ... plus the per-worker timelines
//   build/release/lab02_bench --grading            the graded figures only, as JSON
//
// For every scheme it reports the SIMULATED imbalance (the given simulator, cost model
// x^0.5: deterministic, what grading uses), the REAL imbalance (max/mean busy time of
// real threads, median of several runs: moves with the machine's load), the wall time,
// the speed-up over a serial run measured in the same process, and the number of chunks.
// The machine's parallel capacity, measured in the same run, is printed next to them.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "parlab/bench.hpp"
#include "parlab/bench_trace.hpp"
#include "trace_lab02.hpp"
#include "parlab/capacity.hpp"
#include "parlab/lab02/chunks.hpp"
#include "parlab/lab02/schedule.hpp"
#include "parlab/primes.hpp"
#include "parlab/stopwatch.hpp"

namespace {

using namespace parlab::lab02;
using parlab::Range;
using parlab::bench::Summary;

std::uint64_t count_primes(Range r) {
  std::uint64_t count = 0;
  for (std::uint64_t x = r.lo; x < r.hi; ++x) count += parlab::is_prime(x) ? 1U : 0U;
  return count;
}

struct Scheme {
  std::string name;
  Chunks chunks;
  Assignment assignment;
  double simulated = 0.0;         // under x^0.5, the grading model
  double simulated_fitted = 0.0;  // under the exponent fitted to this machine's timings
  std::vector<double> real;       // imbalance per run
  std::vector<double> wall;       // seconds per run
  std::vector<Execution> runs;
};

double median(std::vector<double> v) {
  return parlab::bench::summarize(v).median;
}

// The run whose imbalance is the median one: the timeline the figure shows.
const Execution& typical_run(const Scheme& s) {
  std::vector<std::size_t> order(s.runs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return s.real[a] < s.real[b]; });
  return s.runs[order[(order.size() - 1) / 2]];
}

void run_schemes(std::vector<Scheme>& schemes, unsigned workers, unsigned repetitions, std::uint64_t expected) {
  // Interleaved (A B C ... A B C ...), so that a burst of load on the machine hits every
  // scheme alike instead of ruining one of them.
  for (unsigned rep = 0; rep < repetitions; ++rep) {
    for (Scheme& s : schemes) {
      Execution e = execute(s.chunks, workers, count_primes, s.assignment);
      if (e.total != expected) {
        throw std::runtime_error(fmt::format("{}: counted {} primes, expected {}", s.name, e.total, expected));
      }
      s.real.push_back(e.imbalance());
      s.wall.push_back(e.wall);
      s.runs.push_back(std::move(e));
    }
  }
}

std::string timeline_data(const Execution& e) {
  // One rectangle per chunk: x from start to end, y around the worker's row. Colours
  // alternate with the chunk index so neighbouring chunks can be told apart.
  std::string out;
  for (std::size_t w = 0; w < e.workers.size(); ++w) {
    for (const ChunkRun& run : e.workers[w].runs) {
      out += fmt::format("{:.6f} {} {:.6f} 0.38 {}\n", (run.start + run.end) / 2, w, (run.end - run.start) / 2,
                         run.index % 2 + 1);
    }
  }
  return out + "e\n";
}

std::string timeline_panel(const Scheme& s, const Execution& e, double xmax) {
  return fmt::format(
      "set title \"{}: {} chunks, real imbalance {:.3f} (simulated {:.3f}), wall {}\"\n"
      "set xrange [0:{:.6f}]\nset yrange [-0.6:{}.6]\nset ytics 1\n"
      "plot '-' using 1:2:3:4:5 with boxxyerror lc variable notitle\n{}",
      s.name, s.chunks.size(), e.imbalance(), s.simulated, parlab::bench::human_seconds(e.wall), xmax,
      e.workers.size() - 1, timeline_data(e));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lab 02 benchmark: load balance of chunking schemes for trial division"};
  // n = 10^7 is the headline workload; a full real table at 10^7 takes close to a minute
  // on a quiet 2-core machine and several on a busy one, so the table defaults to 4*10^6.
  // The graded figures are simulated (instant), so --grading always has n = 10^7.
  std::uint64_t n = 0;
  unsigned workers = 2;
  unsigned repetitions = 5;
  bool grading = false;
  std::string json_path, svg_path;
  app.add_option("--n", n, "count the primes below n (default 4000000; 10000000 with --grading)")->check(CLI::Range(std::uint64_t{10'000}, std::uint64_t{1} << 40));
  app.add_option("--workers", workers, "worker threads")->check(CLI::Range(1u, 256u));
  app.add_option("--repetitions", repetitions, "real runs per scheme (the median is reported)")
      ->check(CLI::Range(1u, 100u));
  app.add_flag("--grading", grading, "print only the graded figures as one JSON object (for the grader)");
  app.add_option("--json", json_path, "also write the full results as JSON to this file");
  app.add_option("--svg", svg_path, "draw the per-worker timelines (equal chunks, best scheme) into this SVG");
  parlab::bench::TraceOptions trace;
  trace.add_to(app, parlab::lab02::trace_scenarios());
  CLI11_PARSE(app, argc, argv);
  if (const auto code = trace.run_scenario_if_asked()) return *code;
  const auto trace_session = trace.session_for_benchmark();
  if (n == 0) n = grading ? 10'000'000 : 4'000'000;

  try {
    const Range range{0, n};
    const auto capacity = parlab::measure_parallel_capacity(workers);
    const PowerLawCost model{kTrialDivisionExponent};

    if (grading) {
      // The graded figures come from the simulator: deterministic, whatever the load.
      const double equal_cost = simulate(chunks_equal_cost(range, workers), workers, model, Assignment::blocks).imbalance;
      const double guided = simulate(chunks_guided(range, workers, std::max<std::uint64_t>(1, n / 1000)), workers, model).imbalance;
      const double power = simulate(start_chunks(range, 8 * workers), workers, model).imbalance;
      const double equal_static = simulate(chunks(range, n / workers + (n % workers != 0)), workers, model, Assignment::blocks).imbalance;
      nlohmann::json out = {
          {"lab", "02"}, {"n", n}, {"workers", workers}, {"capacity", parlab::bench::to_json(capacity)},
          {"simulated_imbalance", {{"equal_static", equal_static}, {"equal_cost", equal_cost},
                                   {"guided", guided}, {"power_law", power}}},
          {"metrics", {{"equal_cost_simulated_balance", 1.0 / equal_cost},
                       {"guided_simulated_balance", 1.0 / guided},
                       {"power_law_simulated_balance", 1.0 / power}}}};
      std::cout << out.dump(2) << '\n';
      parlab::bench::write_report(json_path, out);
      return 0;
    }

    fmt::print("lab 02: primes below n = {} on {} workers; parallel capacity {}\n", n, workers, capacity.describe());
    std::fflush(stdout);

    // Serial baseline, timed in two halves: the ratio of their times fits the cost
    // exponent of this machine (W(n) / W(n/2) = 2^(1+q)).
    std::vector<double> serial, fitted_q;
    std::uint64_t expected = 0;
    for (unsigned rep = 0; rep < std::min(repetitions, 3u); ++rep) {
      parlab::Stopwatch sw;
      const std::uint64_t low = count_primes({0, n / 2});
      const double t_low = sw.seconds();
      const std::uint64_t high = count_primes({n / 2, n});
      const double t_all = sw.seconds();
      expected = low + high;
      serial.push_back(t_all);
      fitted_q.push_back(std::log2(t_all / t_low) - 1.0);
    }
    const double serial_median = median(serial);
    const double q_fit = std::clamp(median(fitted_q), 0.0, 2.0);
    const PowerLawCost fitted{q_fit};
    fmt::print("serial: {} ({} primes); fitted cost exponent q = {:.3f} (one number x costs ~x^q here)\n\n",
               parlab::bench::human_seconds(serial_median), expected, q_fit);
    std::fflush(stdout);

    const std::uint64_t per_worker = n / workers + (n % workers != 0);
    std::vector<Scheme> schemes;
    const auto add = [&](std::string name, Chunks c, Assignment a) {
      Scheme s;
      s.name = std::move(name);
      s.chunks = std::move(c);
      s.assignment = a;
      schemes.push_back(std::move(s));
    };
    add("equal, static", chunks(range, per_worker), Assignment::blocks);
    add("equal n/64, dynamic", chunks(range, std::max<std::uint64_t>(1, n / 64)), Assignment::dynamic);
    add("power law, start_chunks(w)", start_chunks(range, workers), Assignment::dynamic);
    add("power law, start_chunks(8w)", start_chunks(range, 8 * workers), Assignment::dynamic);
    add("equal cost q=0.5, k=w", chunks_equal_cost(range, workers, 0.5), Assignment::blocks);
    add(fmt::format("equal cost q={:.2f}, k=w", q_fit), chunks_equal_cost(range, workers, q_fit), Assignment::blocks);
    add(fmt::format("equal cost q={:.2f}, k=4w", q_fit), chunks_equal_cost(range, 4 * workers, q_fit), Assignment::dynamic);
    add("guided min n/1000", chunks_guided(range, workers, std::max<std::uint64_t>(1, n / 1000)), Assignment::dynamic);
    for (Scheme& s : schemes) {
      s.simulated = simulate(s.chunks, workers, model, s.assignment).imbalance;
      s.simulated_fitted = simulate(s.chunks, workers, fitted, s.assignment).imbalance;
    }
    run_schemes(schemes, workers, repetitions, expected);

    fmt::print("{:<28} {:>7} {:>9} {:>11} {:>13} {:>10} {:>9} {:>9} {:>12}\n", "scheme", "chunks", "assign",
               "sim x^0.5", fmt::format("sim x^{:.2f}", q_fit), "real (med)", "real max", "wall", "speed-up");
    // The best scheme: the lowest median real imbalance among those the grading model
    // also rates well (simulated imbalance <= 1.02), so that "best" is not a lucky run
    // of a scheme that only balances on this machine.
    const auto rated = [](const Scheme& s) { return s.simulated <= 1.02; };
    std::size_t best = schemes.size();
    for (std::size_t i = 0; i < schemes.size(); ++i) {
      const Scheme& s = schemes[i];
      const double real = median(s.real);
      const double wall = median(s.wall);
      if (rated(s) && (best == schemes.size() || real < median(schemes[best].real))) best = i;
      fmt::print("{:<28} {:>7} {:>9} {:>11.4f} {:>13.4f} {:>10.3f} {:>9.3f} {:>9} {:>6.2f}x {:>3.0f}%\n", s.name,
                 s.chunks.size(), to_string(s.assignment), s.simulated, s.simulated_fitted, real,
                 *std::max_element(s.real.begin(), s.real.end()), parlab::bench::human_seconds(wall),
                 serial_median / wall, 100 * serial_median / wall / capacity.speedup);
    }
    if (best == schemes.size()) best = 0;
    fmt::print("\nbest (lowest median real imbalance with simulated <= 1.02): {}; speed-up % is of the capacity {:.2f}x\n",
               schemes[best].name, capacity.speedup);

    nlohmann::json report = {{"lab", "02"}, {"n", n}, {"workers", workers}, {"repetitions", repetitions},
                             {"capacity", parlab::bench::to_json(capacity)},
                             {"serial_seconds", parlab::bench::to_json(parlab::bench::summarize(serial))},
                             {"fitted_cost_exponent", q_fit}, {"best", schemes[best].name},
                             {"best_real_imbalance", median(schemes[best].real)},
                             {"best_simulated_imbalance", schemes[best].simulated},
                             {"schemes", nlohmann::json::array()}};
    for (const Scheme& s : schemes) {
      report["schemes"].push_back({{"name", s.name}, {"chunks", s.chunks.size()},
                                   {"assignment", std::string(to_string(s.assignment))},
                                   {"simulated_imbalance", s.simulated},
                                   {"simulated_imbalance_fitted", s.simulated_fitted},
                                   {"real_imbalance", parlab::bench::to_json(parlab::bench::summarize(s.real))},
                                   {"wall_seconds", parlab::bench::to_json(parlab::bench::summarize(s.wall))},
                                   {"speedup", serial_median / median(s.wall)}});
    }
    parlab::bench::write_report(json_path, report);

    if (!svg_path.empty()) {
      const Execution& equal_run = typical_run(schemes[0]);
      const Execution& best_run = typical_run(schemes[best]);
      const double xmax = std::max(equal_run.wall, best_run.wall) * 1.02;
      const std::string script = fmt::format(
          "set terminal svg size 820,520 dynamic font 'sans,12' background '#ffffff'\n"
          "set output '{}'\n"
          "set multiplot layout 2,1 title \"Trial division of [0, {}) on {} threads: who ran what, when "
          "(capacity {:.2f}x)\"\n"
          "set ylabel 'worker'\nset grid x\nset style fill solid 0.85 border lc rgb '#333333'\n"
          "set linetype 1 lc rgb '#4c78a8'\nset linetype 2 lc rgb '#f58518'\n"
          "{}set xlabel 'seconds since start'\n{}unset multiplot\n",
          svg_path, n, workers, capacity.speedup, timeline_panel(schemes[0], equal_run, xmax),
          timeline_panel(schemes[best], best_run, xmax));
      if (parlab::bench::run_gnuplot(script)) fmt::print("wrote {}\n", svg_path);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lab02_bench: %s\n", e.what());
    return 1;
  }
}
