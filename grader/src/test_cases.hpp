#pragma once
// Which test cases a lab has, and how to run exactly one of them.
//
// The list comes from the reference build's executables, never from the student's: a
// submission's code runs inside its test executable (static initialisers included) and
// could print any list it likes.

#include <filesystem>
#include <string>
#include <vector>

#include "manifest.hpp"

namespace grader {

struct TestCase {
  std::string name;
  std::string suite;    // "visible" or "hidden"
  std::string task_id;  // the manifest task whose tag the case carries; empty when none
};

// Throws std::runtime_error when the executable cannot list its cases.
[[nodiscard]] std::vector<TestCase> list_test_cases(const std::filesystem::path& trusted_executable,
                                                    const std::string& suite, const LabManifest& lab);

// A case name as a Catch test spec matching exactly that case: \ [ ] , * " and a leading ~
// are escaped with a backslash.
[[nodiscard]] std::string catch_test_spec(const std::string& name);

// Arguments that run exactly one case, with plain console output.
[[nodiscard]] std::vector<std::string> catch_arguments_for(const std::string& name);

}  // namespace grader
