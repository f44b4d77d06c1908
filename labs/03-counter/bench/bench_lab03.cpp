// Lab 03 benchmark: increments per second of every counter, on threads and processes.
//
//   build/release/lab03_bench                    full table + figure data (about a minute)
//   build/release/lab03_bench --svg fig.svg      ... and draw the bar chart
//   build/release/lab03_bench --grading          the graded ratios only, as JSON on stdout
//   build/release/lab03_bench fcntl-demo         why classic fcntl locks do not exclude threads
//
// Every ratio is against the same counter with one worker, measured in the same run, and
// the parallel capacity the machine showed during the run is printed beside them. Counter
// files go to a fresh scratch directory (/dev/shm when it exists; --dir picks another
// place, e.g. a real disk, to see what rename costs there).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "parlab/bench.hpp"
#include "parlab/bench_driver.hpp"
#include "trace_lab03.hpp"
#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab/lab03/counter_file.hpp"
#include "parlab/lab03/scratch_dir.hpp"
#include "parlab/lab03/shared_counters.hpp"

namespace {

using namespace parlab::lab03;
using parlab::bench::Summary;

// One counter implementation as the benchmark sees it.
struct Mode {
  std::string id;      // "flock", "atomic", ...
  std::string label;   // for tables and the chart
  bool exact;          // must every increment count?
  std::uint64_t total; // increments per timed run, split among the workers
  // Runs `workers` x `per_worker` increments on a fresh counter; returns the final count.
  std::function<std::uint64_t(Backend, unsigned, std::uint64_t)> run;
};

struct Row {
  std::string mode, label;
  Backend backend;
  unsigned workers;
  std::uint64_t increments;
  Summary seconds;
  std::uint64_t lost_max;  // unlocked only: most updates lost in one run
};

std::vector<Mode> make_modes(const std::filesystem::path& dir, std::uint64_t file_total, std::uint64_t shm_total) {
  static unsigned serial = 0;  // a fresh counter file per run
  const auto file_mode = [dir](LockMode lock) {
    return [dir, lock](Backend b, unsigned w, std::uint64_t per) {
      const auto counter = dir / fmt::format("count-{}.txt", serial++);
      const std::uint64_t v = run_file_counter(counter, lock, b, w, per);
      std::filesystem::remove(counter);
      return v;
    };
  };
  const auto shm_mode = [](SharedKind kind) {
    return [kind](Backend b, unsigned w, std::uint64_t per) { return run_shared_counter(kind, b, w, per); };
  };
  return {
      {"none", "file, no lock", false, file_total, file_mode(LockMode::none)},
      {"flock", "file, flock", true, file_total, file_mode(LockMode::flock)},
      {"ofd", "file, OFD lock", true, file_total, file_mode(LockMode::ofd)},
      {"robust", "shm robust mutex", true, shm_total, shm_mode(SharedKind::robust_mutex)},
      {"atomic", "shm atomic", true, shm_total * 4, shm_mode(SharedKind::atomic)},
  };
}

Row measure(const Mode& mode, Backend backend, unsigned workers, unsigned repetitions) {
  const std::uint64_t per = std::max<std::uint64_t>(1, mode.total / workers);
  const std::uint64_t expected = per * workers;
  std::uint64_t lost_max = 0;
  const auto seconds = parlab::bench::time_repeated(
      [&] {
        const std::uint64_t got = mode.run(backend, workers, per);
        if (mode.exact && got != expected) {
          throw std::runtime_error(fmt::format("{} on {} {}: counted {}, expected {} (lost updates under a lock!)",
                                               mode.label, workers, name(backend), got, expected));
        }
        if (got > expected) throw std::runtime_error(fmt::format("{}: counted {} > {}", mode.label, got, expected));
        lost_max = std::max(lost_max, expected - got);
      },
      1, repetitions);
  return {mode.id, mode.label, backend, workers, expected, parlab::bench::summarize(seconds), lost_max};
}

double rate(const Row& r) { return static_cast<double>(r.increments) / r.seconds.median; }

// ---- the classic fcntl demonstration ------------------------------------------------------

bool try_lock(int fd, int cmd) {
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  return ::fcntl(fd, cmd, &fl) == 0;
}

int fcntl_demo(const std::filesystem::path& dir_path) {
  const auto lock_file = dir_path / "demo.lock";
  const auto open_it = [&] {
    parlab::UniqueFd fd(::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666));
    if (!fd) throw std::system_error(errno, std::generic_category(), "open " + lock_file.string());
    return fd;
  };
  fmt::print("Two threads of ONE process, each with its own open() of the same lock file.\n\n");
  for (const auto& [title, cmd] : {std::pair{"classic fcntl (F_SETLK)", F_SETLK}, std::pair{"OFD lock (F_OFD_SETLK)", F_OFD_SETLK}}) {
    parlab::UniqueFd first = open_it(), second = open_it();
    const bool a = try_lock(first.get(), cmd);
    bool b = false;
    std::thread([&] { b = try_lock(second.get(), cmd); }).join();
    fmt::print("{:<26} thread 1 locks: {:<4} thread 2 locks while thread 1 holds it: {}\n", title, a ? "yes" : "no",
               b ? "YES - no exclusion" : "no - excluded");
  }
  // The second surprise: closing ANY descriptor of the file drops the process's classic locks.
  {
    parlab::UniqueFd holder = open_it();
    (void)try_lock(holder.get(), F_SETLK);
    parlab::UniqueFd other = open_it();
    other.reset();  // e.g. a library that opened, read and closed the same file
    auto child = parlab::ChildProcess::fork([&] {
      parlab::UniqueFd fd(::open(lock_file.c_str(), O_RDWR | O_CLOEXEC));
      return try_lock(fd.get(), F_SETLK) ? 0 : 1;
    });
    fmt::print("\nclassic fcntl: after the process closes some OTHER fd of the file, another process can\n"
               "take the lock the first fd still 'holds': {}\n",
               child.wait().success() ? "yes - the lock is gone" : "no");
  }
  // And the race itself: an increment under classic fcntl locks, run by 4 threads.
  const auto counter = dir_path / "demo-count.txt";
  constexpr unsigned threads = 4;
  constexpr std::uint64_t per = 2000;
  run_workers(Backend::threads, threads, [&](unsigned) {
    for (std::uint64_t i = 0; i < per; ++i) {
      parlab::UniqueFd fd = open_it();
      struct flock fl {};
      fl.l_type = F_WRLCK;
      fl.l_whence = SEEK_SET;
      while (::fcntl(fd.get(), F_SETLKW, &fl) != 0 && errno == EINTR) {
      }
      write_counter(counter, read_counter(counter) + 1);
    }  // closing fd drops the lock (and every other thread's "lock" too)
  });
  const std::uint64_t got = read_counter(counter);
  fmt::print("\n{} threads x {} increments under classic fcntl locks: counted {} of {} ({} lost).\n"
             "(The loss depends on timing: run it again, or under load, and it changes.)\n",
             threads, per, got, threads * per, threads * per - got);
  return 0;
}

