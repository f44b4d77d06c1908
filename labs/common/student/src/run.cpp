#include "run.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <poll.h>
#include <unistd.h>

#include <fmt/format.h>

#include "parlab/manifest/catch_cli.hpp"
#include "parlab/manifest/result_channel.hpp"

namespace parlab::student {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The channel's fd number inside the test process.
constexpr int kChannelFd = 3;

std::string make_nonce() {
  std::random_device rd;
  std::ostringstream out;
  out << std::hex << rd() << rd();
  return out.str();
}

std::string describe_failure(const manifest::ChannelRecord& record) {
  std::ostringstream out;
  out << (record.file.empty() ? "?" : record.file) << ':' << record.line << ": ";
  std::string expression = record.expression;
  // Catch2's placeholder when an exception escaped after the last assertion: no help.
  if (expression.starts_with("{Unknown")) expression.clear();
  if (!expression.empty()) {
    out << expression;
    if (!record.expansion.empty() && record.expansion != expression) out << "\n      with expansion: " << record.expansion;
  }
  if (!record.message.empty()) out << (expression.empty() ? "" : "\n      ") << record.message;
  if (!record.info.empty() && record.info != record.message) out << "\n      with: " << record.info;
  return out.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// Everything from the watchdog's report on, or the last lines: what the student needs to see
// about a program that ended inside a case.
std::string tail_worth_showing(const std::string& output) {
  const auto watchdog = output.find("WATCHDOG:");
  if (watchdog != std::string::npos) return output.substr(watchdog);
  const auto lines = lines_of(output);
  std::string tail;
  for (std::size_t i = lines.size() > 20 ? lines.size() - 20 : 0; i < lines.size(); ++i) tail += lines[i] + '\n';
  return tail;
}

// One test program over `names` (all of them still to run). Fills the outcomes of the cases it
// reached; returns how many of `names` it got through (the first unfinished one included).
struct ProgramRun {
  std::size_t reached = 0;
  bool stopped = false;
};

ProgramRun run_program(const Course& course, const Lab& lab, const std::vector<std::string>& names, std::size_t first,
                       std::vector<CaseOutcome>& outcomes, const RunOptions& options) {
  using Event = manifest::ChannelRecord::Event;
  const std::string nonce = make_nonce();
  // One argument, the names separated by commas: Catch2 2.x glues separate arguments together.
  std::string spec;
  for (std::size_t i = first; i < names.size(); ++i) spec += (spec.empty() ? "" : ",") + manifest::catch_test_spec(names[i]);
  const std::vector<std::string> argv{(course.build_dir / lab.visible_target()).string(), spec};
  auto channel = Pipe::create();
  ProcessGroup program(argv, {std::string(manifest::result_fd_variable) + "=" + std::to_string(kChannelFd),
                        std::string(manifest::result_nonce_variable) + "=" + nonce},
                       channel.write_end.get(), kChannelFd);
  channel.write_end.reset();

  ProgramRun result;
  std::string records, output;
  std::size_t parsed = 0;
  CaseOutcome* current = nullptr;
  Clock::time_point current_since{};
  auto next_notice = std::chrono::seconds(2);
  bool channel_open = true, output_open = true;
  auto outcome_for = [&](const std::string& name) -> CaseOutcome* {
    for (std::size_t i = first; i < names.size(); ++i) {
      if (names[i] == name && !outcomes[i].ran) return &outcomes[i];
    }
    return nullptr;
  };
  while (channel_open || output_open) {
    pollfd fds[2] = {{channel.read_end.get(), static_cast<short>(channel_open ? POLLIN : 0), 0},
                     {program.output_fd(), static_cast<short>(output_open ? POLLIN : 0), 0}};
    ::poll(fds, 2, 100);
    if (channel_open && fds[0].revents) channel_open = read_some(channel.read_end.get(), records);
    if (output_open && fds[1].revents) {
      const std::size_t before = output.size();
      output_open = read_some(program.output_fd(), output);
      if (options.show_output) fmt::print("{}", output.substr(before));
    }
    for (auto end = records.find('\n', parsed); end != std::string::npos; end = records.find('\n', parsed)) {
      const auto record = manifest::parse_channel_record(std::string_view(records).substr(parsed, end - parsed));
      parsed = end + 1;
      if (!record) continue;
      if (record->event == Event::case_started) {
        current = outcome_for(record->name);
        if (current != nullptr) current->ran = true;
        current_since = Clock::now();
        next_notice = std::chrono::seconds(2);
        output.clear();
      } else if (record->event == Event::assertion_failed && current != nullptr) {
        current->failures.push_back(describe_failure(*record));
      } else if (record->event == Event::case_ended && current != nullptr) {
        current->passed = record->passed && record->nonce == nonce;
        current = nullptr;
      }
    }
    if (current != nullptr && options.show_running && Clock::now() - current_since >= next_notice) {
      fmt::print("  ... still running after {} s: {}\n", next_notice.count(), current->name);
      std::fflush(stdout);
      next_notice += next_notice < std::chrono::seconds(10) ? std::chrono::seconds(8) : std::chrono::seconds(10);
    }
    if (options.stop_requested && options.stop_requested()) {
      program.stop();
      result.stopped = true;
      return result;
    }
  }
  const ExitStatus status = program.wait();
  // Everything up to the last case that started was reached; a case still open was cut short.
  for (std::size_t i = first; i < names.size(); ++i) {
    if (outcomes[i].ran) result.reached = i + 1 - first;
  }
  if (current == nullptr && !status.exited && result.reached > 0) {
    // Catch2 reports a fatal signal as the end of the case it hit, then dies of it: still the
    // case the program ended in.
    current = &outcomes[first + result.reached - 1];
  }
  if (current != nullptr) {
    current->cut_short = status.code == 124 && status.exited ? "stopped by the watchdog (it hung)" : status.describe();
    current->output = tail_worth_showing(output);
  } else if (result.reached == 0) {
    // Ended before its first case (it cannot start, or crashes on loading): none of the rest
    // would run either, so this is reported once, on the first case.
    outcomes[first].ran = true;
    outcomes[first].cut_short = "the test program " + status.describe() + " before the case started";
    outcomes[first].output = tail_worth_showing(output);
    result.reached = names.size() - first;
  }
  return result;
}

// Running builds of `build_dir` that this command did not start: ninja processes whose
// working folder it is.
std::vector<pid_t> foreign_builds(const fs::path& build_dir) {
  std::vector<pid_t> found;
  std::error_code ec;
  const fs::path wanted = fs::weakly_canonical(build_dir, ec);
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string pid = entry.path().filename().string();
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), ::isdigit)) continue;
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name != "ninja" && name != "make" && name != "gmake") continue;
    std::error_code cwd_ec;
    if (fs::read_symlink(entry.path() / "cwd", cwd_ec) == wanted && !cwd_ec) found.push_back(std::stoi(pid));
  }
  return found;
}

