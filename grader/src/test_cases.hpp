#pragma once
// Which test cases a lab has, and how to run exactly one of them.
//
// The list comes from the reference build's executables, never from the student's: a
// submission's code runs inside its test executable (static initialisers included) and
// could print any list it likes.

#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "manifest.hpp"

namespace grader {

// Which executable a case is in: the lab's visible tests, or the instructor's hidden ones.
enum class Suite { visible, hidden };
NLOHMANN_JSON_SERIALIZE_ENUM(Suite, {{Suite::visible, "visible"}, {Suite::hidden, "hidden"}})
[[nodiscard]] inline std::string suite_text(Suite suite) { return nlohmann::json(suite).get<std::string>(); }

struct TestCase {
  std::string name;
  Suite suite = Suite::visible;
  std::string task_id;  // the manifest task whose tag the case carries; empty when none
};

// Throws std::runtime_error when the executable cannot list its cases.
[[nodiscard]] std::vector<TestCase> list_test_cases(const std::filesystem::path& trusted_executable,
                                                    Suite suite, const LabManifest& lab);

// A case name as a Catch test spec matching exactly that case: \ [ ] , * " and a leading ~
// are escaped with a backslash.
[[nodiscard]] std::string catch_test_spec(const std::string& name);

// Arguments that run exactly one case, with plain console output.
[[nodiscard]] std::vector<std::string> catch_arguments_for(const std::string& name);

}  // namespace grader

// fmt prints a suite as its name, as the reports always have.
template <>
struct fmt::formatter<grader::Suite> : fmt::formatter<std::string> {
  auto format(grader::Suite suite, fmt::format_context& ctx) const {
    return fmt::formatter<std::string>::format(grader::suite_text(suite), ctx);
  }
};
