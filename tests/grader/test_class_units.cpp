// What a batch writes for the instructor beside the gradebook, without grading anything:
// the LMS roster's rules, the Canvas and Moodle exports, similarity.csv and class.html
// (escaping, one row per student, links).
#include <filesystem>
#include <string>
#include <vector>

#include "batch/class_files.hpp"
#include "batch/class_page.hpp"
#include "batch/lms_export.hpp"
#include "batch/lms_roster.hpp"
#include "batch/similarity.hpp"
#include "parlab_test/catch.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace {

using grader::LabStatus;
using grader::Outcome;

grader::StudentRecord record(const std::string& name, Outcome outcome, std::vector<grader::LabPoints> lab_points) {
  grader::StudentRecord r;
  r.student = name;
  r.outcome = outcome;
  for (const auto& lab : lab_points) {
    r.score += lab.points;
    r.max_score += lab.max_points;
  }
  if (outcome == Outcome::graded) r.labs = std::move(lab_points);
  r.report = "reports/" + grader::safe_file_name(name);
  return r;
}

std::string replace_all_svg_namespace(const std::string& page) {
  return grader::replace_all(page, "xmlns=\"http://www.w3.org/2000/svg\"", "");
}

const std::vector<grader::LabColumn> class_labs = {{"01", 100}, {"02", 50}};

// alice: graded; bob: lab 02 not submitted; "Smith, =Jo": a name needing quotes and a
// formula guard; carol: the grader failed; zed: not in the roster.
std::vector<grader::StudentRecord> class_records() {
  return {record("alice", Outcome::graded, {{"01", LabStatus::graded, 90, 100}, {"02", LabStatus::graded, 42.5, 50}}),
          record("bob", Outcome::graded, {{"01", LabStatus::graded, 30, 100}, {"02", LabStatus::not_submitted, 0, 50}}),
          record("carol", Outcome::grader_failed, {{"01", LabStatus::graded, 0, 100}, {"02", LabStatus::graded, 0, 50}}),
          record("zed", Outcome::graded, {{"01", LabStatus::graded, 100, 100}, {"02", LabStatus::graded, 50, 50}})};
}

const char* roster_text =
    "folder,name,id,sis_id,login,email,section\n"
    "alice,\"Liddell, Alice\",1001,S-1,aliddell,alice@example.edu,A\n"
    "bob,Bob <b>Builder</b>,1002,,bbuilder,,B\n"
    "carol,Carol,,S-3,,carol@example.edu,\n"
    "dan,\"Dan \"\"the man\"\"\",1004,,,,\n";

}  // namespace

TEST_CASE("the roster takes Canvas's and Moodle's column names and refuses what it cannot use") {
  const auto roster = grader::parse_lms_roster(roster_text, "roster.csv");
  REQUIRE(roster.people.size() == 4);
  CHECK(roster.people[0].name == "Liddell, Alice");
  CHECK(roster.people[0].email == "alice@example.edu");
  CHECK(roster.people[3].name == "Dan \"the man\"");

  const auto moodle = grader::parse_lms_roster("\xEF\xBB\xBF" "ID number,Email address,Folder\nS-9,x@example.edu,xavier\n", "r.csv");
  REQUIRE(moodle.people.size() == 1);
  CHECK(moodle.people[0].sis_id == "S-9");
  CHECK(moodle.people[0].folder == "xavier");

  CHECK_THROWS_WITH(grader::parse_lms_roster("name,id\nAlice,1\n", "r.csv"), parlab_test::ContainsSubstring("no 'folder' column"));
  CHECK_THROWS_WITH(grader::parse_lms_roster("folder,nmae\nalice,A\n", "r.csv"), parlab_test::ContainsSubstring("unknown column 'nmae'"));
  CHECK_THROWS_WITH(grader::parse_lms_roster("folder,name\nalice,Alice\n", "r.csv"),
                    parlab_test::ContainsSubstring("record 2 (alice) has no identifier"));
  CHECK_THROWS_WITH(grader::parse_lms_roster("folder,id\nalice,1\nalice,2\n", "r.csv"), parlab_test::ContainsSubstring("'alice' twice"));
  CHECK_THROWS_WITH(grader::parse_lms_roster("folder,id\n\"alice,1\n", "r.csv"), parlab_test::ContainsSubstring("is not valid CSV"));
  CHECK_THROWS_WITH(grader::parse_lms_roster("folder,id\nalice,1,extra\n", "r.csv"), parlab_test::ContainsSubstring("has 3 fields"));
}

