#include "test_cases.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "util/command.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

std::vector<std::string> list_names(const std::filesystem::path& executable, const std::string& filter) {
#if PARLAB_GRADER_CATCH_MAJOR >= 3
  std::vector<std::string> argv = {executable.string(), "--list-tests", "--verbosity", "quiet"};
#else
  std::vector<std::string> argv = {executable.string(), "--list-test-names-only"};
#endif
  if (!filter.empty()) argv.push_back(filter);
  const CommandResult r = run_command(argv, command_options(std::chrono::minutes(1)));
  // Catch 2 returns the number of listed cases as its exit code: only a crash is an error.
  if (r.timed_out || r.signal != 0) {
    throw std::runtime_error(fmt::format("{} could not list its test cases:\n{}", executable.string(), first_lines(r.output, 10)));
  }
  std::vector<std::string> names;
  for (auto& line : split_lines(r.output)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    names.push_back(line);
  }
  return names;
}

}  // namespace

std::string catch_test_spec(const std::string& name) {
  std::string spec;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '\\' || c == '[' || c == ']' || c == ',' || c == '*' || c == '"' || (i == 0 && (c == '~' || c == '#'))) {
      spec += '\\';
    }
    spec += c;
  }
  return spec;
}

std::vector<std::string> catch_arguments_for(const std::string& name) {
#if PARLAB_GRADER_CATCH_MAJOR >= 3
  return {catch_test_spec(name), "--colour-mode", "none"};
#else
  return {catch_test_spec(name), "--use-colour", "no"};
#endif
}

std::vector<TestCase> list_test_cases(const std::filesystem::path& trusted_executable, Suite suite,
                                      const LabManifest& lab) {
  std::vector<TestCase> cases;
  for (const auto& name : list_names(trusted_executable, "")) cases.push_back({name, suite, ""});
  for (const auto& task : lab.tasks) {
    for (const auto& name : list_names(trusted_executable, task.tag)) {
      for (auto& c : cases) {
        if (c.name == name && c.task_id.empty()) c.task_id = task.id;
      }
    }
  }
  return cases;
}

}  // namespace grader