void wait_for_foreign_builds(const fs::path& build_dir, const StopRequested& stop_requested) {
  auto builds = foreign_builds(build_dir);
  if (builds.empty()) return;
  fmt::print("another build of {} is running (pid {}); waiting for it to finish...\n", build_dir.string(), builds.front());
  std::fflush(stdout);
  while (!builds.empty()) {
    if (stop_requested && stop_requested()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    builds = foreign_builds(build_dir);
  }
}

}  // namespace

bool TestRun::all_passed() const {
  if (stopped || cases.empty()) return false;
  return std::all_of(cases.begin(), cases.end(), [](const CaseOutcome& c) { return c.passed; });
}

CommandResult build_target(const Course& course, const std::string& target, const StopRequested& stop_requested) {
  const std::vector<std::string> argv{"cmake", "--build", course.build_dir.string(), "--target", target};
  wait_for_foreign_builds(course.build_dir, stop_requested);
  CommandResult result = run_command(argv, stop_requested);
  if (result.exit_code != 0 && !result.stopped && !foreign_builds(course.build_dir).empty()) {
    fmt::print("the build failed while another build of the same folder ran; waiting for that one and retrying once\n");
    wait_for_foreign_builds(course.build_dir, stop_requested);
    result = run_command(argv, stop_requested);
  }
  return result;
}

std::vector<std::string> list_visible_cases(const Course& course, const Lab& lab, const std::string& spec) {
  std::vector<std::string> argv{(course.build_dir / lab.visible_target()).string()};
  const auto list = manifest::catch_list_arguments();
  argv.insert(argv.end(), list.begin(), list.end());
  if (!spec.empty()) argv.push_back(spec);
  const std::vector<std::string> names = manifest::catch_listed_names(run_command(argv).output);
  if (names.empty()) {
    std::string tags;
    for (const auto& task : lab.tasks) tags += " " + task.tag + " (" + task.id + ")";
    throw std::invalid_argument(fmt::format("no visible test of lab {} matches '{}'. This lab's tags:{}", lab.id, spec, tags));
  }
  return names;
}

TestRun run_visible_tests(const Course& course, const Lab& lab, const std::vector<std::string>& names,
                          const RunOptions& options) {
  TestRun run;
  for (const auto& name : names) run.cases.push_back({name, false, false, {}, {}, {}});
  for (std::size_t first = 0; first < names.size();) {
    const ProgramRun program = run_program(course, lab, names, first, run.cases, options);
    if (program.stopped) {
      run.stopped = true;
      break;
    }
    first += std::max<std::size_t>(program.reached, 1);
  }
  return run;
}

}  // namespace parlab::student
