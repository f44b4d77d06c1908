#include "example_twist.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "util/files.hpp"

namespace grader {

namespace {

std::string entry_name(const ExampleTwist& twist, std::size_t index) {
  return fmt::format("{}: [[replace]] entry {}", twist.source.string(), index + 1);
}

std::string required_string(const toml::table& entry, const char* key, const std::string& where) {
  const auto value = entry[key].value<std::string>();
  if (!value) throw std::runtime_error(fmt::format("{}: needs a string `{}`", where, key));
  return *value;
}

// "<lab folder>/src/<file>", relative and without "..": a twist changes only a lab's own files.
std::filesystem::path checked_file(const std::string& text, const std::string& where) {
  const std::filesystem::path file(text);
  const bool escapes = std::any_of(file.begin(), file.end(), [](const auto& part) { return part == ".."; });
  if (file.is_absolute() || escapes || std::distance(file.begin(), file.end()) < 3 || *std::next(file.begin()) != "src") {
    throw std::runtime_error(fmt::format("{}: file \"{}\" must name a lab's source file, e.g. \"01-queues/src/blocking_queue.cpp\"",
                                         where, text));
  }
  return file;
}

TextReplacement read_replacement(const toml::node& node, const std::string& where) {
  const toml::table* entry = node.as_table();
  if (entry == nullptr) throw std::runtime_error(where + ": must be a table with file, find and with");
  for (const auto& [key, value] : *entry) {
    (void)value;
    if (key != "file" && key != "find" && key != "with") {
      throw std::runtime_error(fmt::format("{}: unknown key `{}` (expected file, find, with)", where, key.str()));
    }
  }
  TextReplacement r{checked_file(required_string(*entry, "file", where), where), required_string(*entry, "find", where),
                    required_string(*entry, "with", where)};
  if (r.find.empty()) throw std::runtime_error(where + ": `find` is empty; give the exact reference text to replace");
  return r;
}

std::size_t count_occurrences(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

}  // namespace

ExampleTwist read_example_twist(const std::filesystem::path& twist_file) {
  toml::table table;
  try {
    table = toml::parse_file(twist_file.string());
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(fmt::format("{}:{}: {}", twist_file.string(), e.source().begin.line, e.description()));
  }
  ExampleTwist twist{twist_file, {}};
  for (const auto& [key, value] : table) {
    (void)value;
    if (key != "replace") throw std::runtime_error(fmt::format("{}: unknown key `{}` (a twist holds [[replace]] entries)",
                                                               twist_file.string(), key.str()));
  }
  const toml::array* entries = table["replace"].as_array();
  if (entries == nullptr || entries->empty()) {
    throw std::runtime_error(twist_file.string() + ": holds no [[replace]] entry (file, find, with)");
  }
  for (std::size_t i = 0; i < entries->size(); ++i) {
    twist.replacements.push_back(read_replacement(*entries->get(i), entry_name(twist, i)));
  }
  return twist;
}

std::vector<std::string> twisted_labs(const ExampleTwist& twist) {
  std::set<std::string> labs;
  for (const auto& r : twist.replacements) labs.insert(r.file.begin()->string());
  return {labs.begin(), labs.end()};
}

void apply_example_twist(const ExampleTwist& twist, const std::filesystem::path& submission_root) {
  for (std::size_t i = 0; i < twist.replacements.size(); ++i) {
    const TextReplacement& r = twist.replacements[i];
    const std::filesystem::path file = submission_root / r.file;
    if (!std::filesystem::is_regular_file(file)) {
      throw std::runtime_error(fmt::format("{}: the reference has no {}", entry_name(twist, i), r.file.string()));
    }
    std::string text = read_file(file);
    const std::size_t found = count_occurrences(text, r.find);
    if (found != 1) {
      throw std::runtime_error(fmt::format("{}: its `find` text occurs {} times in the reference's {}, not once; "
                                           "make it match the reference exactly (whitespace included) and only one place",
                                           entry_name(twist, i), found, r.file.string()));
    }
    text.replace(text.find(r.find), r.find.size(), r.with);
    write_file_atomically(file, text);
  }
}

}  // namespace grader
