#pragma once
// gdb's "thread apply all bt" of every process of a test that hangs or holds too much
// memory: the test process and (a few of) the children it forked, each under a line
//   "=== process 123: the test process ===" or "=== process 456: a child process ===",
// which summarize_backtrace (backtrace.hpp) reads.

#include <string>
#include <vector>

#include <sys/types.h>

namespace grader {

// The most processes asked: gdb takes about a second for each (children are skipped once
// 15 s went by: under load, or in a fork bomb, attaching takes much longer).
inline constexpr std::size_t backtrace_process_limit = 4;

// `processes` in any order (the sandbox's helpers among them); those that run `program` (its
// comm, as forked children keep it) are asked, oldest first: the oldest is the test process,
// its workers are younger. None runs it (the name changed): the oldest of all, as before.
// At most `limit` processes are asked.
[[nodiscard]] std::string backtraces_of_processes(std::vector<pid_t> processes, const std::string& program,
                                                  std::size_t limit = backtrace_process_limit);

}  // namespace grader