TEST_CASE("matching the roster keeps every submission and adds the students who handed in nothing") {
  const auto list = grader::match_roster(class_records(), grader::parse_lms_roster(roster_text, "roster.csv"));
  REQUIRE(list.members.size() == 5);  // 4 submissions + dan
  CHECK(list.members[3].record->student == "zed");
  CHECK_FALSE(list.members[3].person.has_value());
  CHECK(list.members[4].person->folder == "dan");
  CHECK_FALSE(list.members[4].record.has_value());
  REQUIRE(list.notes.size() == 2);
  CHECK(grader::contains(list.notes[0], "zed handed in work but is not in the roster"));
  CHECK(grader::contains(list.notes[1], "(dan) is in the roster but handed in nothing"));

  const auto without = grader::match_roster(class_records(), std::nullopt);
  CHECK(without.members.size() == 4);
  REQUIRE(without.notes.size() == 1);
  CHECK(grader::contains(without.notes[0], "No roster"));
}

TEST_CASE("canvas.csv has Canvas's import columns, the Points Possible row and one column per lab") {
  const auto list = grader::match_roster(class_records(), grader::parse_lms_roster(roster_text, "roster.csv"));
  CHECK(grader::render_canvas_csv(class_labs, list) ==
        "Student,ID,SIS User ID,SIS Login ID,Section,Lab 01,Lab 02\n"
        "Points Possible,,,,,100,50\n"
        "\"Liddell, Alice\",1001,S-1,aliddell,A,90,42.5\n"
        "Bob <b>Builder</b>,1002,,bbuilder,B,30,0\n"
        "Carol,,S-3,,,,\n"           // the grader failed: blank, so the import changes nothing
        "zed,,,,,100,50\n"           // not in the roster: kept, under the folder name
        "\"Dan \"\"the man\"\"\",1004,,,,0,0\n");  // in the roster, nothing handed in
}

TEST_CASE("moodle.csv has one identifier per row and leaves out the rows Moodle could not match") {
  const auto list = grader::match_roster(class_records(), grader::parse_lms_roster(roster_text, "roster.csv"));
  CHECK(grader::render_moodle_csv(class_labs, list) ==
        "Name,User ID,ID number,Username,Email address,Lab 01,Lab 02\n"
        "\"Liddell, Alice\",1001,S-1,aliddell,alice@example.edu,90,42.5\n"
        "Bob <b>Builder</b>,1002,,bbuilder,,30,0\n"
        "Carol,,S-3,,carol@example.edu,,\n"
        "\"Dan \"\"the man\"\"\",1004,,,,0,0\n");
  // Without a roster the folder name stands in as the username, and nobody is left out.
  const std::vector<grader::StudentRecord> one = {record("=cmd", Outcome::rejected, {{"01", LabStatus::graded, 0, 100}, {"02", LabStatus::graded, 0, 50}})};
  CHECK(grader::render_moodle_csv(class_labs, grader::match_roster(one, std::nullopt)) ==
        "Name,User ID,ID number,Username,Email address,Lab 01,Lab 02\n"
        "'=cmd,,,'=cmd,,0,0\n");
}

TEST_CASE("similarity.csv ranks the pairs and names the shared fragments") {
  grader::SimilarityReport report;
  report.ran = true;
  grader::SimilarPair pair{"01", "ana", "ben, jr", 0.914, 120, {{"src/a.cpp", "src/a.cpp", 3, 40, 5, 44, 99}}};
  report.pairs = {pair};
  CHECK(grader::render_similarity_csv(report) ==
        "rank,lab,student_a,student_b,similarity,longest_fragment_tokens,shared_fragments\n"
        "1,01,ana,\"ben, jr\",0.914,120,src/a.cpp:3-40 ~ src/a.cpp:5-44\n");
}

