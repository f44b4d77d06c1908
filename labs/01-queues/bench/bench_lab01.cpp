// Lab 01 benchmark: how message granularity decides whether a pipeline pays.
//
//   build/release/lab01_bench                 full table + figure (about a minute)
//   build/release/lab01_bench --grading       the graded figure only, as JSON on stdout
//
// Every speed-up is against a serial run measured in the same process, and is printed
// next to the parallel capacity the machine delivered during the same run.
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "parlab/bench.hpp"
#include "parlab/bench_driver.hpp"
#include "parlab/lab01/pipeline.hpp"
#include "parlab/primes.hpp"
#include "trace_lab01.hpp"

namespace {

using parlab::bench::Summary;
using PipelineFn = std::function<std::vector<std::uint64_t>(unsigned, std::uint64_t, std::uint64_t)>;

Summary time_runs(const std::function<std::size_t()>& run, unsigned repetitions, std::size_t expected) {
  std::vector<double> seconds = parlab::bench::time_repeated(
      [&] {
        const std::size_t found = run();
        if (found != expected) {
          throw std::runtime_error(fmt::format("wrong answer: {} primes, expected {}", found, expected));
        }
      },
      0, repetitions);
  return parlab::bench::summarize(seconds);
}

struct Row {
  std::string transport;
  std::uint64_t n, chunk, messages;
  Summary time;
  double serial_median;
};

struct Settings {
  std::uint64_t n = 5'000'000;
  std::uint64_t small_n = 0;  // 0: n
};

const PipelineFn threads = [](unsigned w, std::uint64_t m, std::uint64_t c) { return parlab::lab01::primes_threads(w, m, c); };
const PipelineFn processes = [](unsigned w, std::uint64_t m, std::uint64_t c) { return parlab::lab01::primes_processes(w, m, c); };

// The serial baseline below m and the number of primes there.
std::pair<Summary, std::size_t> serial(std::uint64_t m, unsigned repetitions) {
  const std::size_t expected = parlab::primes_in({0, m}).size();
  return {time_runs([&] { return parlab::primes_in({0, m}).size(); }, repetitions, expected), expected};
}

parlab::bench::BenchOutcome grading_run(const Settings& s, const parlab::bench::BenchContext& c) {
  const auto [serial_time, expected] = serial(s.n, c.repetitions);
  const std::uint64_t chunk = std::max<std::uint64_t>(1, s.n / 64);
  const Summary t = time_runs([&] { return threads(c.workers, s.n, chunk).size(); }, c.repetitions, expected);
  const Summary p = time_runs([&] { return processes(c.workers, s.n, chunk).size(); }, c.repetitions, expected);
  const double ts = serial_time.median / t.median, ps = serial_time.median / p.median;
  parlab::bench::BenchOutcome out;
  out.report = {{"n", s.n}, {"workers", c.workers}, {"chunk", chunk},
           {"serial_seconds", serial_time.median},
           {"threads_seconds", t.median}, {"processes_seconds", p.median},
           {"metrics", {{"threads_speedup", ts}, {"processes_speedup", ps},
                        {"threads_speedup_over_capacity", ts / c.capacity.speedup},
                        {"processes_speedup_over_capacity", ps / c.capacity.speedup}}}};
  return out;
}

struct Table {
  Summary serial_big, serial_small;  // below n, below small_n
  std::vector<Row> rows;
};

// Every chunk size, threads and processes; a table row each, as it is measured.
Table measure_rows(const Settings& s, const parlab::bench::BenchContext& c) {
  const auto [serial_big, expected_big] = serial(s.n, c.repetitions);
  const auto [serial_small, expected_small] = serial(s.small_n, c.repetitions);
  fmt::print("serial: n = {}: {} ({:.2f} M numbers/s)\n", s.n, parlab::bench::human_seconds(serial_big.median),
             static_cast<double>(s.n) / serial_big.median / 1e6);
  if (s.small_n != s.n) fmt::print("serial: n = {}: {}\n", s.small_n, parlab::bench::human_seconds(serial_small.median));
  fmt::print("\n");

  const std::uint64_t n = s.n;
  std::vector<std::uint64_t> chunks = {1, 10, 100, 1000, 10'000, n / 256, n / 64, n / 16, n / 2, n};
  std::sort(chunks.begin(), chunks.end());
  chunks.erase(std::unique(chunks.begin(), chunks.end()), chunks.end());

  Table table{serial_big, serial_small, {}};
  std::vector<Row>& rows = table.rows;
  fmt::print("{:<10} {:>10} {:>10} {:>10} {:>12} {:>14} {:>9} {:>12}\n", "transport", "n", "chunk",
             "messages", "median", "M numbers/s", "speed-up", "of capacity");
  for (const auto& [name, fn] : {std::pair{"threads", threads}, std::pair{"processes", processes}}) {
    for (const std::uint64_t chunk : chunks) {
      const bool small = chunk < 1000;
      const std::uint64_t m = small ? s.small_n : n;
      const Summary t = time_runs([&] { return fn(c.workers, m, chunk).size(); }, c.repetitions,
                                  small ? expected_small : expected_big);
      const double serial_median = small ? serial_small.median : serial_big.median;
      rows.push_back({name, m, chunk, (m + chunk - 1) / chunk, t, serial_median});
      const double speedup = serial_median / t.median;
      fmt::print("{:<10} {:>10} {:>10} {:>10} {:>12} {:>14.2f} {:>8.2f}x {:>11.0f}%\n", name, m, chunk,
                 rows.back().messages, parlab::bench::human_seconds(t.median), static_cast<double>(m) / t.median / 1e6, speedup,
                 100 * speedup / c.capacity.speedup);
      std::fflush(stdout);
    }
  }
  return table;
}

parlab::bench::Figure figure(const std::vector<Row>& rows, const parlab::bench::BenchContext& c) {
  std::string data_threads, data_processes;
  for (const auto& r : rows) {
    (r.transport == "threads" ? data_threads : data_processes) += fmt::format("{} {}\n", r.chunk, r.serial_median / r.time.median);
  }
  const double cap = c.capacity.speedup;
  return {720, 420, "dynamic font 'sans,12'",
          fmt::format("set title 'Prime pipeline, {} workers: speed-up over serial by chunk size'\n"
                      "set logscale x 10\nset xlabel 'numbers per message (chunk)'\nset ylabel 'speed-up over serial'\n"
                      "set key left top\nset grid\nset yrange [0:*]\n"
                      "set label 'machine capacity {:.2f}x' at graph 0.02, first {:.2f} offset 0,0.6\n"
                      "plot {:.3f} with lines dt 2 lc 'gray' notitle, "
                      "'-' using 1:2 with linespoints lw 2 pt 7 title 'threads (BlockingQueue)', "
                      "'-' using 1:2 with linespoints lw 2 pt 5 title 'processes (pipes)'\n{}e\n{}e\n",
                      c.workers, cap, cap, cap, data_threads, data_processes)};
}

parlab::bench::BenchOutcome full_run(const Settings& s, const parlab::bench::BenchContext& c) {
  fmt::print("lab 01: primes below n with {} workers; parallel capacity {}\n", c.workers, c.capacity.describe());
  const Table table = measure_rows(s, c);
  parlab::bench::BenchOutcome out;
  out.report = {{"n", s.n}, {"small_n", s.small_n}, {"workers", c.workers},
                {"serial", {{"n", parlab::bench::to_json(table.serial_big)}, {"small_n", parlab::bench::to_json(table.serial_small)}}},
                {"rows", nlohmann::json::array()}};
  for (const auto& r : table.rows) {
    out.report["rows"].push_back({{"transport", r.transport}, {"n", r.n}, {"chunk", r.chunk}, {"messages", r.messages},
                                  {"seconds", parlab::bench::to_json(r.time)}, {"speedup", r.serial_median / r.time.median}});
  }
  out.figure = figure(table.rows, c);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  parlab::bench::BenchDriver driver("01", "lab 01 benchmark: throughput of the prime pipeline per chunk size",
                                    parlab::lab01::trace_scenarios());
  Settings s;
  unsigned overhead_rounds = 0;
  CLI::App& app = driver.app();
  app.add_option("--n", s.n, "find primes below n")->check(CLI::Range(std::uint64_t{1000}, std::uint64_t{1} << 40));
  app.add_option("--small-n", s.small_n, "a smaller range for chunks below 1000 numbers, to save time (default: n)");
  driver.workers_option(2, 1, 256, "worker threads / processes");
  driver.repetitions_option(3, 100, "timed runs per configuration");
  driver.output_options("measure only chunk n/64 and print one JSON object (for the grader)",
                        "draw throughput per chunk size into this SVG (needs gnuplot)");
  app.add_option("--trace-overhead", overhead_rounds, "only measure what tracing costs at chunk n/64, over this many rounds");
  return driver.run(argc, argv, {
      .instead = [&]() -> std::optional<int> {
        if (s.small_n == 0 || s.small_n > s.n) s.small_n = s.n;
        if (overhead_rounds == 0) return std::nullopt;
        parlab::lab01::measure_trace_overhead(driver.workers(), s.n, overhead_rounds);
        return 0;
      },
      .grading = [&](const auto& c) { return grading_run(s, c); },
      .full = [&](const auto& c) { return full_run(s, c); }});
}
