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
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "parlab/bench.hpp"
#include "parlab/bench_driver.hpp"
#include "trace_lab02.hpp"
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

// n = 10^7 is the headline workload; a full real table at 10^7 takes close to a minute
// on a quiet 2-core machine and several on a busy one, so the table defaults to 4*10^6.
// The graded figures are simulated (instant), so --grading always has n = 10^7.
std::uint64_t n_or_default(std::uint64_t n, bool grading) { return n != 0 ? n : grading ? 10'000'000 : 4'000'000; }

parlab::bench::BenchOutcome grading_run(std::uint64_t n, const parlab::bench::BenchContext& c) {
  // The graded figures come from the simulator: deterministic, whatever the load.
  const Range range{0, n};
  const unsigned workers = c.workers;
  const PowerLawCost model{kTrialDivisionExponent};
  const double equal_cost = simulate(chunks_equal_cost(range, workers), workers, model, Assignment::blocks).imbalance;
  const double guided = simulate(chunks_guided(range, workers, std::max<std::uint64_t>(1, n / 1000)), workers, model).imbalance;
  const double power = simulate(start_chunks(range, 8 * workers), workers, model).imbalance;
  const double equal_static = simulate(chunks(range, n / workers + (n % workers != 0)), workers, model, Assignment::blocks).imbalance;
  parlab::bench::BenchOutcome out;
  out.report = {
      {"n", n}, {"workers", workers},
      {"simulated_imbalance", {{"equal_static", equal_static}, {"equal_cost", equal_cost},
                               {"guided", guided}, {"power_law", power}}},
      {"metrics", {{"equal_cost_simulated_balance", 1.0 / equal_cost},
                   {"guided_simulated_balance", 1.0 / guided},
                   {"power_law_simulated_balance", 1.0 / power}}}};
  return out;
}

struct Serial {
  std::vector<double> seconds;
  double median = 0;
  double fitted_q = 0;  // the cost exponent this machine shows
  std::uint64_t primes = 0;
};

// Serial baseline, timed in two halves: the ratio of their times fits the cost
// exponent of this machine (W(n) / W(n/2) = 2^(1+q)).
Serial measure_serial(std::uint64_t n, unsigned repetitions) {
  Serial out;
  std::vector<double> fitted_q;
  for (unsigned rep = 0; rep < std::min(repetitions, 3u); ++rep) {
    parlab::Stopwatch sw;
    const std::uint64_t low = count_primes({0, n / 2});
    const double t_low = sw.seconds();
    const std::uint64_t high = count_primes({n / 2, n});
    const double t_all = sw.seconds();
    out.primes = low + high;
    out.seconds.push_back(t_all);
    fitted_q.push_back(std::log2(t_all / t_low) - 1.0);
  }
  out.median = median(out.seconds);
  out.fitted_q = std::clamp(median(fitted_q), 0.0, 2.0);
  return out;
}

std::vector<Scheme> make_schemes(std::uint64_t n, unsigned workers, double q_fit) {
  const Range range{0, n};
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
  const PowerLawCost model{kTrialDivisionExponent};
  const PowerLawCost fitted{q_fit};
  for (Scheme& s : schemes) {
    s.simulated = simulate(s.chunks, workers, model, s.assignment).imbalance;
    s.simulated_fitted = simulate(s.chunks, workers, fitted, s.assignment).imbalance;
  }
  return schemes;
}

// Prints the table; returns the best scheme: the lowest median real imbalance among those
// the grading model also rates well (simulated imbalance <= 1.02), so that "best" is not a
// lucky run of a scheme that only balances on this machine.
std::size_t print_schemes(const std::vector<Scheme>& schemes, const Serial& serial, const parlab::bench::BenchContext& c) {
  fmt::print("{:<28} {:>7} {:>9} {:>11} {:>13} {:>10} {:>9} {:>9} {:>12}\n", "scheme", "chunks", "assign",
             "sim x^0.5", fmt::format("sim x^{:.2f}", serial.fitted_q), "real (med)", "real max", "wall", "speed-up");
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
               serial.median / wall, 100 * serial.median / wall / c.capacity.speedup);
  }
  if (best == schemes.size()) best = 0;
  fmt::print("\nbest (lowest median real imbalance with simulated <= 1.02): {}; speed-up % is of the capacity {:.2f}x\n",
             schemes[best].name, c.capacity.speedup);
  return best;
}