TEST_CASE("class.html escapes what students control, has a row per student and links each report") {
  grader::ClassPageInput in;
  in.labs = class_labs;
  auto records = class_records();
  records.push_back(record("<script>alert(1)</script>", Outcome::rejected, {{"01", LabStatus::graded, 0, 100}, {"02", LabStatus::graded, 0, 50}}));
  records.back().message = "\"><img src=x onerror=alert(2)>";
  records[0].tasks = {{"01", "task1", 30, 30}, {"01", "task2", 5, 15}};
  records[1].tasks = {{"01", "task1", 10, 30}, {"01", "task2", 15, 15}};
  records[0].performance = {{"01", "threads", grader::PerfStatus::passed, 1.4, 0.8}};
  records[0].failed_cases = {"01/hidden/a <case>"};
  in.class_list = grader::match_roster(records, grader::parse_lms_roster(roster_text, "roster.csv"));
  in.summary = grader::class_summary(class_labs, records);
  in.settings = {{"labs", {"01", "02"}}, {"timing", false}};
  in.report_links = {{"alice", "reports/alice/report.html"}};
  in.similarity.not_run_because = "Node.js is not installed: run grader/similarity/install.sh";
  const std::string page = grader::render_class_page(in);

  CHECK_FALSE(grader::contains(page, "<script>alert"));
  CHECK_FALSE(grader::contains(page, "<img src=x"));
  CHECK_FALSE(grader::contains(page, "<b>Builder"));
  CHECK(grader::contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(grader::contains(page, "a &lt;case&gt;"));
  std::size_t rows = 0;
  for (std::size_t at = page.find("<tr class=\"student\""); at != std::string::npos; at = page.find("<tr class=\"student\"", at + 1)) ++rows;
  CHECK(rows == 6);  // five submissions and dan, who handed in nothing
  CHECK(grader::contains(page, "<a class=\"report\" href=\"reports/alice/report.html\">"));
  CHECK(grader::contains(page, "1 of 2 (50 %)"));  // task1: full points for alice only
  CHECK(grader::contains(page, "Liddell, Alice: 1.40 (passed)"));  // her dot in the performance plot
  CHECK(grader::contains(page, "did not run: Node.js is not installed"));
  // Nothing loaded from anywhere (the only address is SVG's namespace name).
  CHECK_FALSE(grader::contains(replace_all_svg_namespace(page), "://"));
  CHECK_FALSE(grader::contains(page, "src=\""));
  CHECK_FALSE(grader::contains(page, "<link"));
  CHECK_FALSE(grader::contains(page, "url("));
}

TEST_CASE("a batch's class files: a report link only where the report exists, exports beside the page") {
  const fs::path out = fs::temp_directory_path() / ("parlab-class-files-" + grader::random_hex(6));
  grader::write_file_atomically(out / "reports" / "alice" / "report.html", "<html></html>");
  grader::write_file_atomically(out / "reports" / "carol" / "grader-output.txt", "it crashed\n");
  grader::write_file_atomically(out / "roster.csv", roster_text);
  grader::ClassFilesOptions options;
  options.out = out;
  options.labs = class_labs;
  options.roster = out / "roster.csv";
  options.similarity = false;
  const auto files = grader::write_class_files(options, class_records());
  const std::string page = grader::read_file(files.page);
  CHECK(grader::contains(page, "href=\"reports/alice/report.html\""));
  CHECK(grader::contains(page, "href=\"reports/carol/grader-output.txt\""));
  CHECK_FALSE(grader::contains(page, "reports/bob/"));
  CHECK(grader::contains(grader::read_file(files.canvas), "Points Possible"));
  CHECK(grader::contains(grader::read_file(files.moodle), "aliddell"));
  CHECK(grader::read_file(files.similarity_csv).rfind("rank,", 0) == 0);
  CHECK(files.notes.size() == 2);
  grader::remove_tree_quietly(out);
}
