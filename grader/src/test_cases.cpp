#include "test_cases.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "parlab/manifest/catch_cli.hpp"
#include "util/command.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

std::vector<std::string> list_names(const std::filesystem::path& executable, const std::string& filter) {
  std::vector<std::string> argv = {executable.string()};
  const auto list = parlab::manifest::catch_list_arguments();
  argv.insert(argv.end(), list.begin(), list.end());
  if (!filter.empty()) argv.push_back(filter);
  const CommandResult r = run_command(argv, command_options(std::chrono::minutes(1)));
  // Catch 2 returns the number of listed cases as its exit code: only a crash is an error.
  if (r.timed_out || r.signal != 0) {
    throw std::runtime_error(fmt::format("{} could not list its test cases:\n{}", executable.string(), first_lines(r.output, 10)));
  }
  return parlab::manifest::catch_listed_names(r.output);
}

}  // namespace

std::string catch_test_spec(const std::string& name) { return parlab::manifest::catch_test_spec(name); }

std::vector<std::string> catch_arguments_for(const std::string& name) {
  std::vector<std::string> argv = {catch_test_spec(name)};
  const auto no_colour = parlab::manifest::catch_no_colour_arguments();
  argv.insert(argv.end(), no_colour.begin(), no_colour.end());
  return argv;
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
