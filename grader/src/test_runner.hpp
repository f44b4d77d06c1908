#pragma once
// Runs every test case in a sandboxed process of its own, `jobs` at a time, and turns each
// run into a verdict; reruns the passing cases of thread labs under ThreadSanitizer.

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "results.hpp"
#include "sandbox/sandbox.hpp"
#include "test_cases.hpp"

namespace grader {

struct TestRunSettings {
  unsigned jobs = 2;
  SandboxLimits limits;
  std::vector<std::string> environment;
  // Removed from paths in reports (the slot's overlay folder, the source tree), so that a
  // student reads "01-queues/src/blocking_queue.cpp:93".
  std::vector<std::string> strip_prefixes;
  // The names of the files the student edits ("primes_threads.cpp"): crash, limit and hang
  // verdicts name the innermost frame in one of them.
  std::vector<std::string> student_files;
  // The manifest tasks whose cases run their own server on 127.0.0.1 (SandboxRequest::loopback_tcp).
  std::set<std::string> loopback_tcp_tasks;
};

// `executables` maps a suite to the executable that holds its cases.
[[nodiscard]] std::vector<CaseResult> run_test_cases(Sandbox& sandbox, const std::vector<TestCase>& cases,
                                                     const std::map<Suite, std::filesystem::path>& executables,
                                                     const TestRunSettings& settings);

// Reruns the cases that passed with the TSan build's executables; a ThreadSanitizer
// report turns the verdict into race_detected. Other TSan failures are only noted: the
// normal run already judged the behaviour.
void rerun_under_tsan(Sandbox& sandbox, std::vector<CaseResult>& cases,
                      const std::map<Suite, std::filesystem::path>& tsan_executables,
                      const TestRunSettings& settings);

}  // namespace grader
