// Lab 01 benchmark: how message granularity decides whether a pipeline pays.
//
//   build/release/lab01_bench                 full table + figure (about a minute)
//   build/release/lab01_bench --grading       the graded figure only, as JSON on stdout
//
// Every speed-up is against a serial run measured in the same process, and is printed
// next to the parallel capacity the machine delivered during the same run.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "parlab/bench.hpp"
#include "parlab/bench_trace.hpp"
#include "parlab/capacity.hpp"
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lab 01 benchmark: throughput of the prime pipeline per chunk size"};
  std::uint64_t n = 5'000'000;
  std::uint64_t small_n = 0;
  unsigned workers = 2;
  unsigned repetitions = 3;
  bool grading = false;
  std::string json_path, svg_path;
  app.add_option("--n", n, "find primes below n")->check(CLI::Range(std::uint64_t{1000}, std::uint64_t{1} << 40));
  app.add_option("--small-n", small_n, "a smaller range for chunks below 1000 numbers, to save time (default: n)");
  app.add_option("--workers", workers, "worker threads / processes")->check(CLI::Range(1u, 256u));
  app.add_option("--repetitions", repetitions, "timed runs per configuration")->check(CLI::Range(1u, 100u));
  app.add_flag("--grading", grading, "measure only chunk n/64 and print one JSON object (for the grader)");
  app.add_option("--json", json_path, "also write the full results as JSON to this file");
  app.add_option("--svg", svg_path, "draw throughput per chunk size into this SVG (needs gnuplot)");
  unsigned overhead_rounds = 0;
  app.add_option("--trace-overhead", overhead_rounds, "only measure what tracing costs at chunk n/64, over this many rounds");
  parlab::bench::TraceOptions trace;
  trace.add_to(app, parlab::lab01::trace_scenarios());
  CLI11_PARSE(app, argc, argv);
  if (const auto code = trace.run_scenario_if_asked()) return *code;
  if (overhead_rounds > 0) {
    parlab::lab01::measure_trace_overhead(workers, n, overhead_rounds);
    return 0;
  }
  const auto trace_session = trace.session_for_benchmark();
  if (small_n == 0 || small_n > n) small_n = n;

  try {
    const auto capacity = parlab::measure_parallel_capacity(workers);
    const PipelineFn threads = [](unsigned w, std::uint64_t m, std::uint64_t c) { return parlab::lab01::primes_threads(w, m, c); };
    const PipelineFn processes = [](unsigned w, std::uint64_t m, std::uint64_t c) { return parlab::lab01::primes_processes(w, m, c); };

    auto serial = [&](std::uint64_t m) -> std::pair<Summary, std::size_t> {
      const std::size_t expected = parlab::primes_in({0, m}).size();
      return {time_runs([&] { return parlab::primes_in({0, m}).size(); }, repetitions, expected), expected};
    };

    if (grading) {
      const auto [serial_time, expected] = serial(n);
      const std::uint64_t chunk = std::max<std::uint64_t>(1, n / 64);
      const Summary t = time_runs([&] { return threads(workers, n, chunk).size(); }, repetitions, expected);
      const Summary p = time_runs([&] { return processes(workers, n, chunk).size(); }, repetitions, expected);
      const double ts = serial_time.median / t.median, ps = serial_time.median / p.median;
      nlohmann::json out = {
          {"lab", "01"}, {"n", n}, {"workers", workers}, {"chunk", chunk},
          {"capacity", parlab::bench::to_json(capacity)},
          {"serial_seconds", serial_time.median},
          {"threads_seconds", t.median}, {"processes_seconds", p.median},
          {"metrics", {{"threads_speedup", ts}, {"processes_speedup", ps},
                       {"threads_speedup_over_capacity", ts / capacity.speedup},
                       {"processes_speedup_over_capacity", ps / capacity.speedup}}}};
      std::cout << out.dump(2) << '\n';
      parlab::bench::write_report(json_path, out);
      return 0;
    }

    fmt::print("lab 01: primes below n with {} workers; parallel capacity {}\n", workers, capacity.describe());
    const auto [serial_big, expected_big] = serial(n);
    const auto [serial_small, expected_small] = serial(small_n);
    fmt::print("serial: n = {}: {} ({:.2f} M numbers/s)\n", n, parlab::bench::human_seconds(serial_big.median),
               static_cast<double>(n) / serial_big.median / 1e6);
    if (small_n != n) fmt::print("serial: n = {}: {}\n", small_n, parlab::bench::human_seconds(serial_small.median));
    fmt::print("\n");

    std::vector<std::uint64_t> chunks = {1, 10, 100, 1000, 10'000, n / 256, n / 64, n / 16, n / 2, n};
    std::sort(chunks.begin(), chunks.end());
    chunks.erase(std::unique(chunks.begin(), chunks.end()), chunks.end());

    std::vector<Row> rows;
    fmt::print("{:<10} {:>10} {:>10} {:>10} {:>12} {:>14} {:>9} {:>12}\n", "transport", "n", "chunk",
               "messages", "median", "M numbers/s", "speed-up", "of capacity");
    for (const auto& [name, fn] : {std::pair{"threads", threads}, std::pair{"processes", processes}}) {
      for (const std::uint64_t chunk : chunks) {
        const bool small = chunk < 1000;
        const std::uint64_t m = small ? small_n : n;
        const Summary t = time_runs([&] { return fn(workers, m, chunk).size(); }, repetitions,
                                    small ? expected_small : expected_big);
        const double serial_median = small ? serial_small.median : serial_big.median;
        rows.push_back({name, m, chunk, (m + chunk - 1) / chunk, t, serial_median});
        const double speedup = serial_median / t.median;
        fmt::print("{:<10} {:>10} {:>10} {:>10} {:>12} {:>14.2f} {:>8.2f}x {:>11.0f}%\n", name, m, chunk,
                   rows.back().messages, parlab::bench::human_seconds(t.median), static_cast<double>(m) / t.median / 1e6, speedup,
                   100 * speedup / capacity.speedup);
        std::fflush(stdout);
      }
    }

    nlohmann::json report = {{"lab", "01"}, {"n", n}, {"small_n", small_n}, {"workers", workers},
                             {"capacity", parlab::bench::to_json(capacity)},
                             {"serial", {{"n", parlab::bench::to_json(serial_big)}, {"small_n", parlab::bench::to_json(serial_small)}}},
                             {"rows", nlohmann::json::array()}};
    for (const auto& r : rows) {
      report["rows"].push_back({{"transport", r.transport}, {"n", r.n}, {"chunk", r.chunk}, {"messages", r.messages},
                                {"seconds", parlab::bench::to_json(r.time)}, {"speedup", r.serial_median / r.time.median}});
    }
    parlab::bench::write_report(json_path, report);

    if (!svg_path.empty()) {
      std::string data_threads, data_processes;
      for (const auto& r : rows) {
        (r.transport == "threads" ? data_threads : data_processes) +=
            fmt::format("{} {}\n", r.chunk, r.serial_median / r.time.median);
      }
      const std::string script = fmt::format(
          "set terminal svg size 720,420 dynamic font 'sans,12' background '#ffffff'\n"
          "set output '{}'\n"
          "set title 'Prime pipeline, {} workers: speed-up over serial by chunk size'\n"
          "set logscale x 10\nset xlabel 'numbers per message (chunk)'\nset ylabel 'speed-up over serial'\n"
          "set key left top\nset grid\nset yrange [0:*]\n"
          "set label 'machine capacity {:.2f}x' at graph 0.02, first {:.2f} offset 0,0.6\n"
          "plot {:.3f} with lines dt 2 lc 'gray' notitle, "
          "'-' using 1:2 with linespoints lw 2 pt 7 title 'threads (BlockingQueue)', "
          "'-' using 1:2 with linespoints lw 2 pt 5 title 'processes (pipes)'\n{}e\n{}e\n",
          svg_path, workers, capacity.speedup, capacity.speedup, capacity.speedup, data_threads, data_processes);
      if (parlab::bench::run_gnuplot(script)) fmt::print("\nwrote {}\n", svg_path);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lab01_bench: %s\n", e.what());
    return 1;
  }
}
