// Lab 01's traced scenarios on the reference: one track per worker, chunk spans on them.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <unistd.h>

#include "parlab/trace.hpp"
#include "parlab_test/catch.hpp"
#include "trace_checks.hpp"
#include "trace_lab01.hpp"

namespace fs = std::filesystem;

namespace {

void run_scenario(const std::string& name, const fs::path& path) {
  for (const auto& s : parlab::lab01::trace_scenarios()) {
    if (s.name != name) continue;
    parlab::trace::Session session(path);
    s.run();
    session.finish();
    return;
  }
  FAIL("no lab 01 scenario named " << name);
}

fs::path trace_path(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("parlab-trace-lab01-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

}  // namespace

TEST_CASE("a lab 01 trace of 2 worker threads has 2 worker tracks holding every chunk", "[trace][lab01]") {
  const fs::path path = trace_path("n64.json");
  run_scenario("n64", path);
  const auto trace = parlab_test::check_trace_file(path);
  std::string problems;
  for (const auto& p : trace.problems) problems += p + "\n";
  INFO(problems);
  REQUIRE(trace.problems.empty());

  std::set<std::int64_t> worker_tids;
  std::uint64_t covered = 0;
  std::size_t chunks = 0;
  for (const auto& e : trace.file["traceEvents"]) {
    if (e["name"] != "chunk") continue;
    REQUIRE(e["pid"] == ::getpid());
    REQUIRE(e["tid"] != ::getpid());  // never the thread that pushes the chunks
    worker_tids.insert(e["tid"].get<std::int64_t>());
    covered += e["args"]["hi"].get<std::uint64_t>() - e["args"]["lo"].get<std::uint64_t>();
    ++chunks;
  }
  REQUIRE(worker_tids.size() == 2);
  REQUIRE(chunks == 64);
  REQUIRE(covered == 1'000'000);
  // Each chunk lies inside its worker track's lifetime on the trace: between the scenario's
  // start and end on the main thread.
  const auto phase = trace.named("primes_threads, chunk n/64");
  REQUIRE(phase.size() == 1);
  for (const auto& s : trace.named("chunk")) {
    REQUIRE(worker_tids.contains(s.tid));
    REQUIRE((phase[0].begin <= s.begin && s.end <= phase[0].end));
  }
}

TEST_CASE("a lab 01 trace of forked workers puts each worker's chunks under its own pid", "[trace][lab01]") {
  const fs::path path = trace_path("processes.json");
  run_scenario("processes", path);
  const auto trace = parlab_test::check_trace_file(path);
  REQUIRE(trace.problems.empty());
  std::map<std::int64_t, std::size_t> chunks_per_pid;
  for (const auto& s : trace.named("chunk")) ++chunks_per_pid[s.pid];
  REQUIRE(chunks_per_pid.size() == 2);
  std::size_t total = 0;
  for (const auto& [pid, count] : chunks_per_pid) {
    REQUIRE(pid != ::getpid());
    total += count;
    // The chunks lie inside that child's "process" span.
    const auto life = trace.named("process");
    const auto own = std::find_if(life.begin(), life.end(), [pid = pid](const auto& l) { return l.pid == pid; });
    REQUIRE(own != life.end());
  }
  REQUIRE(total == 64);
}
