#include "batch/batch.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "batch/grade_settings.hpp"
#include "batch/journal.hpp"
#include "batch/lms_roster.hpp"
#include "batch/roster.hpp"
#include "util/command.hpp"
#include "util/file_lock.hpp"
#include "util/files.hpp"
#include "util/text.hpp"
#include "verdict.hpp"

namespace grader {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// What every child reads its settings from (written once per run of the batch).
fs::path settings_file(const fs::path& out) { return out / "grade-settings.json"; }

// The grader's error message: the line it starts with "parlab-grader: " (the details
// below it stay in grader-output.txt), or else the last line that says something.
std::string error_line(const std::string& output) {
  const auto lines = split_lines(output);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (it->rfind("parlab-grader: ", 0) == 0) return trim(it->substr(15));
  }
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (!trim(*it).empty()) return trim(*it);
  }
  return "(no output)";
}

// Replaces `target` by `fresh` without a moment where neither exists whole.
void replace_folder(const fs::path& fresh, const fs::path& target) {
  const fs::path old = target.parent_path() / (".old-" + target.filename().string() + "-" + random_hex(4));
  if (fs::exists(target)) fs::rename(target, old);
  fs::rename(fresh, target);
  remove_tree_quietly(old);
}

// Folders a killed batch left behind in reports/: never a finished report.
void remove_leftovers(const fs::path& reports) {
  if (!fs::is_directory(reports)) return;
  for (const auto& entry : fs::directory_iterator(reports)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(".partial-", 0) == 0 || name.rfind(".old-", 0) == 0) remove_tree_quietly(entry.path());
  }
}

// The numbers of a report's "seconds" object (its phases), by key.
std::map<std::string, double> numbers_of(const json& seconds) {
  std::map<std::string, double> out;
  for (const auto& [key, value] : seconds.items()) {
    if (value.is_number() && key.rfind("share_", 0) != 0) out[key] = value.get<double>();  // a share is no time
  }
  return out;
}

StudentRecord record_from_report(const json& report, StudentRecord record) {
  record.outcome = Outcome::graded;
  record.score = report.at("score").get<double>();
  record.max_score = report.at("max_score").get<double>();
  record.phase_seconds = numbers_of(report.value("seconds", json::object()));
  for (const auto& lab : report.at("labs")) {
    const std::string id = lab.at("id").get<std::string>();
    const auto status = state_from_json<LabStatus>(lab.at("status"), "lab status");
    if (status == LabStatus::graded) record.lab_phase_seconds[id] = numbers_of(lab.value("seconds", json::object()));
    record.labs.push_back(LabPoints{id, status, lab.at("points").get<double>(),
                                    lab.at("max_points").get<double>()});
    for (const auto& t : lab.at("tasks")) {
      record.tasks.push_back(TaskOutcome{id, t.at("id").get<std::string>(), t.at("earned").get<double>(),
                                         t.at("points").get<double>()});
    }
    for (const auto& p : lab.at("performance")) {
      if (p.at("ratios").empty()) continue;  // not timed: no ratio to plot
      record.performance.push_back(PerformanceOutcome{id, p.at("id").get<std::string>(),
                                                      state_from_json<PerfStatus>(p.at("status"), "performance status"),
                                                      p.at("median_ratio").get<double>(), p.at("threshold").get<double>()});
    }
    for (const auto& c : lab.at("cases")) {
      if (c.at("verdict").get<std::string>() != verdict_id(Verdict::passed)) {
        record.failed_cases.push_back(id + "/" + c.at("suite").get<std::string>() + "/" + c.at("name").get<std::string>());
      }
    }
  }
  return record;
}

class BatchRun {
 public:
  BatchRun(const BatchOptions& options, Journal& journal, std::vector<RosterEntry> todo, std::size_t total)
      : options_(options), journal_(journal), todo_(std::move(todo)), total_(total), done_before_(total - todo_.size()) {}

  void run() {
    started_ = Clock::now();
    const unsigned workers = std::max(1u, std::min<unsigned>(options_.parallel, static_cast<unsigned>(todo_.size())));
    {
      std::vector<std::jthread> threads;
      for (unsigned i = 0; i < workers; ++i) threads.emplace_back([this] { work(); });
    }  // joined here
    if (failure_) std::rethrow_exception(failure_);
  }

  [[nodiscard]] std::size_t graded_now() const { return finished_; }

