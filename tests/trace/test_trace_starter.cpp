// A trace of the starter fails with the starter's TODO message and leaves no file.
#include <filesystem>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "parlab/todo.hpp"
#include "parlab_test/catch.hpp"
#include "trace_lab01.hpp"

namespace fs = std::filesystem;
using parlab_test::ContainsSubstring;

TEST_CASE("tracing lab 01's starter fails with its TODO message and writes no trace", "[trace][starter]") {
  const auto& scenarios = parlab::lab01::trace_scenarios();
  REQUIRE_THROWS_WITH(scenarios.front().run(), ContainsSubstring("TODO"));

  const fs::path path = fs::temp_directory_path() / ("parlab-trace-starter-" + std::to_string(::getpid()) + ".json");
  CLI::App app;
  parlab::bench::TraceOptions options;
  options.add_to(app, scenarios);
  const std::vector<std::string> args = {"compare", "--scenario", path.string(), "--trace"};  // CLI11 wants them reversed
  app.parse(std::vector<std::string>(args));
  REQUIRE(options.run_scenario_if_asked() == 1);
  REQUIRE_FALSE(fs::exists(path));
  REQUIRE_FALSE(fs::exists(path.string() + ".parts"));
}
