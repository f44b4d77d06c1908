#include "batch/class_files.hpp"

#include "batch/class_page.hpp"
#include "batch/lms_export.hpp"
#include "batch/lms_roster.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace grader {

ClassFiles write_class_files(const ClassFilesOptions& options, const std::vector<StudentRecord>& records) {
  namespace fs = std::filesystem;
  std::optional<LmsRoster> roster;
  if (options.roster) roster = read_lms_roster(*options.roster);

  ClassFiles files{options.out / "class.html", options.out / "canvas.csv", options.out / "moodle.csv",
                   options.out / "similarity.csv", {}, {}};
  ClassPageInput page;
  page.labs = options.labs;
  page.class_list = match_roster(records, roster);
  page.summary = class_summary(options.labs, records);
  page.settings = options.settings;
  page.generated_at = utc_now();
  for (const auto& record : records) {
    // A rejected submission has no report.html, only what the grader said.
    for (const char* name : {"report.html", "grader-output.txt"}) {
      if (fs::exists(options.out / record.report / name)) {
        page.report_links[record.student] = record.report + "/" + name;
        break;
      }
    }
  }
  write_file_atomically(files.canvas, render_canvas_csv(options.labs, page.class_list));
  write_file_atomically(files.moodle, render_moodle_csv(options.labs, page.class_list));
  files.notes = page.class_list.notes;

  if (options.similarity) {
    page.similarity = check_similarity(options.manifests, options.submissions, options.similarity_options);
  } else {
    page.similarity.not_run_because = "switched off (--no-similarity)";
  }
  files.similarity = page.similarity;
  if (page.similarity.ran) {
    write_file_atomically(files.similarity_csv, render_similarity_csv(page.similarity));
  } else {
    // An old similarity.csv would describe other submissions: say why there is none now.
    write_file_atomically(files.similarity_csv, "rank,lab,student_a,student_b,similarity,longest_fragment_tokens,"
                                                "shared_fragments\n");
  }
  write_file_atomically(files.page, render_class_page(page));
  return files;
}

}  // namespace grader