 private:
  void work() {
    while (true) {
      const std::size_t index = next_.fetch_add(1);
      if (index >= todo_.size() || stop_.load()) return;
      try {
        const StudentRecord record = grade(todo_[index]);
        journal_.append(record);
        report_progress(record);
      } catch (...) {
        // The journal could not be written (disk full?): stop handing out work; what is
        // journaled stays.
        const std::lock_guard lock(mutex_);
        if (!failure_) failure_ = std::current_exception();
        stop_ = true;
        return;
      }
    }
  }

  StudentRecord grade(const RosterEntry& entry) const {
    const auto started = Clock::now();
    const fs::path reports = options_.out / "reports";
    const std::string folder = safe_file_name(entry.student);
    const fs::path partial = reports / (".partial-" + folder + "-" + random_hex(4));
    fs::create_directories(partial);

    const std::vector<std::string> argv = {options_.grader_executable.string(), "grade", entry.path.string(),
                                           "--out", partial.string(), "--settings", settings_file(options_.out).string()};
    CommandOptions command;
    command.timeout = options_.per_submission_timeout;
    command.output_cap = 1 << 20;
    const CommandResult ran = run_command(argv, command);
    write_file_atomically(partial / "grader-output.txt", ran.output);

    StudentRecord record;
    record.student = entry.student;
    record.fingerprint = entry.fingerprint;
    record.report = "reports/" + folder;
    if (ran.ok()) {
      try {
        record = record_from_report(json::parse(read_file(partial / "report.json")), record);
      } catch (const std::exception& e) {
        record.outcome = Outcome::grader_failed;
        record.message = std::string("its report could not be read: ") + e.what();
      }
    } else if (ran.exit_code == 2) {
      record.outcome = Outcome::rejected;  // the grader's "bad input": the submission's own fault
      record.message = error_line(ran.output);
    } else {
      record.outcome = Outcome::grader_failed;
      record.message = ran.timed_out ? fmt::format("grading took longer than {} s", options_.per_submission_timeout.count())
                       : ran.signal != 0 ? fmt::format("the grader was killed by signal {}: {}", ran.signal, error_line(ran.output))
                                         : fmt::format("the grader exited with status {}: {}", ran.exit_code, error_line(ran.output));
    }
    if (record.outcome != Outcome::graded) {
      record.max_score = 0;
      for (const auto& lab : options_.labs) record.max_score += lab.max_points;
    }
    replace_folder(partial, reports / folder);
    record.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    record.finished_at = utc_now();
    return record;
  }

  void report_progress(const StudentRecord& record) {
    const std::lock_guard lock(mutex_);
    ++finished_;
    if (!options_.progress) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
    const std::size_t left = todo_.size() - finished_;
    const double eta = elapsed / static_cast<double>(finished_) * static_cast<double>(left);
    const std::string result = record.outcome == Outcome::graded
                                   ? fmt::format("{:g}/{:g}", record.score, record.max_score)
                                   : outcome_text(record.outcome) + " (" + record.message + ")";
    fmt::print(stderr, "batch: [{}/{}] {}: {} in {}; {} elapsed{}\n", done_before_ + finished_, total_, record.student,
               result, human_seconds(record.seconds), human_seconds(elapsed),
               left == 0 ? std::string() : fmt::format(", about {} left", human_seconds(eta)));
  }

  const BatchOptions& options_;
  Journal& journal_;
  const std::vector<RosterEntry> todo_;
  const std::size_t total_, done_before_;
  Clock::time_point started_;
  std::atomic<std::size_t> next_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::size_t finished_ = 0;
  std::exception_ptr failure_;
};

}  // namespace

