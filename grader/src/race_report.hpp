#pragma once
// ThreadSanitizer's race report, cut to what a student reads: each access's stack without
// the standard library's frames, and a line naming the two accesses in the student's files.

#include <string>
#include <string_view>
#include <vector>

namespace grader {

struct TrimmedRace {
  std::string report;     // the report with library frames left out (counted) and module offsets dropped
  std::string in_student; // "the write in f() (processes.cpp:56) and the previous read in g() (processes.cpp:55)"; empty when no access is in a student file
};

// `student_files`: file names (e.g. "processes.cpp") that the lab marks editable.
[[nodiscard]] TrimmedRace trim_race_report(std::string_view report, const std::vector<std::string>& student_files);

}  // namespace grader
