#pragma once
// Where the student's code was when a test crashed or hit a limit: the innermost frame that
// lies in one of the files the student edits (not stl_vector.h), and in which process.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "channel.hpp"

namespace grader {

struct StudentFrame {
  std::string function;  // shortened: "primes_threads"
  std::string location;  // "primes_threads.cpp:42"
};

// From addr2line -a -f -C -i output (per address a "0x…" line, then pairs of lines "function"
// and "path:line"), innermost first: the first frame in a file whose name is one of
// `student_files` (file names, "primes_threads.cpp").
[[nodiscard]] std::optional<StudentFrame> first_student_frame(const std::string& addr2line_output,
                                                              const std::vector<std::string>& student_files);

// Runs addr2line on `executable` for the crash's frames and picks the student's frame.
[[nodiscard]] std::optional<StudentFrame> student_frame_of(const CrashStack& crash, const std::filesystem::path& executable,
                                                           const std::vector<std::string>& student_files);

// " It happened in primes_threads (primes_threads.cpp:42), in a child process (pid 12) that
// the test process forked." ("The allocation that failed was made in …" for an allocation
// failure.) The process is named also without a frame.
[[nodiscard]] std::string describe_crash_place(const CrashStack& crash, const std::optional<StudentFrame>& frame);

// " A child process (pid 57) that the test process forked exited with code 3 in worker_loop
// (workers.cpp:21)." (or "died of SIGSEGV (…)"): for a case whose test process went on.
[[nodiscard]] std::string describe_child_ending(const CrashStack& crash, const std::optional<StudentFrame>& frame);

// " exit() was called in hostile_act (primes_threads.cpp:47)." for a test process that left
// in the middle of a case; empty without the student's frame.
[[nodiscard]] std::string describe_early_exit(const std::optional<StudentFrame>& frame);

}  // namespace grader
