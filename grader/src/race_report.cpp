#include "race_report.hpp"

#include <regex>

#include <fmt/format.h>

#include "util/text.hpp"

namespace grader {

namespace {

// "    #3 __invoke<…> /usr/include/c++/12/bits/invoke.h:96 (lab04_hidden+0x532b6)"
const std::regex frame_line(R"(^\s+#\d+ (.*?)( \([^()]*\+0x[0-9a-f]+\))?$)");
// "  Write of size 1 at 0x7f… by thread T5:", "  Previous read of size 1 …", "  Atomic write …"
const std::regex access_line(R"(^\s+((?:Previous )?(?:[Aa]tomic )?(?:[Rr]ead|[Ww]rite)) of size \d+ .*:$)");

bool is_library_frame(const std::string& frame) {
  return contains(frame, " /usr/") || contains(frame, "<null>");
}

// "Previous read" -> "previous read"
std::string lowered(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

// The student's file among `files` that this frame is in, with its line ("processes.cpp:56").
std::string student_place(const std::string& frame, const std::vector<std::string>& files) {
  for (const auto& file : files) {
    const auto at = frame.find("/" + file + ":");
    if (at == std::string::npos) continue;
    const auto start = at + 1;
    const auto end = frame.find_first_not_of("0123456789", start + file.size() + 1);
    return frame.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }
  return {};
}

// "parlab::lab04::SharedStopFlag::raise() 04-early-exit/src/processes.cpp:56" -> "SharedStopFlag::raise()"
std::string function_of(const std::string& frame) {
  std::string name = frame.substr(0, frame.rfind(' '));
  if (name.rfind("parlab::", 0) == 0) {
    const auto second = name.find("::", 8);
    if (second != std::string::npos && second < name.find('(')) name.erase(0, second + 2);
  }
  return name;
}

}  // namespace

TrimmedRace trim_race_report(std::string_view report, const std::vector<std::string>& student_files) {
  TrimmedRace out;
  std::vector<std::string> accesses;
  std::string access;          // the access whose stack is being read
  bool access_placed = true;   // its first frame in a student file was found
  std::size_t left_out = 0;
  auto flush_left_out = [&] {
    if (left_out > 0) out.report += fmt::format("    ... ({} standard-library frame{} left out)\n", left_out, left_out == 1 ? "" : "s");
    left_out = 0;
  };
  for (const auto& line : split_lines(report)) {
    std::smatch m;
    if (std::regex_match(line, m, frame_line)) {
      const std::string frame = m[1].str();
      if (is_library_frame(frame)) {
        ++left_out;
        continue;
      }
      flush_left_out();
      out.report += line.substr(0, line.size() - static_cast<std::size_t>(m[2].length())) + "\n";
      if (!access_placed) {
        const std::string place = student_place(frame, student_files);
        if (!place.empty()) {
          accesses.push_back(fmt::format("the {} in {} ({})", lowered(access), function_of(frame), place));
          access_placed = true;
        }
      }
      continue;
    }
    flush_left_out();
    if (std::regex_match(line, m, access_line)) {
      access = m[1].str();
      access_placed = false;
    }
    out.report += line + "\n";
  }
  flush_left_out();
  if (!accesses.empty()) {
    std::string joined = accesses.front();
    for (std::size_t i = 1; i < accesses.size(); ++i) joined += (i + 1 == accesses.size() ? " and " : ", ") + accesses[i];
    out.in_student = joined;
  }
  return out;
}

}  // namespace grader