parlab::bench::Figure figure(const std::vector<Row>& rows, const parlab::ParallelCapacity& cap) {
  // One cluster per counter, one bar per (backend, workers).
  std::vector<std::string> modes;
  for (const auto& r : rows) {
    if (std::find(modes.begin(), modes.end(), r.label) == modes.end()) modes.push_back(r.label);
  }
  std::string data;
  for (const auto& m : modes) {
    data += "\"" + m + "\"";
    for (const Backend b : {Backend::threads, Backend::processes}) {
      for (const unsigned w : {1u, 2u, 4u}) {
        double v = 0;
        for (const auto& r : rows) {
          if (r.label == m && r.backend == b && r.workers == w) v = rate(r);
        }
        data += fmt::format(" {:.0f}", v);
      }
    }
    data += "\n";
  }
  std::string plot = "plot ";
  const char* colors[] = {"#9ecae1", "#4292c6", "#08519c", "#fdae6b", "#f16913", "#a63603"};
  int col = 2, c = 0;
  for (const char* b : {"threads", "processes"}) {
    for (const unsigned w : {1u, 2u, 4u}) {
      plot += fmt::format("{}'$data' using {}:xtic(1) title '{} {}' lc rgb '{}'", col == 2 ? "" : ", ", col, w, b,
                          colors[c++]);
      ++col;
    }
  }
  return {860, 460, "dynamic font 'sans,12'", fmt::format(
      "$data << EOD\n{}EOD\n"
      "set title 'Shared counter: increments per second (log scale); machine capacity {:.2f}x for 2 workers'\n"
      "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.9 border -1\n"
      "set boxwidth 0.9\nset logscale y 10\nset yrange [1000:*]\nset format y '10^{{%L}}'\n"
      "set ylabel 'increments per second'\nset grid ytics\nset key outside right top title 'workers'\n"
      "{}\n",
      data, cap.speedup, plot)};
}

struct Settings {
  std::uint64_t file_total = 6000, shm_total = 1'000'000;
  std::string dir_option;
};

const Mode& find_mode(const std::vector<Mode>& modes, const std::string& id) {
  return *std::find_if(modes.begin(), modes.end(), [&](const Mode& m) { return m.id == id; });
}

