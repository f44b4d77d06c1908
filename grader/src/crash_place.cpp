#include "crash_place.hpp"

#include <algorithm>
#include <chrono>
#include <sstream>

#include <fmt/format.h>

#include "backtrace.hpp"
#include "util/command.hpp"
#include "util/text.hpp"
#include "verdict.hpp"

namespace grader {

std::optional<StudentFrame> first_student_frame(const std::string& addr2line_output,
                                                const std::vector<std::string>& student_files) {
  std::istringstream in(addr2line_output);
  std::string function;
  while (std::getline(in, function)) {
    if (function.rfind("0x", 0) == 0) continue;
    std::string place;
    if (!std::getline(in, place)) break;
    // "/slot/overlay/labs/01-queues/src/primes_threads.cpp:42 (discriminator 2)"
    place = place.substr(0, place.find(' '));
    const std::string file = std::filesystem::path(place.substr(0, place.rfind(':'))).filename().string();
    if (std::find(student_files.begin(), student_files.end(), file) == student_files.end()) continue;
    const std::string line = place.substr(place.rfind(':') + 1);
    if (line.empty() || line == "?" || line == "0") continue;
    return StudentFrame{shorten_function_name(function), file + ":" + line};
  }
  return std::nullopt;
}

std::optional<StudentFrame> student_frame_of(const CrashStack& crash, const std::filesystem::path& executable,
                                             const std::vector<std::string>& student_files) {
  if (crash.frames.empty() || student_files.empty()) return std::nullopt;
  std::vector<std::string> argv{"addr2line", "-a", "-f", "-C", "-i", "-e", executable.string()};
  // Frames in the test executable (no executable is a gigabyte long); the others are in
  // shared libraries, which addr2line on the executable cannot name.
  const auto in_executable = [&](std::size_t i) {
    return crash.frames[i] >= crash.base && crash.frames[i] - crash.base < (1ULL << 30);
  };
  for (std::size_t i = 0; i < crash.frames.size(); ++i) {
    if (!in_executable(i)) continue;
    // A return address points after its call; the call itself is one byte before (after a
    // call to abort(), which does not return, the address may already be the next function).
    // An interrupted instruction (below the signal trampoline) is itself the place.
    const bool interrupted = i == 0 || std::find(crash.fault_frames.begin(), crash.fault_frames.end(), i) != crash.fault_frames.end();
    argv.push_back(fmt::format("{:#x}", crash.frames[i] - crash.base - (interrupted ? 0 : 1)));
  }
  try {
    const CommandResult r = run_command(argv, command_options(std::chrono::seconds(20), 256 * 1024));
    return first_student_frame(r.output, student_files);
  } catch (const std::exception&) {
    return std::nullopt;  // no addr2line: the verdict stays without the frame
  }
}

std::string describe_crash_place(const CrashStack& crash, const std::optional<StudentFrame>& frame) {
  const std::string process = crash.pid != 0 && crash.pid != crash.test_pid
                                  ? fmt::format("in a child process (pid {}) that the test process forked", crash.pid)
                                  : "in the test process itself";
  const char* what = crash.signal == 0 ? "The allocation that failed was made" : "It happened";
  if (!frame) return fmt::format(" {} {}, outside the lab's own files.", what, process);
  return fmt::format(" {} in {} ({}), {}.", what, frame->function, frame->location, process);
}

std::string describe_child_ending(const CrashStack& crash, const std::optional<StudentFrame>& frame) {
  const std::string ending = crash.signal != 0    ? "died of " + describe_signal(crash.signal)
                             : crash.exit_code >= 0 ? fmt::format("exited with code {} (it called exit())", crash.exit_code)
                                                    : std::string("could not allocate memory");
  return fmt::format(" A child process (pid {}) that the test process forked {}{}", crash.pid, ending,
                     frame ? fmt::format(" in {} ({}).", frame->function, frame->location) : ".");
}

std::string describe_early_exit(const std::optional<StudentFrame>& frame) {
  return frame ? fmt::format(" exit() was called in {} ({}).", frame->function, frame->location) : "";
}

}  // namespace grader
