#pragma once
// Student translation units are compiled in the sandbox. A slot's build trees are configured
// with this program as the CXX_COMPILER_LAUNCHER of the targets that hold only the student's
// files (cmake/ParlabLab.cmake: labNN_student), so ninja runs
//   parlab-grader __compile-student <settings.json> /usr/bin/c++ ... -o obj.o -c student.cpp
// and this runs the compiler like a test: bubblewrap with a view of the system, the lab
// kit (labs/) and the staged submission only (never solutions/, tests/ or any other copy of
// the instructor tree), no network, its own uid, CPU / wall / memory / disk / output limits,
// and the whole process tree (c++ -> cc1plus -> as) killed and reaped when a limit is hit.
// The object and dependency files are written in the sandbox's scratch folder and copied
// out afterwards, so the compiler cannot write anywhere in the build tree.
//
// Hidden tests and the reference are compiled by the grader itself from trusted sources;
// the link step brings them together.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sandbox/isolation.hpp"
#include "sandbox/sandbox.hpp"

namespace grader {

struct CompileSandboxSettings {
  Isolation isolation;
  std::filesystem::path scratch_root;
  std::vector<std::filesystem::path> readable;  // besides the system: the lab kit, the staged submission
  SandboxLimits limits;
};

// The line a stopped compilation prints; BuildTree looks for it in the build's output.
inline constexpr const char* compilation_stopped_marker = "parlab-grader: compilation stopped: ";

// Limits of one compilation from the grader's settings: `seconds` wall and CPU, `memory`
// bytes (address space and measured), at most `output` bytes of object file, temporary
// files and diagnostics.
[[nodiscard]] SandboxLimits compile_limits(std::chrono::seconds seconds, std::uint64_t memory, std::uint64_t output);

void write_compile_settings(const std::filesystem::path& file, const CompileSandboxSettings& settings);

// The launcher's argv prefix for CMake (a ;-list): this grader, the verb, the settings file.
[[nodiscard]] std::string compile_launcher(const std::filesystem::path& grader_executable,
                                           const std::filesystem::path& settings_file);

// `parlab-grader __compile-student <settings.json> <compiler> args...`
int compile_student_main(int argc, char** argv);

}  // namespace grader
