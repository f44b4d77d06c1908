// Where grading time goes, as the reports show it: the terminal's "time:" lines, the batch
// summary's mean and max per phase, and the fairness command's runs and spreads.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "batch/gradebook.hpp"
#include "batch/journal.hpp"
#include "fairness.hpp"
#include "parlab_test/catch.hpp"
#include "reports.hpp"
#include "util/text.hpp"

using nlohmann::json;

namespace {

grader::LabResult thread_lab() {
  grader::LabResult lab;
  lab.id = "01";
  lab.title = "Queues";
  lab.build_seconds = 12.34;
  lab.test_seconds = 4.06;
  lab.tsan_build_seconds = 20.2;
  lab.tsan_seconds = 3;
  lab.timing_seconds = 18;
  return lab;
}

grader::StudentRecord timed_record(const std::string& name, double build, double timing) {
  grader::StudentRecord r;
  r.student = name;
  r.outcome = grader::Outcome::graded;
  r.labs = {{"01", grader::LabStatus::graded, 10, 10}};
  r.phase_seconds = {{"total", build + timing}, {"build", build}, {"timing", timing}, {"tsan", 0}};
  r.lab_phase_seconds = {{"01", {{"build", build}, {"timing", timing}}}};
  return r;
}

grader::FairnessRun run_with(double points, std::vector<double> ratios) {
  grader::FairnessRun run;
  run.points = points;
  run.max_points = 10;
  for (std::size_t i = 0; i < ratios.size(); ++i) {
    run.ratios.push_back({"P" + std::to_string(i + 1), ratios[i], grader::PerfStatus::passed});
  }
  return run;
}

}  // namespace

TEST_CASE("a lab's time line names each phase that took time, in the order they ran", "[grader][unit][time]") {
  CHECK(grader::lab_time_text(thread_lab()) ==
        "build 12.3 s · tests 4.1 s · TSan build 20.2 s · TSan rerun 3.0 s · timing 18.0 s");
  grader::LabResult process_lab;  // no TSan, not timed, nothing rebuilt
  process_lab.test_seconds = 2.26;
  process_lab.tsan_seconds = 0.01;  // would read "0.0 s": left out
  CHECK(grader::lab_time_text(process_lab) == "build 0.0 s · tests 2.3 s");
  grader::LabResult waited = thread_lab();  // another grading held the machine before timing
  waited.timing_wait_seconds = 41.27;
  CHECK(grader::lab_time_text(waited) ==
        "build 12.3 s · tests 4.1 s · TSan build 20.2 s · TSan rerun 3.0 s · waiting for the machine 41.3 s · timing 18.0 s");
}

TEST_CASE("the terminal report ends with one time line per graded lab and the total", "[grader][unit][time]") {
  grader::SubmissionResult result;
  result.submission = "alice";
  result.labs = {thread_lab()};
  grader::LabResult not_handed_in;
  not_handed_in.id = "02";
  not_handed_in.status = grader::LabStatus::not_submitted;
  result.labs.push_back(not_handed_in);
  result.times.total = 70.5;
  result.times.reference_build = 9;
  result.times.build = 12.34;
  result.times.tests = 4.06;
  const std::string text = grader::render_terminal(result);
  CHECK_THAT(text, parlab_test::ContainsSubstring("\nTime:\n  lab 01: build 12.3 s · tests 4.1 s · TSan build 20.2 s"));
  CHECK_THAT(text, parlab_test::ContainsSubstring("  all: total 70.5 s · reference build 9.0 s · build 12.3 s · tests 4.1 s\n"));
  CHECK_FALSE(grader::contains(text, "lab 02:"));
  CHECK_FALSE(grader::contains(grader::render_table(result), "Time:"));  // Gradescope's table stays as it was
}

TEST_CASE("the class summary gives each phase's mean and max, per submission and per lab", "[grader][unit][time]") {
  std::vector<grader::StudentRecord> records = {timed_record("a", 10, 20), timed_record("b", 2, 40)};
  grader::StudentRecord failed;  // a failed grading recorded no phases: it does not count
  failed.student = "c";
  failed.outcome = grader::Outcome::grader_failed;
  records.push_back(failed);
  const json summary = grader::class_summary({{"01", 10}}, records);
  const json& submission = summary["seconds"]["submission"];
  REQUIRE(submission.size() == 3);  // total, build, timing; TSan took no time
  CHECK(submission[0]["phase"] == "total");
  CHECK(submission[0]["mean"] == 36.0);
  CHECK(submission[1]["label"] == "build");
  CHECK(submission[1]["mean"] == 6.0);
  CHECK(submission[1]["max"] == 10.0);
  CHECK(submission[2]["gradings"] == 2);
  CHECK(summary["seconds"]["labs"]["01"][1]["max"] == 40.0);
  const std::string markdown = grader::render_summary_markdown(summary, "");
  CHECK_THAT(markdown, parlab_test::ContainsSubstring("| build | 6.0 | 10.0 | 2 |"));
  CHECK_THAT(markdown, parlab_test::ContainsSubstring("| lab 01: timing | 30.0 | 40.0 | 2 |"));
}

TEST_CASE("a journal record keeps its phases, and one written before them reads as none", "[grader][unit][time]") {
  const grader::StudentRecord read = grader::record_from_json(grader::to_json(timed_record("a", 3, 4)));
  CHECK(read.phase_seconds.at("timing") == 4);
  CHECK(read.lab_phase_seconds.at("01").at("build") == 3);
  json old = grader::to_json(timed_record("b", 1, 1));
  old.erase("phase_seconds");
  old.erase("lab_phase_seconds");
  CHECK(grader::record_from_json(old).phase_seconds.empty());
}

TEST_CASE("fairness: each metric's spread is (max - min) / median of its ratios", "[grader][unit][fairness]") {
  // Ratios a double holds exactly, so the figures can be compared exactly.
  const std::vector<grader::FairnessRun> runs = {run_with(10, {1.0, 2.0}), run_with(10, {1.125, 2.0}),
                                                 run_with(10, {0.875, 2.0})};
  const grader::FairnessSummary summary = grader::summarise_fairness(runs);
  REQUIRE(summary.metrics.size() == 2);
  CHECK(summary.metrics[0].id == "P1");
  CHECK(summary.metrics[0].median == 1.0);
  CHECK(summary.metrics[0].spread_percent == 25.0);
  CHECK(summary.metrics[1].spread_percent == 0.0);
  CHECK(summary.points_identical);
  const std::string text = grader::render_fairness_summary(summary);
  CHECK_THAT(text, parlab_test::ContainsSubstring("P1: median ratio 1.000 (min 0.875, max 1.125) over 3 runs: spread 25.0 %"));
  CHECK_THAT(text, parlab_test::ContainsSubstring("points identical across runs: yes (10)"));
}

TEST_CASE("fairness: points that moved are said so, and each run is one line", "[grader][unit][fairness]") {
  grader::FairnessRun slow = run_with(7.5, {0.5});
  slow.ratios[0].status = grader::PerfStatus::below_threshold;
  slow.seconds = 41.26;
  const grader::FairnessSummary summary = grader::summarise_fairness({run_with(10, {1.0}), slow});
  CHECK_FALSE(summary.points_identical);
  CHECK_THAT(grader::render_fairness_summary(summary), parlab_test::ContainsSubstring("NO (7.5 to 10)"));
  CHECK(grader::render_fairness_run(2, slow) == "run 2: 7.5/10 points · P1 0.500x below threshold · 41.3 s\n");
  CHECK(grader::render_fairness_run(1, grader::FairnessRun{}) == "run 1: 0/0 points · not timed · 0.0 s\n");
}
