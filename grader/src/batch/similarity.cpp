#include "batch/similarity.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "batch/gradebook.hpp"
#include "submission.hpp"
#include "util/command.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::uintmax_t largest_file_compared = 1 << 20;  // a generated 50 MB file says nothing about copying
const char* install_hint = "run grader/similarity/install.sh (it installs Node.js and npm where they are missing, then "
                           "Dolos from the npm registry); then run the batch again";

// One lab's files of one side, joined into one file for Dolos (which allows one template
// file); the segments turn its line numbers back into a file and a line.
struct Joined {
  struct Segment {
    std::string file;
    unsigned first_line = 1, lines = 0;
  };
  std::string text;
  std::vector<Segment> segments;

  void add(const std::string& file, std::string content) {
    if (!content.empty() && content.back() != '\n') content += '\n';
    const auto lines = static_cast<unsigned>(std::count(content.begin(), content.end(), '\n'));
    segments.push_back({file, static_cast<unsigned>(std::count(text.begin(), text.end(), '\n')) + 1, lines});
    text += content;
  }
  // (file, line in it) of a line of the joined text.
  [[nodiscard]] std::pair<std::string, unsigned> locate(unsigned line) const {
    for (const auto& s : segments) {
      if (line < s.first_line + s.lines) return {s.file, line >= s.first_line ? line - s.first_line + 1 : 1};
    }
    return segments.empty() ? std::pair<std::string, unsigned>{"", line}
                            : std::pair<std::string, unsigned>{segments.back().file, segments.back().lines};
  }
};

// The lab's editable files as a submission has them; only regular files of sane size.
Joined join_submission_files(const LabManifest& lab, const fs::path& lab_folder) {
  Joined joined;
  for (const auto& file : lab.editable) {
    const fs::path path = lab_folder / file;
    std::error_code ec;
    const auto status = fs::symlink_status(path, ec);
    if (ec || !fs::is_regular_file(status) || fs::file_size(path, ec) > largest_file_compared || ec) continue;
    joined.add(file, read_file(path));
  }
  return joined;
}

Joined join_starter_files(const LabManifest& lab) {
  Joined joined;
  for (const auto& file : lab.editable) {
    if (fs::is_regular_file(lab.directory / file)) joined.add(file, read_file(lab.directory / file));
  }
  return joined;
}

struct OpenedSide {
  std::string student;
  OpenedSubmission opened;
};

std::vector<SimilarPair> pairs_from_dolos(const json& output, const std::string& lab_id,
                                          const std::map<std::string, Joined>& joined) {
  std::vector<SimilarPair> pairs;
  for (const auto& p : output.at("pairs")) {
    SimilarPair pair;
    pair.lab = lab_id;
    pair.left = p.at("left").get<std::string>();
    pair.right = p.at("right").get<std::string>();
    pair.similarity = p.at("similarity").get<double>();
    pair.longest_fragment = p.at("longest").get<unsigned>();
    const Joined& left = joined.at(pair.left);
    const Joined& right = joined.at(pair.right);
    for (const auto& f : p.at("fragments")) {
      SharedFragment fragment;
      const auto [left_file, left_start] = left.locate(f.at("left").at(0).get<unsigned>());
      const auto [right_file, right_start] = right.locate(f.at("right").at(0).get<unsigned>());
      fragment.left_file = left_file;
      fragment.right_file = right_file;
      fragment.left_start = left_start;
      fragment.right_start = right_start;
      fragment.left_end = std::max(left_start, left.locate(f.at("left").at(1).get<unsigned>()).second);
      fragment.right_end = std::max(right_start, right.locate(f.at("right").at(1).get<unsigned>()).second);
      fragment.tokens = f.at("tokens").get<unsigned>();
      pair.fragments.push_back(fragment);
    }
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

// Runs Dolos over one lab. Throws std::runtime_error when Node or Dolos fails.
std::vector<SimilarPair> compare_lab(const LabManifest& lab, const std::vector<OpenedSide>& sides,
                                     const SimilarityOptions& options, std::vector<std::string>& notes) {
  const fs::path folder = options.scratch / ("lab" + lab.id);
  fs::create_directories(folder);
  std::map<std::string, Joined> joined;
  json files = json::array();
  for (std::size_t i = 0; i < sides.size(); ++i) {
    const fs::path lab_folder = sides[i].opened.root / lab.slug;
    if (!fs::is_directory(lab_folder)) continue;
    Joined j = join_submission_files(lab, lab_folder);
    if (j.text.empty()) continue;
    const fs::path file = folder / fmt::format("s{:04}.cpp", i);  // the student's name never becomes a path
    write_file_atomically(file, j.text);
    files.push_back({{"name", sides[i].student}, {"path", file.string()}});
    joined.emplace(sides[i].student, std::move(j));
  }
  if (files.size() < 2) {
    notes.push_back(fmt::format("lab {}: fewer than two submissions have its files; nothing to compare", lab.id));
    return {};
  }
  const Joined starter = join_starter_files(lab);
  json spec = {{"files", files}, {"max_pairs", options.pairs_per_lab}, {"max_fragments", 5}, {"template", nullptr}};
  if (!starter.text.empty()) {
    write_file_atomically(folder / "starter.cpp", starter.text);
    spec["template"] = (folder / "starter.cpp").string();
  }
  write_file_atomically(folder / "spec.json", spec.dump());
  CommandOptions command = command_options(std::chrono::minutes(20), 64 << 20);
  const CommandResult ran = run_command({"node", options.script.string(), options.dolos_dir.string(), (folder / "spec.json").string()}, command);
  if (!ran.ok()) {
    throw std::runtime_error(fmt::format("Dolos failed on lab {} ({}): {}", lab.id,
                                         ran.timed_out ? "it took longer than 20 minutes" : fmt::format("exit status {}", ran.exit_code),
                                         first_lines(ran.output, 8, 1500)));
  }
  // Node prints warnings to stderr, which run_command interleaves: the JSON is the last line.
  const auto lines = split_lines(ran.output);
  const auto last = std::find_if(lines.rbegin(), lines.rend(), [](const auto& l) { return !trim(l).empty(); });
  try {
    return pairs_from_dolos(json::parse(last == lines.rend() ? std::string() : *last), lab.id, joined);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("Dolos's answer on lab {} could not be read ({}): {}", lab.id, e.what(),
                                         first_lines(ran.output, 8, 1500)));
  }
}

}  // namespace

