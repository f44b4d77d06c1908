// The similarity check with the real Dolos (grader/similarity/install.sh): in a class of
// five lab-01 submissions, a copy of the reference queue with renamed variables and its
// member functions in reverse order must rank first, two solutions written independently
// must rank low, and a starter left as it is shares nothing (the starter is the template).
// Without Node or Dolos the test is skipped (exit 77) outside CI and fails in CI, saying
// how to install them.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <regex>
#include <string>
#include <vector>

#include "batch/similarity.hpp"
#include "manifest.hpp"
#include "parlab_test/catch.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path source_root = PARLAB_GRADER_SOURCE_ROOT;
const char* queue_file = "01-queues/src/blocking_queue.cpp";

grader::SimilarityOptions options_for(const fs::path& scratch) {
  grader::SimilarityOptions options;
  options.dolos_dir = grader::default_dolos_dir();
  options.script = source_root / "grader" / "similarity" / "dolos_pairs.mjs";
  options.scratch = scratch;
  const std::string missing = grader::similarity_unavailable(options);
  if (!missing.empty()) {
    const char* ci = std::getenv("CI");
    if (ci == nullptr || std::string(ci).empty()) {
      std::cerr << "skipped: " << missing << "\n";
      std::exit(77);  // SKIP_RETURN_CODE
    }
    FAIL("the similarity check cannot run in CI: " << missing);
  }
  return options;
}

// The reference's queue with its locals and helper renamed and its member functions in
// reverse order: what a student who copied and disguised it would hand in.
std::string disguised_reference() {
  std::string text = grader::read_file(source_root / "solutions" / queue_file);
  const std::pair<const char*, const char*> renames[] = {
      {"item", "element"}, {"items", "storage"}, {"lock", "guard"}, {"take_oldest", "remove_front"}};
  for (const auto& [from, to] : renames) text = std::regex_replace(text, std::regex(std::string("\\b") + from + "\\b"), to);
  const std::string member = "template <class T>\n";
  const std::size_t first = text.find(member, text.find("}  // namespace\n"));
  const std::size_t tail = text.find("template class ");
  REQUIRE(first != std::string::npos);
  REQUIRE(tail != std::string::npos);
  std::vector<std::string> members;
  for (std::size_t at = first; at < tail;) {
    const std::size_t next = std::min(text.find(member, at + 1), tail);
    members.push_back(text.substr(at, next - at));
    at = next;
  }
  REQUIRE(members.size() >= 8);
  std::string reordered = text.substr(0, first);
  for (auto it = members.rbegin(); it != members.rend(); ++it) reordered += *it;
  return reordered + text.substr(tail);
}

void write_submission(const fs::path& root, const std::string& content) {
  grader::write_file_atomically(root / queue_file, content);
}

double similarity_of(const grader::SimilarityReport& report, const std::string& a, const std::string& b) {
  for (const auto& p : report.pairs) {
    if ((p.left == a && p.right == b) || (p.left == b && p.right == a)) return p.similarity;
  }
  FAIL("no pair " << a << " / " << b);
  return 0;
}

}  // namespace

TEST_CASE("a disguised copy ranks first, independent solutions rank low, the starter shares nothing") {
  const fs::path work = fs::temp_directory_path() / ("parlab-similarity-" + grader::random_hex(6));
  const auto options = options_for(work / "scratch");
  const fs::path class_dir = work / "class";
  write_submission(class_dir / "ana", grader::read_file(source_root / "solutions" / queue_file));
  write_submission(class_dir / "ben", disguised_reference());
  const fs::path independent = source_root / "tests" / "grader" / "similarity";
  write_submission(class_dir / "cai", grader::read_file(independent / "cai" / queue_file));
  write_submission(class_dir / "dee", grader::read_file(independent / "dee" / queue_file));
  write_submission(class_dir / "eve", grader::read_file(source_root / "labs" / queue_file));

  std::vector<grader::SimilaritySubmission> submissions;
  for (const char* name : {"ana", "ben", "cai", "dee", "eve"}) submissions.push_back({name, class_dir / name});
  const auto labs = grader::select_labs(grader::discover_labs(source_root), {"01"});
  const grader::SimilarityReport report = grader::check_similarity(labs, submissions, options);
  INFO(report.not_run_because);
  REQUIRE(report.ran);
  for (const auto& p : report.pairs) {
    std::cerr << p.left << " / " << p.right << ": " << p.similarity << " (longest " << p.longest_fragment << ")\n";
  }
  REQUIRE(report.pairs.size() == 10);

  const auto& top = report.pairs.front();
  CHECK(((top.left == "ana" && top.right == "ben") || (top.left == "ben" && top.right == "ana")));
  CHECK(top.similarity > 0.6);
  REQUIRE_FALSE(top.fragments.empty());
  CHECK(top.fragments.front().left_file == "src/blocking_queue.cpp");
  CHECK(top.fragments.front().left_end >= top.fragments.front().left_start);

  const double independent_pair = similarity_of(report, "cai", "dee");
  CHECK(independent_pair < 0.5 * top.similarity);
  for (const char* other : {"ana", "ben", "cai", "dee"}) CHECK(similarity_of(report, "eve", other) < 0.05);

  const std::string csv = grader::render_similarity_csv(report);
  CHECK(csv.find("1,01,") == csv.find('\n') + 1);
  CHECK_FALSE(fs::exists(work / "scratch"));  // the joined files are gone
  grader::remove_tree_quietly(work);
}
