#pragma once
// The batch journal: one JSON line per graded student, appended and fsynced before the
// batch moves on, so a batch killed at any moment (SIGKILL, power cut) resumes where it
// stopped. The first line records the settings; a resumed batch must use the same ones,
// or its gradebook would mix two gradings.
//
// A record is final for a submission's fingerprint: a resumed batch skips a student whose
// last record has the same fingerprint, and grades again one whose files changed or whose
// grading failed for a reason that was not the submission's fault.

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "results.hpp"
#include "util/unique_fd.hpp"

namespace grader {

// How one student's grading ended. Only a graded record has labs; the other two say why
// in the record's message.
enum class Outcome {
  graded,
  rejected,       // the submission is not gradable: its own fault, final
  grader_failed,  // a crash or a limit of the grader: graded again on resume
};
NLOHMANN_JSON_SERIALIZE_ENUM(Outcome, {{Outcome::graded, "graded"},
                                       {Outcome::rejected, "rejected"},
                                       {Outcome::grader_failed, "grader failed"}})
[[nodiscard]] std::string outcome_text(Outcome outcome);

struct LabPoints {
  std::string id;
  LabStatus status = LabStatus::graded;
  double points = 0, max_points = 0;
};

// What the class page needs beyond the points: how each task and each performance entry
// went. Journals written before these existed have none (the page then leaves them out).
struct TaskOutcome {
  std::string lab, id;
  double earned = 0, points = 0;
};

struct PerformanceOutcome {
  std::string lab, id;
  PerfStatus status = PerfStatus::not_timed;
  double median_ratio = 0, threshold = 0;
};

struct StudentRecord {
  std::string student;
  std::string fingerprint;
  Outcome outcome = Outcome::grader_failed;
  double score = 0, max_score = 0;
  std::vector<LabPoints> labs;  // empty unless graded
  std::vector<std::string> failed_cases;  // "01/hidden/<case name>"
  std::vector<TaskOutcome> tasks;
  std::vector<PerformanceOutcome> performance;  // only the entries that were timed
  std::string message;                    // why it was rejected or failed
  std::string report;                     // the report folder, relative to the batch folder
  double seconds = 0;                     // wall time of its grading
  // Where that time went, as report.json's "seconds" holds it: the submission's phases
  // ("reference_build" -> s) and each lab's ("01" -> "tests" -> s). Empty for a grading that
  // failed and in journals written before these existed.
  std::map<std::string, double> phase_seconds;
  std::map<std::string, std::map<std::string, double>> lab_phase_seconds;
  std::string finished_at;                // ISO 8601, UTC

  [[nodiscard]] bool final() const { return outcome != Outcome::grader_failed; }
};

[[nodiscard]] nlohmann::json to_json(const StudentRecord& record);
// Throws std::runtime_error naming the missing or malformed field.
[[nodiscard]] StudentRecord record_from_json(const nlohmann::json& j);

class Journal {
 public:
  // Opens `path`, creating it with a header holding `settings`. An existing journal must
  // hold the same settings (std::invalid_argument otherwise, saying what differs). A last
  // line cut short by a kill is removed (and reported in notes()); a damaged line anywhere
  // else is an error, never skipped in silence.
  Journal(const std::filesystem::path& path, const nlohmann::json& settings);

  // The last record of each student, by name.
  [[nodiscard]] const std::map<std::string, StudentRecord>& latest() const { return latest_; }
  [[nodiscard]] std::size_t records_read() const { return records_read_; }
  [[nodiscard]] const std::vector<std::string>& notes() const { return notes_; }

  // Appends one line and waits until it is on disk. Safe to call from several threads.
  void append(const StudentRecord& record);

 private:
  std::filesystem::path path_;
  UniqueFd fd_;
  std::mutex mutex_;
  std::map<std::string, StudentRecord> latest_;
  std::size_t records_read_ = 0;
  std::vector<std::string> notes_;
};

}  // namespace grader
