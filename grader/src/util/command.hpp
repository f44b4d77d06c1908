#pragma once
// Runs a trusted helper program (cmake, ninja, tar, unzip, gdb) and collects what it
// printed. Student code never runs through this: that is the sandbox's job.

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace grader {

struct CommandResult {
  int exit_code = -1;      // -1 when it did not exit normally
  int signal = 0;          // the signal that ended it, if any
  bool timed_out = false;
  std::string output;      // stdout and stderr interleaved, capped
  double seconds = 0;
  [[nodiscard]] bool ok() const { return exit_code == 0 && !timed_out; }
};

struct CommandOptions {
  std::filesystem::path working_directory;  // empty: the grader's own
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};
  std::size_t output_cap = 4 << 20;
  std::vector<std::string> extra_environment;  // "NAME=value", added to the grader's own
  // Called every `heartbeat_every` while the command runs, with the latest 64-128 KiB it
  // printed (past output_cap too) and the seconds since it started: lets a caller say that a
  // long build is still going and how far it got, instead of minutes of silence.
  std::function<void(const std::string& latest_output, double seconds)> heartbeat;
  std::chrono::milliseconds heartbeat_every{std::chrono::seconds(30)};
};

[[nodiscard]] inline CommandOptions command_options(std::chrono::milliseconds timeout, std::size_t output_cap = 4 << 20) {
  CommandOptions options;
  options.timeout = timeout;
  options.output_cap = output_cap;
  return options;
}

// Runs argv (argv[0] looked up in PATH) in its own process group; on timeout the group is
// killed. Throws std::runtime_error only when the program cannot be started at all.
[[nodiscard]] CommandResult run_command(const std::vector<std::string>& argv, const CommandOptions& options = {});

// True when `name` is an executable found in PATH.
[[nodiscard]] bool program_exists(const std::string& name);

}  // namespace grader
