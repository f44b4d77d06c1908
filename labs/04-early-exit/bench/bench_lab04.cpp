// Lab 04 benchmark: early exit with a shared flag, and what reading the flag costs.
//
//   build/release/lab04_bench                           full tables (about half a minute)
//   build/release/lab04_bench --svg figures/stop_latency.svg --json results.json
//   build/release/lab04_bench --grading                 the graded figures, one JSON object
//
// Every speed-up is against serial trial division (parlab::is_prime) timed in the same
// run, next to the parallel capacity the machine delivered during that run. Work is
// counted in divisions. The Redis rows run against a redis-server this program starts
// on 127.0.0.1 (persistence off) and kills at the end; without one they are skipped.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <pthread.h>
#include <time.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include "parlab/bench.hpp"
#include "parlab/bench_driver.hpp"
#include "trace_lab04.hpp"
#include "parlab/fd.hpp"
#include "parlab/lab04/early_exit.hpp"
#include "parlab/primes.hpp"
#include "parlab/redis_server.hpp"
#include "parlab/stopwatch.hpp"


namespace {

using namespace parlab::lab04;
using parlab::bench::Summary;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kComposite1 = 100109100129100369;  // 95362951 * 1049769319
constexpr std::uint64_t kComposite2 = 100109100129101027;  // 171656941 * 583192847
constexpr std::uint64_t kSmallComposite = 112272535095295;
constexpr std::uint64_t kPrime1 = 100109100129100151;
constexpr std::uint64_t kPrime2 = 100109100129162907;

// ---- helpers ---------------------------------------------------------------------------
// Serial trial division's work: the odd divisors it tries before it stops.
std::uint64_t serial_divisions(std::uint64_t n) {
  const std::uint64_t root = parlab::isqrt(n);
  for (std::uint64_t d = 3; d <= root; d += 2) {
    if (n % d == 0) return (d - 3) / 2 + 1;
  }
  return root >= 3 ? (root - 3) / 2 + 1 : 0;
}

Summary time_it(const std::function<void()>& once, unsigned repetitions) {
  const auto seconds = parlab::bench::time_repeated(once, 0, repetitions);
  return parlab::bench::summarize(seconds);
}

std::string check_every_name(std::uint64_t k) {
  if (k == kNeverCheck) return "never";
  if (k >= 1000 && std::pow(10.0, std::round(std::log10(static_cast<double>(k)))) == static_cast<double>(k)) {
    return fmt::format("10^{}", static_cast<int>(std::round(std::log10(static_cast<double>(k)))));
  }
  return std::to_string(k);
}

// CPU time of one thread: it advances only while that thread runs, so it converts into
// divisions even on a machine where the thread is sometimes waiting for a core.
double thread_cpu_seconds(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Remembers the worker's CPU time when it first saw the flag up.
class TimedFlag final : public StopFlag {
 public:
  explicit TimedFlag(StopFlag& inner) : inner_(inner) {}
  bool is_set() override {
    const bool up = inner_.is_set();
    if (up && seen_cpu < 0) seen_cpu = thread_cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
    return up;
  }
  void raise() override { inner_.raise(); }
  void clear() override { inner_.clear(); }
  double seen_cpu = -1;

 private:
  StopFlag& inner_;
};

struct Transport {
  std::string name;
  // Makes a flag for one worker; `shared` is the first flag made, for transports where
  // every worker must use the same object (the atomic).
  std::function<std::unique_ptr<StopFlag>()> make;
  std::uint64_t check_every;  // used for the speed-up and composite rows
  std::function<Verdict(std::uint64_t, unsigned, std::uint64_t)> is_prime;
};

// A shared-object flag handed to several workers: a non-owning view.
class FlagView final : public StopFlag {
 public:
  explicit FlagView(StopFlag& f) : f_(f) {}
  bool is_set() override { return f_.is_set(); }
  void raise() override { f_.raise(); }
  void clear() override { f_.clear(); }

 private:
  StopFlag& f_;
};

struct LatencyRow {
  std::string transport;
  std::uint64_t check_every;
  double divisions_after;  // median over trials
  double seconds_after;
};

struct OverheadRow {
  std::string transport;
  std::uint64_t check_every;
  double overhead;  // t(k) / t(never) - 1
};

struct Settings {
  std::uint64_t check_every = kDefaultCheckEvery;
  std::uint64_t redis_check_every = 1'000'000;
  bool no_redis = false;
};

using IsPrimeFn = std::function<Verdict(std::uint64_t, unsigned, std::uint64_t)>;
const IsPrimeFn threads_fn = [](std::uint64_t n, unsigned w, std::uint64_t k) { return is_prime_threads(n, w, k); };
const IsPrimeFn processes_fn = [](std::uint64_t n, unsigned w, std::uint64_t k) { return is_prime_processes(n, w, k); };
const std::vector<std::uint64_t> primes = {kPrime1, kPrime2};
const std::vector<std::uint64_t> composites = {kSmallComposite, kComposite1, kComposite2};

// What the sections of one run share: the serial baselines, the flags, the report so far.
struct Run {
  const parlab::bench::BenchContext& context;
  std::map<std::uint64_t, double> serial_seconds;
  std::map<std::uint64_t, std::uint64_t> serial_work;
  std::vector<Transport> transports;
  double ns_per_division = 1e300;
  nlohmann::json report = nlohmann::json::object();
  std::map<std::string, double> prime_over_capacity, check_ns;
  std::map<std::string, std::uint64_t> smallest_ok;
  double reduction_atomic = 0;
  std::vector<OverheadRow> overhead_rows;
  std::vector<LatencyRow> latency_rows;

  void measure_serial(std::uint64_t n) {
    serial_work[n] = serial_divisions(n);
    serial_seconds[n] = time_it([&] {
                          if (parlab::is_prime(n) != (n == kPrime1 || n == kPrime2)) throw std::logic_error("is_prime");
                        }, context.repetitions).median;
  }

  // The mean speed-up over serial on the primes, and each.
  std::pair<double, std::vector<double>> prime_speedup(const IsPrimeFn& fn, std::uint64_t every) {
    double sum = 0;
    std::vector<double> each;
    for (const std::uint64_t n : primes) {
      const Summary t = time_it([&] {
        if (!fn(n, context.workers, every).prime) throw std::runtime_error(fmt::format("{} reported composite", n));
      }, context.repetitions);
      each.push_back(serial_seconds[n] / t.median);
      sum += each.back();
    }
    return std::pair{sum / static_cast<double>(primes.size()), each};
  }
};

parlab::bench::BenchOutcome grading_run(const Settings& s, const parlab::bench::BenchContext& c) {
  Run run{c, {}, {}, {}, 1e300, {}, {}, {}, {}, 0, {}, {}};
  for (const auto n : primes) run.measure_serial(n);
  run.serial_work[kComposite2] = serial_divisions(kComposite2);
  const auto [ts, ts_each] = run.prime_speedup(threads_fn, s.check_every);
  const auto [ps, ps_each] = run.prime_speedup(processes_fn, s.check_every);
  std::vector<double> reductions;
  for (unsigned r = 0; r < c.repetitions; ++r) {
    const Verdict v = is_prime_threads(kComposite2, c.workers, s.check_every);
    if (v.prime) throw std::runtime_error("100109100129101027 reported prime");
    reductions.push_back(static_cast<double>(run.serial_work[kComposite2]) /
                         static_cast<double>(std::max<std::uint64_t>(1, v.busiest_worker_divisions())));
  }
  const double reduction = parlab::bench::summarize(reductions).median;
  parlab::bench::BenchOutcome out;
  out.report = {
      {"workers", c.workers}, {"check_every", s.check_every},
      {"serial_seconds", {{"prime1", run.serial_seconds[kPrime1]}, {"prime2", run.serial_seconds[kPrime2]}}},
      {"metrics", {{"threads_prime_speedup", ts}, {"processes_prime_speedup", ps},
                   {"threads_prime_speedup_over_capacity", ts / c.capacity.speedup},
                   {"processes_prime_speedup_over_capacity", ps / c.capacity.speedup},
                   {"composite_work_reduction", reduction}}}};
  return out;
}

// One division, in CPU time (the fastest of a few runs of 30 million): what every
// other cost below is compared with.
double measure_ns_per_division() {
  double ns_per_division = 1e300;
  AtomicStopFlag unused;
  for (int r = 0; r < 5; ++r) {
    const double cpu0 = thread_cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
    const RangeResult scan = check_range(kPrime1, 1'000'001, 1'000'001 + 2 * 30'000'000, unused, kNeverCheck);
    const double cpu = thread_cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    ns_per_division = std::min(ns_per_division, cpu / static_cast<double>(scan.divisions) * 1e9);
  }
  return ns_per_division;
}

std::vector<Transport> make_transports(const Settings& s, const parlab::RedisServer* redis) {
  std::vector<Transport> transports;
  auto atomic_flag = std::make_shared<AtomicStopFlag>();
  auto mmap_flag = std::make_shared<SharedStopFlag>();
  transports.push_back({"atomic", [atomic_flag] { return std::make_unique<FlagView>(*atomic_flag); }, s.check_every, threads_fn});
  transports.push_back({"mmap", [mmap_flag] { return std::make_unique<FlagView>(*mmap_flag); }, s.check_every, processes_fn});
  if (redis != nullptr) {
    const RedisEndpoint where{redis->host(), redis->port(), "parlab:lab04:bench:stop"};
    transports.push_back({"redis", [where] { return std::make_unique<RedisStopFlag>(where); }, s.redis_check_every,
                          [where](std::uint64_t n, unsigned w, std::uint64_t k) { return is_prime_redis(n, w, where, k); }});
  }
  return transports;
}

// 1. Speed-up on the primes (nothing to find: every divisor is tried, by someone).
void section_primes(Run& run) {
  const auto& c = run.context;
  fmt::print("1. the 18-digit primes: speed-up over serial ({} workers; capacity {:.2f}x)\n", c.workers, c.capacity.speedup);
  fmt::print("{:<8} {:>12} {:>22} {:>22} {:>10} {:>12}\n", "flag", "check_every", "100109100129100151", "100109100129162907",
             "mean", "of capacity");
  for (const auto& t : run.transports) {
    const auto [mean, each] = run.prime_speedup(t.is_prime, t.check_every);
    run.prime_over_capacity[t.name] = mean / c.capacity.speedup;
    fmt::print("{:<8} {:>12} {:>21.2f}x {:>21.2f}x {:>9.2f}x {:>11.0f}%\n", t.name, check_every_name(t.check_every),
               each[0], each[1], mean, 100 * mean / c.capacity.speedup);
    run.report["primes"][t.name] = {{"check_every", t.check_every}, {"speedups", each}, {"mean", mean},
                                    {"over_capacity", mean / c.capacity.speedup}};
    std::fflush(stdout);
  }
}

// 2. The composites: work and time against serial.
void section_composites(Run& run) {
  fmt::print("\n2. the composites: serial work / busiest worker's work, serial time / parallel time (medians)\n");
  fmt::print("{:<8} {:>20} {:>14} {:>14} {:>14} {:>12} {:>10}\n", "flag", "n", "serial work", "busiest worker",
             "all workers", "work ratio", "time ratio");
  for (const auto& t : run.transports) {
    for (const auto n : composites) {
      std::vector<double> busiest_runs, total_runs;
      const Summary time = time_it([&] {
        const Verdict v = t.is_prime(n, run.context.workers, t.check_every);
        if (v.prime) throw std::runtime_error(fmt::format("{} reported prime", n));
        busiest_runs.push_back(static_cast<double>(std::max(v.busiest_worker_divisions(), v.precheck_divisions)));
        total_runs.push_back(static_cast<double>(v.divisions()));
      }, run.context.repetitions);
      // Medians over the runs: which worker gets a core first varies from run to run.
      const auto busiest = static_cast<std::uint64_t>(parlab::bench::summarize(busiest_runs).median);
      const auto total = static_cast<std::uint64_t>(parlab::bench::summarize(total_runs).median);
      const double work_ratio = static_cast<double>(run.serial_work[n]) / static_cast<double>(std::max<std::uint64_t>(1, busiest));
      const double time_ratio = run.serial_seconds[n] / time.median;
      if (t.name == "atomic" && n == kComposite2) run.reduction_atomic = work_ratio;
      fmt::print("{:<8} {:>20} {:>14} {:>14} {:>14} {:>11.1f}x {:>9.3g}x\n", t.name, n, run.serial_work[n], busiest,
                 total, work_ratio, time_ratio);
      run.report["composites"].push_back({{"transport", t.name}, {"n", n}, {"serial_divisions", run.serial_work[n]},
                                          {"busiest_worker_divisions", busiest}, {"all_divisions", total},
                                          {"work_ratio", work_ratio}, {"time_ratio", time_ratio},
                                          {"seconds", parlab::bench::to_json(time)}});
      std::fflush(stdout);
    }
  }
}

// 3. Cost of one flag check (the flag is down, as it is almost always).
void section_check_cost(Run& run) {
  fmt::print("\n3. cost of one flag check, against one division ({:.2f} ns)\n", run.ns_per_division);
  for (const auto& t : run.transports) {
    auto flag = t.make();
    const unsigned calls = t.name == "redis" ? 20'000 : 20'000'000;
    flag->clear();
    unsigned up = 0;
    const parlab::Stopwatch sw;
    for (unsigned i = 0; i < calls; ++i) up += flag->is_set() ? 1u : 0u;
    const double ns = sw.seconds() / calls * 1e9;
    if (up != 0) throw std::logic_error("flag was up");
    run.check_ns[t.name] = ns;
    fmt::print("{:<8} {:>12.1f} ns per check = {:>10.1f} divisions\n", t.name, ns, ns / run.ns_per_division);
    run.report["check_cost_ns"][t.name] = ns;
  }
}

// 4. Overhead of checking against never checking, one worker on a range of a prime.
void section_overhead(Run& run) {
  fmt::print("\n4. overhead of reading the flag every check_every divisions (one worker, flag down)\n");
  const std::vector<std::uint64_t> overhead_ks = {1, 10, 100, 1000, 10'000, 100'000, 1'000'000, 10'000'000};
  fmt::print("{:<8}", "flag");
  for (const auto k : overhead_ks) fmt::print(" {:>9}", check_every_name(k));
  fmt::print("   smallest check_every with <= 5 %\n");
  for (const auto& t : run.transports) {
    auto flag = t.make();
    flag->clear();
    fmt::print("{:<8}", t.name);
    for (const auto k : overhead_ks) {
      // Enough divisions for a stable time; for Redis never more than 20000 round trips.
      const std::uint64_t span = t.name == "redis" ? std::min<std::uint64_t>(30'000'000, 20'000 * k) : 30'000'000;
      const std::uint64_t lo = 1'000'001, hi = lo + 2 * span;
      // Interleaved, and the fastest of several runs: noise only ever adds time.
      double with = 1e300, without = 1e300;
      for (unsigned r = 0; r < std::max(5u, run.context.repetitions); ++r) {
        with = std::min(with, time_it([&] { (void)check_range(kPrime1, lo, hi, *flag, k); }, 1).min);
        without = std::min(without, time_it([&] { (void)check_range(kPrime1, lo, hi, *flag, kNeverCheck); }, 1).min);
      }
      const double overhead = with / without - 1;
      run.overhead_rows.push_back({t.name, k, overhead});
      if (overhead <= 0.05 && !run.smallest_ok.contains(t.name)) run.smallest_ok[t.name] = k;
      fmt::print(" {:>8.1f}%", 100 * overhead);
      std::fflush(stdout);
    }
    const bool found = run.smallest_ok.contains(t.name);
    fmt::print("   {}\n", found ? check_every_name(run.smallest_ok[t.name]) : "none measured");
    run.report["smallest_check_every_within_5_percent"][t.name] = found ? nlohmann::json(run.smallest_ok[t.name]) : nlohmann::json(nullptr);
  }
  for (const auto& r : run.overhead_rows) {
    run.report["overhead"].push_back({{"transport", r.transport}, {"check_every", r.check_every}, {"overhead", r.overhead}});
  }
}

struct LatencyTrial {
  double after_cpu = 0, after_wall = 0;
  bool clean = false;
};

// One worker thread scans a prime's range; after 20 ms this thread raises the flag. Work
// after the flag = the worker's CPU time from the raise to the first read that saw the
// flag up (or to the end of its range). CPU time, not wall time: a worker waiting for a
// core does no divisions.
LatencyTrial latency_trial(const Transport& t, std::uint64_t k) {
  auto worker_flag = t.make();
  auto raiser = t.make();
  raiser->clear();
  TimedFlag timed(*worker_flag);
  RangeResult result;
  double done_cpu = 0;
  Clock::time_point done_wall{};
  std::atomic<bool> ready{false};
  clockid_t worker_clock{};
  std::jthread worker([&] {
    ::pthread_getcpuclockid(::pthread_self(), &worker_clock);
    ready.store(true, std::memory_order_release);
    result = check_range(kPrime1, 1'000'001, 1'000'001 + 2 * 40'000'000, timed, k);
    done_cpu = thread_cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
    done_wall = Clock::now();
  });
  while (!ready.load(std::memory_order_acquire)) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const double before_cpu = thread_cpu_seconds(worker_clock);
  const Clock::time_point raised_wall = Clock::now();
  raiser->raise();
  const double after_cpu_now = thread_cpu_seconds(worker_clock);
  worker.join();
  raiser->clear();
  // A trial counts only if the worker's CPU clock barely moved while this thread read it
  // and raised the flag (this thread may lose its core in between). Not for "never": that
  // worker ignores the flag, and a slow raise (a Redis SET takes ~50 us) would otherwise
  // discard every trial.
  if (k != kNeverCheck && after_cpu_now - before_cpu > 5e-6) return {};
  const double stop_cpu = result.outcome == Outcome::stopped ? timed.seen_cpu : done_cpu;
  return {std::max(0.0, stop_cpu - before_cpu), std::chrono::duration<double>(done_wall - raised_wall).count(), true};
}

// 5. Stop latency: divisions done after the flag went up.
void section_latency(Run& run) {
  const unsigned repetitions = run.context.repetitions;
  fmt::print("\n5. stop latency: divisions done after the flag went up (median of {} trials)\n", repetitions);
  const std::vector<std::uint64_t> latency_ks = {1, 10, 1000, 100'000, kNeverCheck};
  fmt::print("{:<8}", "flag");
  for (const auto k : latency_ks) fmt::print(" {:>20}", check_every_name(k));
  fmt::print("\n");
  for (const auto& t : run.transports) {
    fmt::print("{:<8}", t.name);
    for (const auto k : latency_ks) {
      std::vector<double> after_cpu, after_wall;
      for (unsigned attempt = 0; after_cpu.size() < repetitions && attempt < 10 * repetitions; ++attempt) {
        const LatencyTrial trial = latency_trial(t, k);  // disturbed: try again
        if (!trial.clean) continue;
        after_cpu.push_back(trial.after_cpu);
        after_wall.push_back(trial.after_wall);
      }
      if (after_cpu.empty()) {
        after_cpu.push_back(std::nan(""));
        after_wall.push_back(std::nan(""));
      }
      const double cpu = parlab::bench::summarize(after_cpu).median;
      const double wall = parlab::bench::summarize(after_wall).median;
      const double divisions = cpu * 1e9 / run.ns_per_division;
      run.latency_rows.push_back({t.name, k, divisions, wall});
      fmt::print(" {:>20}", std::isnan(divisions) ? std::string("no clean trial")
                                                    : fmt::format("{:.3g} ({})", divisions, parlab::bench::human_seconds(wall)));
      std::fflush(stdout);
    }
    fmt::print("\n");
  }
  fmt::print("(in brackets: wall-clock time from raising the flag to the worker's return; the\n"
             " measurement cannot resolve less than about a microsecond of the worker's CPU time)\n");
  for (const auto& r : run.latency_rows) {
    run.report["stop_latency"].push_back({{"transport", r.transport}, {"check_every", r.check_every},
                                          {"divisions_after_flag", r.divisions_after}, {"seconds_to_return", r.seconds_after}});
  }
}

// Closing note: the goals.
void print_goals(Run& run) {
  fmt::print("\ngoals\n");
  fmt::print("  {} workers on 100109100129101027: busiest worker does 1/{:.1f} of the serial work (goal >= 8, ideal 12.8): {}\n",
             run.context.workers, run.reduction_atomic, run.reduction_atomic >= 8 ? "met" : "NOT met");
  for (const auto& [name, ratio] : run.prime_over_capacity) {
    fmt::print("  {:<6} speed-up on the primes = {:.0f}% of the capacity (goal >= 95%): {}\n", name, 100 * ratio,
               ratio >= 0.95 ? "met" : "NOT met");
  }
  for (const auto& t : run.transports) {
    const double predicted = run.check_ns[t.name] / (0.05 * run.ns_per_division);
    fmt::print("  {:<6} one check = {:.1f} ns = {:.1f} divisions -> check_every >= {:.0f} keeps it under 5 %; measured: {}\n",
               t.name, run.check_ns[t.name], run.check_ns[t.name] / run.ns_per_division, predicted,
               run.smallest_ok.contains(t.name) ? check_every_name(run.smallest_ok[t.name]) : "none of those tried");
  }
  run.report["goals"] = {{"composite_work_reduction", run.reduction_atomic}, {"prime_speedup_over_capacity", run.prime_over_capacity}};
}

// Stop latency and check overhead against check_every, side by side.
parlab::bench::Figure figure(const Run& run) {
  // "never" is drawn at 10^7 on the check_every axis.
  auto x_of = [](std::uint64_t k) { return k == kNeverCheck ? 1e7 : static_cast<double>(k); };  // latency only
  std::string latency_data = "1 0.5\n1000000 500000\ne\n", overhead_data;
  std::string plot_latency = "plot '-' using 1:2 with lines dt 2 lc 'gray' title 'check\\_every / 2', ";
  std::string plot_overhead = "plot ";
  const char* styles[] = {"pt 7 lc rgb '#1b9e77'", "pt 5 lc rgb '#7570b3'", "pt 9 lc rgb '#d95f02'"};
  for (std::size_t i = 0; i < run.transports.size(); ++i) {
    const std::string& name = run.transports[i].name;
    for (const auto& r : run.latency_rows) {
      // A point without a clean trial is left out rather than drawn at 1.
      if (r.transport == name && !std::isnan(r.divisions_after)) {
        latency_data += fmt::format("{} {}\n", x_of(r.check_every), std::max(1.0, r.divisions_after));
      }
    }
    latency_data += "e\n";
    for (const auto& r : run.overhead_rows) {
      if (r.transport == name) overhead_data += fmt::format("{} {}\n", x_of(r.check_every), std::max(0.5, 1 + r.overhead));
    }
    overhead_data += "e\n";
    const std::string line = fmt::format("{}'-' using 1:2 with linespoints lw 2 {} title '{}'", i ? ", " : "", styles[i % 3], name);
    plot_latency += line;
    plot_overhead += line;
  }
  return {960, 440, "font 'sans,12'", fmt::format(
      "set multiplot layout 1,2\n"
      "set logscale xy 10\nset grid\nset key left top\nset format y '10^{{%T}}'\n"
      "set xtics ('1' 1, '10' 10, '100' 100, '10^3' 1000, '10^4' 10000, '10^5' 100000, '10^6' 1000000, 'never' 10000000)\n"
      "set xrange [0.7:1.4e7]\n"
      "set xlabel 'check\\_every (divisions between two reads of the flag)'\n"
      "set ylabel 'divisions done after the flag went up'\n"
      "set title 'stop latency (one division = {:.2f} ns)'\n{}\n{}"
      "set xrange [0.7:1.4e7]\nset key right top\n"
      "set xtics ('1' 1, '10' 10, '100' 100, '10^3' 1000, '10^4' 10000, '10^5' 100000, '10^6' 1000000, '10^7' 10000000)\n"
      "set arrow 1 from graph 0, first 1.05 to graph 1, first 1.05 nohead dt 2 lc 'gray'\n"
      "set label 1 '+5 %' at graph 0.02, first 1.05 offset 0,0.6\n"
      "set ylabel 'time / time without reading the flag'\nset yrange [0.5:*]\n"
      "set title 'cost of reading the flag (one worker)'\n{}\n{}"
      "unset multiplot\n",
      run.ns_per_division, plot_latency, latency_data, plot_overhead, overhead_data)};
}

std::unique_ptr<parlab::RedisServer> start_redis(const Settings& s) {
  if (s.no_redis) return nullptr;
  if (parlab::RedisServer::find_executable()) return std::make_unique<parlab::RedisServer>();
  fmt::print("redis-server is not installed: the Redis rows are skipped (apt-get install redis-server)\n");
  return nullptr;
}

parlab::bench::BenchOutcome full_run(const Settings& s, const parlab::bench::BenchContext& c) {
  const std::unique_ptr<parlab::RedisServer> redis = start_redis(s);
  Run run{c, {}, {}, {}, 1e300, {}, {}, {}, {}, 0, {}, {}};
  fmt::print("lab 04: early exit, {} workers; parallel capacity {}\n", c.workers, c.capacity.describe());
  for (const auto n : primes) run.measure_serial(n);
  for (const auto n : composites) run.measure_serial(n);
  run.ns_per_division = measure_ns_per_division();
  fmt::print("serial is_prime: {} on {} ({} divisions); one division = {:.2f} ns of CPU time\n\n",
             parlab::bench::human_seconds(run.serial_seconds[kPrime1]), kPrime1, run.serial_work[kPrime1], run.ns_per_division);
  run.transports = make_transports(s, redis.get());
  run.report = {{"workers", c.workers}, {"ns_per_division", run.ns_per_division}};
  section_primes(run);
  section_composites(run);
  section_check_cost(run);
  section_overhead(run);
  section_latency(run);
  print_goals(run);
  parlab::bench::BenchOutcome out;
  out.report = run.report;
  out.figure = figure(run);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  parlab::bench::BenchDriver driver("04", "lab 04 benchmark: early exit with an atomic, an mmap and a Redis flag",
                                    parlab::lab04::trace_scenarios());
  Settings s;
  CLI::App& app = driver.app();
  driver.workers_option(2, 1, kMaxWorkers, "workers for the speed-up and early-exit rows");
  driver.repetitions_option(3, 50, "timed runs per configuration (the median is reported)");
  app.add_option("--check-every", s.check_every, "check_every for the atomic and mmap rows")->check(CLI::PositiveNumber);
  app.add_option("--redis-check-every", s.redis_check_every, "check_every for the Redis rows")->check(CLI::PositiveNumber);
  driver.output_options("measure only the graded figures and print one JSON object (for the grader)",
                        "draw stop latency and check overhead against check_every into this SVG (gnuplot)");
  app.add_flag("--no-redis", s.no_redis, "skip every Redis row");
  return driver.run(argc, argv, {.instead = nullptr,
                                 .grading = [&](const auto& c) { return grading_run(s, c); },
                                 .full = [&](const auto& c) { return full_run(s, c); }});
}