parlab::bench::BenchOutcome grading_run(const std::vector<Mode>& modes, unsigned repetitions) {
  const Row f1 = measure(find_mode(modes, "flock"), Backend::processes, 1, repetitions);
  const Row f4 = measure(find_mode(modes, "flock"), Backend::processes, 4, repetitions);
  const Row r1 = measure(find_mode(modes, "robust"), Backend::processes, 1, repetitions);
  const Row r2 = measure(find_mode(modes, "robust"), Backend::processes, 2, repetitions);
  parlab::bench::BenchOutcome out;
  out.report = {
      {"increments_per_second",
       {{"flock_processes_1", rate(f1)}, {"flock_processes_4", rate(f4)},
        {"robust_processes_1", rate(r1)}, {"robust_processes_2", rate(r2)}}},
      {"metrics", {{"flock_processes_4_over_1", rate(f4) / rate(f1)}, {"robust_processes_2_over_1", rate(r2) / rate(r1)}}}};
  return out;
}

std::vector<Row> measure_table(const std::vector<Mode>& modes, unsigned repetitions) {
  fmt::print("{:<18} {:<10} {:>7} {:>10} {:>11} {:>14} {:>9} {:>8}\n", "counter", "backend", "workers", "increments",
             "median", "increments/s", "vs 1", "lost");
  std::vector<Row> rows;
  for (const auto& mode : modes) {
    for (const Backend backend : {Backend::threads, Backend::processes}) {
      double base = 0;
      for (const unsigned workers : {1u, 2u, 4u}) {
        rows.push_back(measure(mode, backend, workers, repetitions));
        const Row& r = rows.back();
        if (workers == 1) base = rate(r);
        fmt::print("{:<18} {:<10} {:>7} {:>10} {:>11} {:>14.0f} {:>8.2f}x {:>8}\n", r.label, name(backend), workers,
                   r.increments, parlab::bench::human_seconds(r.seconds.median), rate(r), rate(r) / base,
                   mode.exact ? "-" : std::to_string(r.lost_max));
        std::fflush(stdout);
      }
    }
  }
  return rows;
}

parlab::bench::BenchOutcome full_run(const Settings& s, const ScratchDir& dir, const parlab::bench::BenchContext& c) {
  fmt::print("lab 03: shared counters, increments per second; files in {}\n", dir.path().string());
  fmt::print("parallel capacity: {}\n\n", c.capacity.describe());
  const std::vector<Row> rows = measure_table(make_modes(dir.path(), s.file_total, s.shm_total), c.repetitions);
  parlab::bench::BenchOutcome out;
  out.report = {{"file_increments", s.file_total}, {"shm_increments", s.shm_total}, {"rows", nlohmann::json::array()}};
  for (const auto& r : rows) {
    out.report["rows"].push_back({{"counter", r.mode}, {"backend", name(r.backend)}, {"workers", r.workers},
                                  {"increments", r.increments}, {"seconds", parlab::bench::to_json(r.seconds)},
                                  {"increments_per_second", rate(r)}, {"lost_max", r.lost_max}});
  }
  out.figure = figure(rows, c.capacity);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  parlab::bench::BenchDriver driver("03", "lab 03 benchmark: increments per second of each shared counter, threads and processes",
                                    parlab::lab03::trace_scenarios());
  Settings s;
  CLI::App& app = driver.app();
  app.add_option("--file-increments", s.file_total, "increments per timed run for the file counters")
      ->check(CLI::Range(std::uint64_t{4}, std::uint64_t{10'000'000}));
  app.add_option("--shm-increments", s.shm_total, "increments per timed run for the robust mutex (atomic: 4x)")
      ->check(CLI::Range(std::uint64_t{4}, std::uint64_t{1'000'000'000}));
  driver.repetitions_option(3, 50, "timed runs per configuration");
  app.add_option("--dir", s.dir_option, "put counter files in a fresh directory under this one")->check(CLI::ExistingDirectory);
  driver.output_options("measure only the graded ratios and print one JSON object", "draw the bar chart into this SVG file (needs gnuplot)",
                        "also write the results as JSON to this file");
  auto* demo = app.add_subcommand("fcntl-demo", "show that classic fcntl locks do not exclude threads of one process");
  // The counters' files live in one scratch folder for the whole run (no --workers: the
  // capacity probe uses 2, the table 1, 2 and 4).
  std::optional<ScratchDir> dir;
  return driver.run(argc, argv, {
      .instead = [&]() -> std::optional<int> {
        if (!s.dir_option.empty()) ::setenv("PARLAB_SCRATCH_DIR", s.dir_option.c_str(), 1);
        dir.emplace("parlab-lab03-bench");
        if (demo->parsed()) return fcntl_demo(dir->path());
        return std::nullopt;
      },
      .grading = [&](const auto& c) { return grading_run(make_modes(dir->path(), s.file_total, s.shm_total), c.repetitions); },
      .full = [&](const auto& c) { return full_run(s, *dir, c); }});
}
