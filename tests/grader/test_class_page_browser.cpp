// class.html in a real browser (Debian's headless Chromium, opened from the file system):
// no console message (an error in the inline script would log one), the script ran, one
// table row per student, every report link points at a file that exists, and a
// screenshot (build/reference/grader-class-page.png) to look at. A copy of the page with a
// broken script must be caught by the same console check, so the check can fail.
// Skipped (exit 77) without Chromium outside CI; in CI (CI set) a missing Chromium fails.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <regex>
#include <string>
#include <vector>

#include "batch/class_files.hpp"
#include "parlab_test/catch.hpp"
#include "util/command.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;

namespace {

std::string chromium_or_skip() {
  for (const char* name : {"chromium", "chromium-browser"}) {
    if (grader::program_exists(name)) return name;
  }
  const char* ci = std::getenv("CI");
  if (ci == nullptr || std::string(ci).empty()) {
    std::cerr << "skipped: Chromium is not installed (apt-get install chromium; cmake/test_all.cmake does it)\n";
    std::exit(77);  // SKIP_RETURN_CODE
  }
  FAIL("Chromium is not installed in CI: PARLAB_TEST_DEBIAN_PACKAGES (cmake/packages.cmake) should have brought it");
  return "";
}

struct Browsed {
  std::string dom, log;
};

// Opens `page` headless, with every background connection off (there is no network) and
// a fresh profile; `extra` is --dump-dom or --screenshot=...
Browsed browse(const std::string& chromium, const fs::path& page, const fs::path& work, const std::string& extra) {
  const fs::path dom = work / "dom.html", log = work / "chromium.log";
  const std::string command =
      chromium + " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"
      " --disable-component-update --disable-sync --disable-default-apps --user-data-dir='" + (work / "profile").string() +
      "' --enable-logging=stderr --v=0 --window-size=1280,2200 --virtual-time-budget=3000 " + extra + " 'file://" +
      page.string() + "' > '" + dom.string() + "' 2> '" + log.string() + "'";
  const auto ran = grader::run_command({"sh", "-c", command}, grader::command_options(std::chrono::minutes(2)));
  INFO(ran.output);
  REQUIRE(ran.ok());
  return {grader::read_file(dom), grader::read_file(log)};
}

// Lines where the page's JavaScript said something (console calls and uncaught errors).
std::vector<std::string> console_lines(const std::string& log) {
  std::vector<std::string> out;
  for (const auto& line : grader::split_lines(log)) {
    if (grader::contains(line, "CONSOLE(") || grader::contains(line, "Uncaught")) out.push_back(line);
  }
  return out;
}

grader::StudentRecord record(const std::string& name, grader::Outcome outcome, double points) {
  grader::StudentRecord r;
  r.student = name;
  r.outcome = outcome;
  r.score = points;
  r.max_score = 100;
  r.tasks = {{"01", "task1", points >= 30 ? 30.0 : points, 30}, {"01", "task2", points >= 90 ? 15.0 : 0.0, 15}};
  if (outcome == grader::Outcome::graded) {
    r.labs = {{"01", grader::LabStatus::graded, points, 100}};
    r.performance = {{"01", "threads", points >= 90 ? grader::PerfStatus::passed : grader::PerfStatus::below_threshold,
                      points / 60, 0.8}};
  }
  r.failed_cases = points < 90 ? std::vector<std::string>{"01/hidden/close wakes every waiter"} : std::vector<std::string>{};
  r.report = "reports/" + grader::safe_file_name(name);
  return r;
}

}  // namespace

TEST_CASE("class.html opens from the file system without a console error, a row per student, working report links") {
  const std::string chromium = chromium_or_skip();
  const fs::path work = fs::temp_directory_path() / ("parlab-class-page-" + grader::random_hex(6));
  const fs::path out = work / "out";
  std::vector<grader::StudentRecord> records = {record("alice", grader::Outcome::graded, 100), record("bob", grader::Outcome::graded, 35),
                                                record("carol", grader::Outcome::graded, 92.5),
                                                record("</td><script>x()</script>", grader::Outcome::rejected, 0)};
  records.back().message = "the archive <b>is</b> not readable";
  for (const auto& r : records) {
    if (r.outcome == grader::Outcome::graded) grader::write_file_atomically(out / r.report / "report.html", "<!DOCTYPE html><p>" + r.student);
    else grader::write_file_atomically(out / r.report / "grader-output.txt", "rejected\n");
  }
  grader::write_file_atomically(out / "roster.csv", "folder,name,id\nalice,\"Liddell, Alice\",1\nbob,Bob,2\ndan,Dan,4\n");
  grader::ClassFilesOptions options;
  options.out = out;
  options.labs = {{"01", 100}};
  options.settings = {{"labs", {"01"}}, {"timing", true}};
  options.roster = out / "roster.csv";
  options.similarity = false;
  const auto files = grader::write_class_files(options, records);

  const Browsed page = browse(chromium, files.page, work, "--dump-dom");
  INFO(page.log);
  CHECK(console_lines(page.log).empty());
  CHECK(grader::contains(page.dom, "data-ready=\"yes\""));  // the inline script ran to its end
  CHECK_FALSE(grader::contains(page.dom, "<script>x()"));

  std::size_t rows = 0;
  for (std::size_t at = page.dom.find("<tr class=\"student\""); at != std::string::npos; at = page.dom.find("<tr class=\"student\"", at + 1)) ++rows;
  CHECK(rows == 5);  // four submissions and dan, in the roster with nothing handed in

  const std::regex link("<a class=\"report\" href=\"([^\"]+)\"");
  std::size_t links = 0;
  for (std::sregex_iterator it(page.dom.begin(), page.dom.end(), link), end; it != end; ++it) {
    const fs::path target = out / (*it)[1].str();
    INFO((*it)[1].str());
    CHECK(fs::is_regular_file(target));
    ++links;
  }
  CHECK(links == 4);

  const fs::path screenshot = fs::path(GRADER_BROWSER_SCREENSHOT);
  fs::remove(screenshot);
  browse(chromium, files.page, work, "--screenshot='" + screenshot.string() + "'");
  REQUIRE(fs::exists(screenshot));
  CHECK(fs::file_size(screenshot) > 20000);
  CHECK(grader::read_file(screenshot).substr(1, 3) == "PNG");

  // The same check on a page whose script fails must see the error.
  const fs::path broken = out / "broken.html";
  grader::write_file_atomically(broken, grader::replace_all(grader::read_file(files.page), "(function(){", "(function(){no_such_function();"));
  const Browsed failing = browse(chromium, broken, work, "--dump-dom");
  CHECK_FALSE(console_lines(failing.log).empty());
  CHECK_FALSE(grader::contains(failing.dom, "data-ready=\"yes\""));
  grader::remove_tree_quietly(work);
}
