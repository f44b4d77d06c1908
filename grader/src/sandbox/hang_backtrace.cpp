#include "sandbox/hang_backtrace.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "util/command.hpp"

namespace grader {

namespace {

std::string gdb_backtrace(pid_t pid, std::chrono::seconds patience) {
  try {
    const CommandResult r = run_command({"gdb", "-nx", "-batch", "-p", std::to_string(pid), "-ex", "set pagination off",
                                         "-ex", "set print frame-arguments none", "-ex", "thread apply all bt 40"},
                                        command_options(patience, 256 * 1024));
    return r.output;
  } catch (const std::exception& e) {
    return std::string("gdb could not run: ") + e.what();
  }
}

std::string comm_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

}  // namespace

std::string backtraces_of_processes(std::vector<pid_t> processes, const std::string& program, std::size_t limit) {
  std::sort(processes.begin(), processes.end());
  processes.erase(std::unique(processes.begin(), processes.end()), processes.end());
  // The kernel keeps the first 15 bytes of a program's name as its comm.
  const std::string comm = std::filesystem::path(program).filename().string().substr(0, 15);
  std::vector<pid_t> running_it;
  for (const pid_t p : processes) {
    if (comm_of(p) == comm) running_it.push_back(p);
  }
  if (!running_it.empty()) {
    processes = std::move(running_it);
  } else if (processes.size() > 1) {
    processes.resize(1);
  }
  // The test process gets gdb's usual patience; children only while the whole stays short
  // (a fork bomb's children are slow to attach to, and the case's end waits for this).
  const auto started = std::chrono::steady_clock::now();
  std::string text;
  for (std::size_t i = 0; i < processes.size() && i < limit; ++i) {
    if (i > 0 && std::chrono::steady_clock::now() - started > std::chrono::seconds(15)) break;
    text += fmt::format("=== process {}: {} ===\n", processes[i], i == 0 ? "the test process" : "a child process");
    text += gdb_backtrace(processes[i], i == 0 ? std::chrono::seconds(30) : std::chrono::seconds(10));
  }
  return text;
}

}  // namespace grader