nlohmann::json full_report(std::uint64_t n, const std::vector<Scheme>& schemes, std::size_t best, const Serial& serial,
                           const parlab::bench::BenchContext& c) {
  nlohmann::json report = {{"n", n}, {"workers", c.workers}, {"repetitions", c.repetitions},
                           {"serial_seconds", parlab::bench::to_json(parlab::bench::summarize(serial.seconds))},
                           {"fitted_cost_exponent", serial.fitted_q}, {"best", schemes[best].name},
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
                                 {"speedup", serial.median / median(s.wall)}});
  }
  return report;
}

parlab::bench::Figure figure(std::uint64_t n, const Scheme& equal, const Scheme& best, const parlab::bench::BenchContext& c) {
  const Execution& equal_run = typical_run(equal);
  const Execution& best_run = typical_run(best);
  const double xmax = std::max(equal_run.wall, best_run.wall) * 1.02;
  return {820, 520, "dynamic font 'sans,12'",
          fmt::format("set multiplot layout 2,1 title \"Trial division of [0, {}) on {} threads: who ran what, when "
                      "(capacity {:.2f}x)\"\n"
                      "set ylabel 'worker'\nset grid x\nset style fill solid 0.85 border lc rgb '#333333'\n"
                      "set linetype 1 lc rgb '#4c78a8'\nset linetype 2 lc rgb '#f58518'\n"
                      "{}set xlabel 'seconds since start'\n{}unset multiplot\n",
                      n, c.workers, c.capacity.speedup, timeline_panel(equal, equal_run, xmax),
                      timeline_panel(best, best_run, xmax))};
}

parlab::bench::BenchOutcome full_run(std::uint64_t n, const parlab::bench::BenchContext& c) {
  fmt::print("lab 02: primes below n = {} on {} workers; parallel capacity {}\n", n, c.workers, c.capacity.describe());
  std::fflush(stdout);
  const Serial serial = measure_serial(n, c.repetitions);
  fmt::print("serial: {} ({} primes); fitted cost exponent q = {:.3f} (one number x costs ~x^q here)\n\n",
             parlab::bench::human_seconds(serial.median), serial.primes, serial.fitted_q);
  std::fflush(stdout);
  std::vector<Scheme> schemes = make_schemes(n, c.workers, serial.fitted_q);
  run_schemes(schemes, c.workers, c.repetitions, serial.primes);
  const std::size_t best = print_schemes(schemes, serial, c);
  parlab::bench::BenchOutcome out;
  out.report = full_report(n, schemes, best, serial, c);
  out.figure = figure(n, schemes[0], schemes[best], c);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  parlab::bench::BenchDriver driver("02", "lab 02 benchmark: load balance of chunking schemes for trial division",
                                    parlab::lab02::trace_scenarios());
  std::uint64_t n = 0;
  driver.app().add_option("--n", n, "count the primes below n (default 4000000; 10000000 with --grading)")
      ->check(CLI::Range(std::uint64_t{10'000}, std::uint64_t{1} << 40));
  driver.workers_option(2, 1, 256, "worker threads");
  driver.repetitions_option(5, 100, "real runs per scheme (the median is reported)");
  driver.output_options("print only the graded figures as one JSON object (for the grader)",
                        "draw the per-worker timelines (equal chunks, best scheme) into this SVG");
  return driver.run(argc, argv, {
      .instead = nullptr,
      .grading = [&](const auto& c) { return grading_run(n_or_default(n, true), c); },
      .full = [&](const auto& c) { return full_run(n_or_default(n, false), c); }});
}
