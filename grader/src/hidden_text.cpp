#include "hidden_text.hpp"

#include <string_view>

#include "util/files.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

std::uint64_t hash_of(std::string_view bytes) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// A window of blanks and punctuation says nothing of the file and is everywhere.
bool worth_hiding(std::string_view bytes) {
  std::size_t letters = 0;
  for (const char c : bytes) letters += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? 1 : 0;
  return letters >= HiddenText::window / 3;
}

// Calls `each` with the hash of every window of `file` worth hiding (a file that cannot be
// read has none), leaving out the lines that declare test cases if asked.
template <class Each>
void for_each_window(const std::filesystem::path& file, bool without_case_names, Each each) {
  std::string text;
  try {
    text = read_file(file);
  } catch (const std::exception&) {
    return;
  }
  // Case names are shown to students on purpose.
  std::string kept;
  for (const auto& line : split_lines(text)) {
    if (!without_case_names || (!contains(line, "TEST_CASE") && !contains(line, "SECTION"))) kept += line + "\n";
  }
  for (std::size_t at = 0; at + HiddenText::window <= kept.size(); ++at) {
    const std::string_view w = std::string_view(kept).substr(at, HiddenText::window);
    if (worth_hiding(w)) each(hash_of(w));
  }
}

}  // namespace

HiddenText::HiddenText(const std::vector<std::filesystem::path>& hidden, const std::vector<std::filesystem::path>& published) {
  for (const auto& file : hidden) for_each_window(file, true, [&](std::uint64_t h) { windows_.insert(h); });
  for (const auto& file : published) for_each_window(file, false, [&](std::uint64_t h) { windows_.erase(h); });
}

std::string HiddenText::redact(const std::string& text) const {
  if (text.size() < window || windows_.empty()) return text;
  std::vector<bool> hidden(text.size(), false);
  bool any = false;
  for (std::size_t at = 0; at + window <= text.size(); ++at) {
    if (windows_.count(hash_of(std::string_view(text).substr(at, window))) != 0) {
      for (std::size_t i = at; i < at + window; ++i) hidden[i] = true;
      any = true;
    }
  }
  if (!any) return text;
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!hidden[i]) {
      out += text[i];
    } else if (i == 0 || !hidden[i - 1]) {
      out += "[text of a hidden test or the reference removed]";
    }
  }
  return out;
}

}  // namespace grader
