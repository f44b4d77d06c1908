#include "build_tree.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

#include "compile_sandbox.hpp"
#include "util/command.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

bool is_build_noise(const std::string& line) {
  return line.empty() || line.rfind("[", 0) == 0 || line.rfind("FAILED:", 0) == 0 || line.rfind("ninja:", 0) == 0 ||
         line.rfind("/usr/bin/", 0) == 0 || line.rfind("cd ", 0) == 0 || contains(line, " __compile-student ");
}

bool is_error_line(const std::string& line) {
  return contains(line, "error:") || contains(line, "Error:") || contains(line, "undefined reference to") ||
         contains(line, "ld returned");
}

bool is_context_line(const std::string& line) {
  return contains(line, "In file included from") || contains(line, "In function") ||
         contains(line, "In member function") || contains(line, "In instantiation of") ||
         contains(line, "In lambda function") || line.rfind("                 from ", 0) == 0;
}

}  // namespace

std::vector<std::string> BuildTree::configure_command() const {
  const auto& s = settings_;
  return {"cmake", "-S", s.source_root.string(), "-B", s.binary_dir.string(), "-G", "Ninja",
          "-DPARLAB_IMPL=" + s.implementation, "-DPARLAB_LABS=" + join(s.lab_ids, ";"),
          "-DCMAKE_BUILD_TYPE=" + s.build_type, "-DPARLAB_SANITIZER=" + s.sanitizer,
          // A warning in a student's file must not fail the build: students build without -Werror.
          "-DPARLAB_WERROR=OFF", "-DPARLAB_SEPARATION_CHECK=OFF", "-DPARLAB_COVERAGE=OFF",
          "-DPARLAB_BUILD_GRADER=OFF", "-DPARLAB_STUDENT_COMPILE_LAUNCHER=" + s.student_compile_launcher};
}

// Configured, with the same settings, by an earlier configure() (its stamp says so).
bool BuildTree::configured() const {
  std::error_code ec;
  if (!fs::exists(settings_.binary_dir / "build.ninja", ec)) return false;
  try {
    return read_file(settings_.binary_dir / "parlab-grader-configure.txt") == join(configure_command(), "\n");
  } catch (const std::exception&) {
    return false;  // no stamp yet
  }
}

void BuildTree::configure() {
  if (configured()) return;
  const std::vector<std::string> argv = configure_command();
  fs::create_directories(settings_.binary_dir);
  const CommandResult r = run_command(argv, command_options(std::chrono::minutes(5)));
  if (!r.ok()) {
    throw std::runtime_error(fmt::format("configuring the build tree {} failed:\n{}", settings_.binary_dir.string(),
                                         first_lines(r.output, 40)));
  }
  write_file_atomically(settings_.binary_dir / "parlab-grader-configure.txt", join(argv, "\n"));
}

bool BuildTree::up_to_date(const std::vector<std::string>& targets) const {
  if (!configured()) return false;
  std::vector<std::string> argv = {"cmake", "--build", settings_.binary_dir.string(), "--target"};
  argv.insert(argv.end(), targets.begin(), targets.end());
  argv.insert(argv.end(), {"--", "-n"});
  const CommandResult r = run_command(argv, command_options(std::chrono::minutes(1)));
  return r.ok() && contains(r.output, "ninja: no work to do.");
}

BuildOutcome BuildTree::build(const std::vector<std::string>& targets, unsigned jobs,
                              const StillBuilding& still_building) const {
  std::vector<std::string> argv = {"cmake", "--build", settings_.binary_dir.string(), "-j", std::to_string(jobs), "--target"};
  argv.insert(argv.end(), targets.begin(), targets.end());
  CommandOptions options = command_options(std::chrono::minutes(15));
  if (still_building) {
    options.heartbeat = [&still_building](const std::string& output, double seconds) {
      const std::optional<BuildSteps> steps = latest_build_steps(output);
      still_building(steps ? fmt::format("{} of {} steps done, {} so far", steps->done, steps->total, human_seconds(seconds))
                           : fmt::format("{} so far", human_seconds(seconds)));
    };
  }
  const CommandResult r = run_command(argv, options);
  BuildOutcome outcome;
  outcome.ok = r.ok();
  if (!outcome.ok) {
    std::vector<std::string> prefixes;
    if (settings_.implementation != "reference") prefixes.push_back(settings_.implementation + "/");
    prefixes.push_back(settings_.source_root.string() + "/");
    outcome.first_errors = r.timed_out ? "the build took longer than 15 minutes and was stopped"
                                       : extract_first_errors(r.output, prefixes);
    // The sandboxed compiler launcher names the limit a student file hit: that comes first.
    if (const auto at = r.output.find(compilation_stopped_marker); at != std::string::npos) {
      outcome.compilation_stopped = true;
      const auto start = at + std::string_view("parlab-grader: ").size();
      const auto end = r.output.find('\n', start);
      outcome.first_errors = r.output.substr(start, end == std::string::npos ? std::string::npos : end - start) +
                             (end == std::string::npos ? "" : "\n") + outcome.first_errors;
    }
  }
  return outcome;
}

std::optional<BuildSteps> latest_build_steps(std::string_view output) {
  // Ninja starts each step's line with "[done/total] "; the last such line is the latest.
  const char* const end = output.data() + output.size();
  for (std::size_t searched_to = output.size(); searched_to > 0;) {
    const std::size_t at = output.rfind('[', searched_to - 1);
    if (at == std::string_view::npos) break;
    searched_to = at;
    if (at != 0 && output[at - 1] != '\n' && output[at - 1] != '\r') continue;
    BuildSteps steps;
    const auto [after_done, done_error] = std::from_chars(output.data() + at + 1, end, steps.done);
    if (done_error != std::errc{} || after_done == end || *after_done != '/') continue;
    const auto [after_total, total_error] = std::from_chars(after_done + 1, end, steps.total);
    if (total_error != std::errc{} || after_total == end || *after_total != ']' || steps.total == 0) continue;
    return steps;
  }
  return std::nullopt;
}

std::string extract_first_errors(const std::string& build_output, const std::vector<std::string>& strip_prefixes,
                                 std::size_t max_lines) {
  std::vector<std::string> lines;
  for (auto& line : split_lines(build_output)) {
    if (!is_build_noise(line)) lines.push_back(std::move(line));
  }
  std::size_t first = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (is_error_line(lines[i])) {
      first = i;
      break;
    }
  }
  if (first == lines.size()) return first_lines(build_output, max_lines);
  while (first > 0 && is_context_line(lines[first - 1])) --first;
  std::string out;
  for (std::size_t i = first; i < lines.size() && i < first + max_lines; ++i) {
    std::string line = lines[i];
    for (const auto& prefix : strip_prefixes) line = replace_all(line, prefix, "");
    out += line + "\n";
  }
  return out;
}

}  // namespace grader
