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

namespace {

struct SourceFrame {
  std::string function;  // as addr2line names it, demangled
  std::string file;      // the file name alone: "primes_threads.cpp"
  std::string line;      // "42"; "?" or "0" when unknown
};

std::vector<SourceFrame> source_frames(const std::string& addr2line_output) {
  std::vector<SourceFrame> frames;
  std::istringstream in(addr2line_output);
  std::string function;
  while (std::getline(in, function)) {
    if (function.rfind("0x", 0) == 0) continue;
    std::string place;
    if (!std::getline(in, place)) break;
    // "/slot/overlay/labs/01-queues/src/primes_threads.cpp:42 (discriminator 2)"
    place = place.substr(0, place.find(' '));
    const std::size_t colon = place.rfind(':');
    frames.push_back({function, std::filesystem::path(place.substr(0, colon)).filename().string(),
                      colon == std::string::npos ? std::string() : place.substr(colon + 1)});
  }
  return frames;
}

// The first frame from `from` outwards in a file the student edits, at a known line.
std::optional<StudentFrame> student_frame_from(const std::vector<SourceFrame>& frames, std::size_t from,
                                               const std::vector<std::string>& student_files) {
  for (std::size_t i = from; i < frames.size(); ++i) {
    const SourceFrame& f = frames[i];
    if (std::find(student_files.begin(), student_files.end(), f.file) == student_files.end()) continue;
    if (f.line.empty() || f.line == "?" || f.line == "0") continue;
    return StudentFrame{shorten_function_name(f.function), f.file + ":" + f.line};
  }
  return std::nullopt;
}

}  // namespace

CrashPlace student_place(const std::string& addr2line_output, const std::vector<std::string>& student_files) {
  const std::vector<SourceFrame> frames = source_frames(addr2line_output);
  CrashPlace place;
  place.frame = student_frame_from(frames, 0, student_files);
  // A child's stack goes on below the function it runs, through ChildProcess::fork, into the
  // student's function that started it: the role that child plays ("a worker of run_workers").
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (contains(frames[i].function, "parlab::ChildProcess::fork")) {
      place.started_by = student_frame_from(frames, i + 1, student_files);
      break;
    }
  }
  return place;
}

CrashPlace student_place_of(const CrashStack& crash, const std::filesystem::path& executable,
                            const std::vector<std::string>& student_files) {
  if (crash.frames.empty() || student_files.empty()) return {};
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
    return student_place(r.output, student_files);
  } catch (const std::exception&) {
    return {};  // no addr2line: the verdict stays without the frame
  }
}

std::string describe_process(const CrashStack& crash, const CrashPlace& place) {
  if (crash.pid == 0 || crash.pid == crash.test_pid) return "the test process itself";
  if (place.started_by) {
    return fmt::format("a child process (pid {}) that {} ({}) started with ChildProcess::fork", crash.pid,
                       place.started_by->function, place.started_by->location);
  }
  return fmt::format("a child process (pid {}) {}", crash.pid, place.frame ? "that your code forked" : "of the test");
}

namespace {

// " in take_chunk (primes_threads.cpp:42)", or nothing.
std::string in_frame(const CrashPlace& place) {
  return place.frame ? fmt::format(" in {} ({})", place.frame->function, place.frame->location) : "";
}

}  // namespace

std::string describe_crash_place(const CrashStack& crash, const CrashPlace& place) {
  const char* what = crash.signal == 0 ? "The allocation that failed was made" : "It happened";
  if (!place.frame) return fmt::format(" {} in {}, outside the lab's own files.", what, describe_process(crash, place));
  return fmt::format(" {}{}, in {}.", what, in_frame(place), describe_process(crash, place));
}

std::string describe_child_ending(const CrashStack& crash, const CrashPlace& place) {
  std::string process = describe_process(crash, place);
  process[0] = 'A';
  if (crash.signal != 0) return fmt::format(" {} died of {}{}.", process, describe_signal(crash.signal), in_frame(place));
  if (crash.exit_code < 0) return fmt::format(" {} could not allocate memory{}.", process, in_frame(place));
  return fmt::format(" {} called exit({}){}{}.", process, crash.exit_code, in_frame(place), exit_code_note(crash.exit_code));
}

std::string describe_early_exit(const CrashStack& crash, const CrashPlace& place) {
  if (!place.frame) return "";
  return fmt::format(" Your code called exit({}){}{}.", crash.exit_code, in_frame(place), exit_code_note(crash.exit_code));
}

}  // namespace grader
