// The rubric's rule that one failure costs a task at least a share of its points, and the
// manifest check that keeps a misspelt or out-of-range rubric key from scoring silently.
#include <filesystem>
#include <stdexcept>
#include <string>

#include "manifest.hpp"
#include "parlab_test/catch.hpp"
#include "results.hpp"
#include "scoring.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;
using grader::TaskSpec;
using grader::Verdict;

namespace {

grader::CaseResult case_of(const std::string& task, Verdict verdict) {
  grader::CaseResult c;
  c.task_id = task;
  c.verdict = verdict;
  return c;
}

fs::path manifest_with_task(const std::string& extra_field) {
  const fs::path dir = fs::temp_directory_path() / ("parlab-grader-scoring-" + grader::random_hex(4)) / "09-x";
  fs::create_directories(dir);
  grader::write_file_atomically(dir / "lab.json",
                                R"({"lab": "09", "slug": "09-x", "title": "x", "editable": ["src/a.cpp"],
                                    "tasks": [{"id": "task1", "title": "t", "tag": "[task1]", "points": 20)" +
                                    extra_field + "}]}");
  return dir;
}

}  // namespace

TEST_CASE("a task without the rule splits its points over its cases", "[grader][scoring]") {
  const TaskSpec plain{"task1", "t", "[task1]", 20, {}, 0};
  CHECK(grader::task_points(plain, 9, 10) == 18);
  CHECK(grader::task_points(plain, 10, 10) == 20);
  CHECK(grader::task_points(plain, 0, 0) == 0);
}

TEST_CASE("one failed case costs a task with the rule at least its share", "[grader][scoring]") {
  const TaskSpec half{"task1", "t", "[task1]", 20, {}, 0.5};
  CHECK(grader::task_points(half, 10, 10) == 20);  // no failure: every point
  CHECK(grader::task_points(half, 9, 10) == 10);   // one failure: at most half, not 18
  CHECK(grader::task_points(half, 2, 10) == 4);    // already below half: the split stands
  CHECK(grader::task_points(half, 0, 10) == 0);
  const TaskSpec all{"task1", "t", "[task1]", 20, {}, 1.0};
  CHECK(grader::task_points(all, 99, 100) == 0);

  grader::LabManifest manifest;
  manifest.tasks = {half, {"task2", "u", "[task2]", 10, {}, 0}};
  grader::LabResult lab;
  lab.cases = {case_of("task1", Verdict::passed), case_of("task1", Verdict::passed), case_of("task1", Verdict::race_detected),
               case_of("task2", Verdict::passed), case_of("task2", Verdict::timed_out)};
  grader::score_lab(manifest, lab);
  REQUIRE(lab.tasks.size() == 2);
  CHECK(lab.tasks[0].earned == 10);  // a race is a failure like any other: 2/3 would be 13.33
  CHECK(lab.tasks[1].earned == 5);
  CHECK(lab.points == 15);
}

TEST_CASE("manifests refuse an unknown task field and a share that is not above 0 and at most 1", "[grader][scoring][manifest]") {
  CHECK(grader::load_manifest(manifest_with_task(R"(, "any_failure_costs_at_least": 0.5)")).tasks.at(0).any_failure_costs_at_least == 0.5);
  CHECK(grader::load_manifest(manifest_with_task("")).tasks.at(0).any_failure_costs_at_least == 0);
  CHECK_THROWS_WITH(grader::load_manifest(manifest_with_task(R"(, "any_failure_cost": 0.5)")),
                    parlab_test::ContainsSubstring("unknown field 'any_failure_cost'"));
  CHECK_THROWS_WITH(grader::load_manifest(manifest_with_task(R"(, "any_failure_costs_at_least": 1.5)")),
                    parlab_test::ContainsSubstring("at most 1"));
  CHECK_THROWS_AS(grader::load_manifest(manifest_with_task(R"(, "any_failure_costs_at_least": "half")")), std::runtime_error);
  CHECK_THROWS_AS(grader::load_manifest(manifest_with_task(R"(, "any_failure_costs_at_least": 0)")), std::runtime_error);
}