fs::path default_dolos_dir() {
  if (const char* dir = std::getenv("PARLAB_DOLOS_DIR"); dir != nullptr && *dir != '\0') return dir;
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr && *home != '\0' ? home : "/root") / ".cache" / "parlab" / "dolos";
}

std::string similarity_unavailable(const SimilarityOptions& options) {
  if (!program_exists("node")) return std::string("Node.js is not installed: ") + install_hint;
  if (!fs::is_regular_file(options.script)) return options.script.string() + " is missing: the grader's source tree is incomplete";
  if (!fs::is_regular_file(options.dolos_dir / "node_modules" / "@dodona" / "dolos-lib" / "dist" / "index.js")) {
    return "Dolos is not installed in " + options.dolos_dir.string() + ": " + install_hint +
           " (or set PARLAB_DOLOS_DIR to where it is installed)";
  }
  return "";
}

SimilarityReport check_similarity(const std::vector<LabManifest>& labs, const std::vector<SimilaritySubmission>& submissions,
                                  const SimilarityOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  SimilarityReport report;
  report.not_run_because = similarity_unavailable(options);
  if (!report.not_run_because.empty()) return report;

  remove_tree_quietly(options.scratch);
  fs::create_directories(options.scratch / "unpacked");
  struct CleanUp {
    fs::path path;
    ~CleanUp() { remove_tree_quietly(path); }
  } clean_up{options.scratch};

  std::vector<OpenedSide> sides;
  for (const auto& s : submissions) {
    try {
      sides.push_back({s.student, open_submission(s.path, options.scratch / "unpacked")});
    } catch (const std::exception& e) {
      report.notes.push_back(fmt::format("{} left out: {}", s.student, e.what()));
    }
  }
  try {
    for (const auto& lab : labs) {
      auto pairs = compare_lab(lab, sides, options, report.notes);
      report.pairs.insert(report.pairs.end(), pairs.begin(), pairs.end());
    }
  } catch (const std::exception& e) {
    report.not_run_because = e.what();
    report.pairs.clear();
    return report;
  }
  std::stable_sort(report.pairs.begin(), report.pairs.end(),
                   [](const auto& a, const auto& b) { return a.similarity > b.similarity; });
  report.ran = true;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

std::string render_similarity_csv(const SimilarityReport& report) {
  std::string out = "rank,lab,student_a,student_b,similarity,longest_fragment_tokens,shared_fragments\n";
  for (std::size_t i = 0; i < report.pairs.size(); ++i) {
    const SimilarPair& p = report.pairs[i];
    std::string fragments;
    for (const auto& f : p.fragments) {
      fragments += fmt::format("{}{}:{}-{} ~ {}:{}-{}", fragments.empty() ? "" : "; ", f.left_file, f.left_start, f.left_end,
                               f.right_file, f.right_start, f.right_end);
    }
    out += fmt::format("{},{},{},{},{:.3f},{},{}\n", i + 1, csv_field(p.lab), csv_field(p.left), csv_field(p.right),
                       p.similarity, p.longest_fragment, csv_field(fragments));
  }
  return out;
}

}  // namespace grader