namespace {

void say(const BatchOptions& options, const std::string& text) {
  if (options.progress) fmt::print(stderr, "batch: {}\n", text);
}

// The LMS roster given with --roster, or the one in the submissions folder; read now, so
// that a mistake in it stops the batch before hours of grading, not after.
std::optional<fs::path> checked_roster_path(const BatchOptions& options) {
  std::optional<fs::path> roster_path;
  if (!options.roster.empty()) {
    roster_path = options.roster;
  } else if (fs::is_regular_file(options.submissions / roster_file_name)) {
    roster_path = options.submissions / roster_file_name;
  }
  if (roster_path) {
    const LmsRoster people = read_lms_roster(*roster_path);
    say(options, fmt::format("roster: {} ({} students)", roster_path->string(), people.people.size()));
  }
  return roster_path;
}

// The students still to grade: new ones, changed submissions and failed gradings.
std::vector<RosterEntry> work_left(const BatchOptions& options, const Roster& roster, const Journal& journal,
                                   BatchOutcome& outcome) {
  std::vector<RosterEntry> todo;
  outcome.students = roster.entries.size();
  for (const auto& entry : roster.entries) {
    const auto it = journal.latest().find(entry.student);
    if (it == journal.latest().end()) {
      todo.push_back(entry);
    } else if (it->second.fingerprint != entry.fingerprint) {
      say(options, entry.student + ": the submission changed since it was graded; grading it again");
      todo.push_back(entry);
    } else if (!it->second.final()) {
      say(options, entry.student + ": the last grading failed (" + it->second.message + "); grading it again");
      todo.push_back(entry);
    } else {
      ++outcome.already_graded;
    }
  }
  for (const auto& [student, record] : journal.latest()) {
    const bool in_roster = std::any_of(roster.entries.begin(), roster.entries.end(),
                                       [&](const auto& e) { return e.student == student; });
    if (!in_roster) {
      say(options, student + " has a journaled result but no submission in " + options.submissions.string() +
                       " any more: left out of the gradebook");
    }
  }
  if (outcome.already_graded > 0) {
    say(options, fmt::format("resuming {}: {} of {} students already graded, {} to grade",
                             (options.out / "journal.jsonl").string(), outcome.already_graded, outcome.students,
                             todo.size()));
  } else {
    say(options, fmt::format("{} students to grade, {} at a time", todo.size(), options.parallel));
  }
  return todo;
}

// The gradebook, the exports, the class page and the similarity check, from every record.
void write_batch_files(const BatchOptions& options, const Roster& roster, const Journal& journal, const json& settings,
                       const std::optional<fs::path>& roster_path, BatchOutcome& outcome) {
  std::vector<StudentRecord> records;
  for (const auto& entry : roster.entries) {
    const StudentRecord& record = journal.latest().at(entry.student);
    if (record.outcome == Outcome::rejected) ++outcome.rejected;
    if (record.outcome == Outcome::grader_failed) ++outcome.grader_failed;
    records.push_back(record);
  }
  outcome.files = write_gradebook(options.out, options.labs, records);

  ClassFilesOptions class_options{options.out, options.labs, settings, std::nullopt, options.similarity,
                                  options.manifests, {}, options.similarity_options};
  class_options.roster = roster_path;
  for (const auto& entry : roster.entries) class_options.submissions.push_back({entry.student, entry.path});
  class_options.similarity_options.scratch = options.out / ".similarity-work";
  if (options.similarity) say(options, "similarity check: comparing the submissions with Dolos");
  outcome.class_files = write_class_files(class_options, records);
  for (const auto& note : outcome.class_files.notes) say(options, note);
  if (options.similarity && outcome.class_files.similarity.ran) {
    say(options, fmt::format("similarity check: {} pairs in {}", outcome.class_files.similarity.pairs.size(),
                             human_seconds(outcome.class_files.similarity.seconds)));
  } else if (options.similarity) {
    say(options, "similarity check did not run: " + outcome.class_files.similarity.not_run_because);
  }
}

}  // namespace

BatchOutcome run_batch(const BatchOptions& options) {
  const auto started = Clock::now();
  const Roster roster = read_roster(options.submissions);
  for (const auto& ignored : roster.ignored) say(options, "ignoring " + ignored);
  const std::optional<fs::path> roster_path = checked_roster_path(options);

  fs::create_directories(options.out);
  auto batch_lock = FileLock::try_lock(options.out / ".batch.lock", FileLock::Mode::exclusive);
  if (!batch_lock) {
    throw std::invalid_argument("another batch is writing to " + options.out.string() +
                                ": wait for it to finish, or give another --out folder");
  }
  remove_leftovers(options.out / "reports");
  const json settings = settings_that_change_grades(options.grade_settings);
  Journal journal(options.out / "journal.jsonl", settings);
  // After the journal agreed: a refused resume leaves the running batch's file alone.
  write_file_atomically(settings_file(options.out), options.grade_settings.dump(2) + "\n");
  for (const auto& note : journal.notes()) say(options, note);

  BatchOutcome outcome;
  std::vector<RosterEntry> todo = work_left(options, roster, journal, outcome);
  BatchRun run(options, journal, std::move(todo), roster.entries.size());
  run.run();
  outcome.graded_now = run.graded_now();

  write_batch_files(options, roster, journal, settings, roster_path, outcome);
  outcome.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return outcome;
}

}  // namespace grader
