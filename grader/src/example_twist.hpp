#pragma once
// A bundled example's mistake as a twist on the reference (grader/examples/<name>/twist.toml):
// each [[replace]] entry names a file of a lab (as in labs/, e.g. "01-queues/src/x.cpp"),
// the exact text to find in the reference's copy and the text that replaces it. The example
// then holds only its mistake, and a change to the reference reaches every example.

#include <filesystem>
#include <string>
#include <vector>

namespace grader {

struct TextReplacement {
  std::filesystem::path file;  // relative to the submission root: <lab folder>/src/...
  std::string find;            // must occur exactly once in the reference's file
  std::string with;
};

struct ExampleTwist {
  std::filesystem::path source;  // the twist file, for messages
  std::vector<TextReplacement> replacements;
};

// Reads and checks a twist file. Throws std::runtime_error naming the file, the entry and
// what is wrong (syntax, a missing or unknown key, a path outside a lab folder).
[[nodiscard]] ExampleTwist read_example_twist(const std::filesystem::path& twist_file);

// The lab folders the twist touches ("01-queues", ...), sorted, each once.
[[nodiscard]] std::vector<std::string> twisted_labs(const ExampleTwist& twist);

// Applies the twist to the files under `submission_root` (which already holds the
// reference's lab folders). Throws std::runtime_error when a file is missing or its `find`
// text occurs there not exactly once (the reference changed: the twist must follow it).
void apply_example_twist(const ExampleTwist& twist, const std::filesystem::path& submission_root);

}  // namespace grader
