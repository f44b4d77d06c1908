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

// What a crash record's stack says about the student's code.
struct CrashPlace {
  std::optional<StudentFrame> frame;       // the innermost frame in a file the student edits
  std::optional<StudentFrame> started_by;  // a child started by parlab::ChildProcess::fork: the student's call of it
};

// From addr2line -a -f -C -i output (per address a "0x…" line, then pairs of lines "function"
// and "path:line"), innermost first. `student_files` are file names ("primes_threads.cpp").
[[nodiscard]] CrashPlace student_place(const std::string& addr2line_output, const std::vector<std::string>& student_files);

// Runs addr2line on `executable` for the crash's frames and reads the student's place.
[[nodiscard]] CrashPlace student_place_of(const CrashStack& crash, const std::filesystem::path& executable,
                                          const std::vector<std::string>& student_files);

// The process, in the student's terms: "the test process", "a child process (pid 57) that
// run_workers (workers.cpp:50) started with ChildProcess::fork", "a child process (pid 57)
// that your code forked" (a student frame on its stack), "a child process (pid 57) of the test".
[[nodiscard]] std::string describe_process(const CrashStack& crash, const CrashPlace& place);

// " It happened in take_chunk (primes_threads.cpp:42), in the test process." ("The allocation
// that failed was made in …" for an allocation failure.) The process is named also without a frame.
[[nodiscard]] std::string describe_crash_place(const CrashStack& crash, const CrashPlace& place);

// " A child process (pid 57) that your code forked called exit(3) in worker_loop
// (workers.cpp:21)." (or "died of SIGSEGV (…)"): for a case whose test process went on.
[[nodiscard]] std::string describe_child_ending(const CrashStack& crash, const CrashPlace& place);

// " Your code called exit(3) in hostile_act (primes_threads.cpp:47)." for a test process that
// left in the middle of a case; empty without the student's frame.
[[nodiscard]] std::string describe_early_exit(const CrashStack& crash, const CrashPlace& place);

}  // namespace grader
