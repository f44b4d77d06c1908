// The settings file a batch writes for its `parlab-grader grade` children
// (batch/grade_settings.hpp): every setting comes back as it was written, and a file with a
// missing, unknown or mistyped setting is refused with the key named.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "batch/grade_settings.hpp"
#include "parlab_test/catch.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;
using parlab_test::ContainsSubstring;

namespace {

fs::path settings_path(const std::string& name) {
  return fs::temp_directory_path() / ("parlab-grade-settings-" + name + "-" + grader::random_hex(4) + ".json");
}

// Options that differ from the defaults in every field, so that a field the file forgets
// shows up as a difference.
std::pair<grader::GraderOptions, grader::ReportSettings> unusual_options() {
  grader::GraderOptions o;
  o.source_root = "/somewhere/parlab";
  o.work_dir = "/somewhere/work";
  o.lab_ids = {"01", "04"};
  o.jobs = 3;
  o.timing = false;
  o.tsan = false;
  o.progress = false;
  o.isolation = "limits";
  o.limits.wall = std::chrono::milliseconds(4500);
  o.limits.cpu_seconds = 7;
  o.limits.address_space = 1ULL << 29;
  o.limits.memory = 1ULL << 28;
  o.limits.disk = 1ULL << 27;
  o.limits.file_size = 1ULL << 26;
  o.limits.open_files = 99;
  o.limits.processes = 77;
  o.limits.output_bytes = 1ULL << 25;
  o.compile_seconds = std::chrono::seconds(33);
  o.compile_memory = 1ULL << 30;
  o.compile_output = 1ULL << 24;
  o.tsan_slowdown = 2.5;
  o.timing_settings = {5, 0.7, 0.3, 0.02};
  o.slots = 2;
  return {o, grader::ReportSettings{"hidden"}};
}

}  // namespace

TEST_CASE("a batch's settings file gives its children every setting the batch resolved", "[settings]") {
  const auto [written, report] = unusual_options();
  const fs::path file = settings_path("round-trip");
  grader::write_file_atomically(file, grader::settings_to_json(written, report).dump(2));
  grader::GraderOptions read;
  grader::ReportSettings read_report;
  grader::read_settings_file(file, read, read_report);
  CHECK(grader::settings_to_json(read, read_report) == grader::settings_to_json(written, report));
  CHECK(read.limits.wall == std::chrono::milliseconds(4500));
  CHECK(read.lab_ids == std::vector<std::string>{"01", "04"});
  CHECK(read_report.hidden_visibility == "hidden");
  // What a resumed batch compares leaves out where and how fast it works.
  const auto compared = grader::settings_that_change_grades(grader::settings_to_json(written, report));
  CHECK_FALSE(compared.contains("jobs"));
  CHECK_FALSE(compared.contains("work_dir"));
  CHECK(compared.at("case_wall_ms") == 4500);
  fs::remove(file);
}

TEST_CASE("a settings file with a missing, unknown or mistyped setting is refused with its key", "[settings]") {
  const auto [options, report] = unusual_options();
  nlohmann::json settings = grader::settings_to_json(options, report);
  const fs::path file = settings_path("refused");
  grader::GraderOptions read;
  grader::ReportSettings read_report;
  SECTION("missing") { settings.erase("case_wall_ms"); }
  SECTION("unknown") { settings["case_wall_s"] = 4; }
  SECTION("mistyped") { settings["tsan"] = "no"; }
  SECTION("negative") { settings["jobs"] = -1; }
  grader::write_file_atomically(file, settings.dump());
  const std::string key = settings.contains("case_wall_s") ? "\"case_wall_s\"" : !settings.contains("case_wall_ms") ? "\"case_wall_ms\""
                          : settings["tsan"].is_string() ? "\"tsan\" must be true or false" : "\"jobs\" must be a whole number";
  CHECK_THROWS_WITH(grader::read_settings_file(file, read, read_report), ContainsSubstring(file.string()) && ContainsSubstring(key));
  fs::remove(file);
}
