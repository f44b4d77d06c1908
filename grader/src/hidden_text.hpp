#pragma once
// The last line of defence for the hidden material: whatever a report shows (failure text,
// printed output, build errors) is checked against the hidden tests and the reference, and
// every run of 40 or more bytes that appears in one of them is replaced. The sandbox keeps
// those files out of the student's reach; this catches what got through anyway (a student
// who returned a hidden file's bytes as a function's result, for the visible failure
// expansion to show). A student's own text that happens to equal 40 bytes of the reference
// is removed too: rare, and the lesser evil. Text that the student has anyway (the kit: the
// visible tests, the headers, the starter, the handout) is never removed, even where a
// hidden test or the reference repeats it: removing it would garble a visible message and
// protect nothing.

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_set>
#include <vector>

namespace grader {

class HiddenText {
 public:
  static constexpr std::size_t window = 40;
  // `hidden`: the files whose text must not show; `published`: the files the student already
  // has, whose windows stay even where a hidden file holds them too.
  HiddenText(const std::vector<std::filesystem::path>& hidden, const std::vector<std::filesystem::path>& published);
  // `text` with every 40-byte window found in a hidden file replaced by a marker.
  [[nodiscard]] std::string redact(const std::string& text) const;

 private:
  std::unordered_set<std::uint64_t> windows_;
};

// Every student-controlled text a report shows is cut to this many bytes per field.
inline constexpr std::size_t max_student_text_bytes = 2000;

}  // namespace grader
