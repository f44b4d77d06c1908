#pragma once
// class.html: the whole class on one self-contained page (inline CSS, inline SVG, a few
// lines of inline script to sort and filter the table; nothing loaded from anywhere, so
// it opens from the file system, a mail attachment or a CI artifact). It shows one row per
// student with a relative link to their report, the score distribution, how often each
// task earned full points, the tests failed most often, each lab's performance ratios,
// the similarity check and the settings the batch ran with. Every string that came from a
// student (names, messages, file names) is escaped.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "batch/gradebook.hpp"
#include "batch/lms_roster.hpp"
#include "batch/similarity.hpp"

namespace grader {

struct ClassPageInput {
  std::vector<LabColumn> labs;
  ClassList class_list;
  nlohmann::json summary;   // class_summary()
  nlohmann::json settings;  // what the batch ran with
  std::map<std::string, std::string> report_links;  // student -> href relative to class.html
  SimilarityReport similarity;
  std::string generated_at;
};

[[nodiscard]] std::string render_class_page(const ClassPageInput& input);

}  // namespace grader
