// Gradescope's results.json as the autograder hands it in: the grader puts the notes about
// the upload and about the files it used in front of the output, in this order.
#include <string>

#include "parlab_test/catch.hpp"
#include "reports.hpp"
#include "results.hpp"

namespace {

grader::SubmissionResult submission_with_file_problems() {
  grader::SubmissionResult result;
  grader::LabResult graded;
  graded.id = "01";
  graded.files_missing = {"01-queues/src/a.cpp", "01-queues/src/b.cpp"};
  graded.files_rejected = {"01-queues/src/c.cpp (a symbolic link)"};
  grader::LabResult absent;
  absent.id = "03";
  absent.status = grader::LabStatus::not_submitted;
  absent.files_missing = {"03-counter/src/d.cpp"};  // said by the lab's own "not submitted"
  result.labs = {graded, absent};
  for (int i = 0; i < 12; ++i) result.ignored_files.push_back("extra" + std::to_string(i) + ".txt");
  result.ignored_not_listed = 3;
  return result;
}

}  // namespace

TEST_CASE("the Gradescope output opens with the upload's notes, then what became of the files", "[grader][gradescope]") {
  const grader::SubmissionResult result = submission_with_file_problems();
  const std::string notes = grader::gradescope_notes(result, "  read as loose files\n");
  CHECK(notes ==
        "read as loose files\n"
        "Lab 01: not in your upload, so the starter's version was graded (it fails its tests): "
        "01-queues/src/a.cpp, 01-queues/src/b.cpp\n"
        "Lab 01: not used: 01-queues/src/c.cpp (a symbolic link)\n"
        "Not used (only the files you edit for the lab count): extra0.txt, extra1.txt, extra2.txt, extra3.txt, "
        "extra4.txt, extra5.txt, extra6.txt, extra7.txt, extra8.txt, extra9.txt and 5 more");

  const nlohmann::json plain = grader::gradescope_results(result, "visible");
  const nlohmann::json upload = grader::gradescope_results_for_upload(result, "visible", "  read as loose files\n");
  CHECK(upload["output"].get<std::string>() == notes + "\n\n" + plain["output"].get<std::string>());
  CHECK(upload["tests"] == plain["tests"]);
}

TEST_CASE("without notes the Gradescope output is the grader's table alone", "[grader][gradescope]") {
  grader::SubmissionResult result;
  result.labs.emplace_back().id = "01";
  CHECK(grader::gradescope_notes(result, "").empty());
  CHECK(grader::gradescope_results_for_upload(result, "visible", "\n") == grader::gradescope_results(result, "visible"));
}
