#include "grade_submission.hpp"

#include <map>
#include <optional>

#include <fmt/format.h>

#include "build_tree.hpp"
#include "compile_sandbox.hpp"
#include "hidden_text.hpp"
#include "scoring.hpp"
#include "staging.hpp"
#include "submission.hpp"
#include "test_cases.hpp"
#include "test_runner.hpp"
#include "util/file_lock.hpp"
#include "util/machine_gate.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::vector<std::string> lab_ids_of(const std::vector<LabManifest>& labs) {
  std::vector<std::string> ids;
  for (const auto& lab : labs) ids.push_back(lab.id);
  return ids;
}

std::vector<std::string> lab_targets(const LabManifest& lab, bool with_benchmark) {
  std::vector<std::string> targets = {lab.target("_visible")};
  if (lab.has_hidden_tests) targets.push_back(lab.target("_hidden"));
  if (with_benchmark && !lab.benchmark_target.empty()) targets.push_back(lab.benchmark_target);
  return targets;
}

std::map<Suite, fs::path> suite_executables(const BuildTree& tree, const LabManifest& lab) {
  std::map<Suite, fs::path> out = {{Suite::visible, tree.executable(lab.target("_visible"))}};
  if (lab.has_hidden_tests) out[Suite::hidden] = tree.executable(lab.target("_hidden"));
  return out;
}

// Every text of a lab's result that the submission's code or compiler could shape: cut to a
// bounded size, and without a run of bytes from the hidden tests or the reference.
void redact_reports(const HiddenText& hidden, LabResult& lab) {
  auto clean = [&](std::string& text, std::size_t cap) {
    if (text.size() > cap) text = text.substr(0, cap) + " [...]";
    text = hidden.redact(text);
  };
  clean(lab.build_errors, 24 * 1024);
  for (auto& c : lab.cases) {
    clean(c.output, 24 * 1024);
    // A hidden case's failure quotes its own source on purpose (shown as the instructor's
    // hidden_visibility says); a visible case's is shown to the student at once.
    if (c.suite != Suite::visible) continue;
    clean(c.summary, max_student_text_bytes);
    for (auto& a : c.assertions) clean(a, max_student_text_bytes);
    clean(c.hang_headline, max_student_text_bytes);
    for (auto& t : c.hang_threads) clean(t, max_student_text_bytes);
    clean(c.race_report, 12 * 1024);
    clean(c.tsan_note, max_student_text_bytes);
  }
}

// Every regular file under each of `dirs` (a missing folder has none).
std::vector<fs::path> files_under(std::initializer_list<fs::path> dirs) {
  std::vector<fs::path> files;
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file()) files.push_back(it->path());
    }
  }
  return files;
}

// What reports are checked against: the text that must never show in one (the hidden tests
// and the reference), less what the student has in the kit anyway (the lab's folder and the
// common code: visible tests, headers, starter, handout).
HiddenText hidden_text_of(const fs::path& source_root, const LabManifest& manifest) {
  return HiddenText(files_under({source_root / "tests" / manifest.slug, source_root / "solutions" / manifest.slug}),
                    files_under({source_root / "labs" / manifest.slug, source_root / "labs" / "common"}));
}

}  // namespace

// A build slot: an overlay folder the submission is staged into, and the build trees
// configured with it. A lock file keeps other grader processes out while it is in use.
struct Grader::Slot {
  FileLock lock;
  fs::path overlay;
  std::unique_ptr<BuildTree> tree;
  std::unique_ptr<BuildTree> tsan_tree;
  bool tsan_configured = false;
};

Grader::Grader(GraderOptions options) : options_(std::move(options)) {
  if (!fs::is_directory(options_.source_root / "labs") || !fs::exists(options_.source_root / "CMakeLists.txt")) {
    throw std::runtime_error(options_.source_root.string() + " is not a parlab source tree (no labs/ or CMakeLists.txt)");
  }
  if (!fs::is_directory(options_.source_root / "solutions")) {
    throw std::runtime_error(options_.source_root.string() + " has no solutions/: the grader needs the instructor tree "
                             "(the reference solutions and the hidden tests)");
  }
  const LabCatalog catalog = discover_labs(options_.source_root);
  labs_ = select_labs(catalog, options_.lab_ids);
  if (labs_.empty()) throw std::runtime_error("no lab to grade in " + options_.source_root.string());
  if (options_.lab_ids.empty()) {
    for (const auto& broken : catalog.broken) progress("skipping " + broken.folder + ": " + broken.error);
  }
  fs::create_directories(options_.work_dir);
  options_.work_dir = fs::canonical(options_.work_dir);
  const Isolation isolation = probe_isolation(options_.isolation);
  SandboxPaths paths{options_.work_dir / "scratch", current_executable()};
  sandbox_ = std::make_unique<Sandbox>(isolation, paths, options_.jobs);
}

Grader::~Grader() = default;

void Grader::progress(const std::string& message) const {
  if (options_.progress) fmt::print(stderr, "parlab-grader: {}\n", message);
}

StillBuilding Grader::still_building(std::string what) const {
  if (!options_.progress) return {};
  return [this, what = std::move(what)](const std::string& how_far) { progress(what + ": " + how_far); };
}

// Takes the lock on the reference tree, saying first what it waits for when it must wait.
FileLock Grader::lock_reference(FileLock::Mode mode, const char* waiting_for) const {
  const auto lock_path = options_.work_dir / "reference.lock";
  std::optional<FileLock> free_now = FileLock::try_lock(lock_path, mode);
  if (free_now) return std::move(*free_now);
  progress(std::string("waiting for the reference tree: ") + waiting_for);
  return FileLock(lock_path, mode);
}

// Only the labs this submission holds: a lab-01 submission does not wait for lab 05's
// reference. The tree is kept in the work dir, so a later grading rebuilds nothing (ninja
// finds every target up to date); the benchmark is built only when this grading times.
void Grader::build_reference(SubmissionResult& result, std::vector<LabResult>& labs) {
  const auto started = Clock::now();
  BuildTree reference({options_.source_root, options_.work_dir / "reference", "reference", "RelWithDebInfo", "",
                       lab_ids_of(labs_), ""});
  std::vector<std::string> targets;
  for (std::size_t i = 0; i < labs_.size(); ++i) {
    if (labs[i].status != LabStatus::graded) continue;
    for (auto& target : lab_targets(labs_[i], options_.timing)) targets.push_back(std::move(target));
  }
  {
    // In a batch the reference is almost always built already: learn that under a shared
    // lock, beside the gradings that test and time with it, instead of waiting for all of
    // them to end (measured: 56 s of every batch grading went to that wait).
    const FileLock shared = lock_reference(FileLock::Mode::shared, "another grading is building it");
    if (targets.empty() || reference.up_to_date(targets)) {
      result.times.reference_build = seconds_since(started);
      return;
    }
  }
  FileLock lock = lock_reference(FileLock::Mode::exclusive, "another grading is building or timing with it");
  progress("building the reference of the submitted labs (reused by every later grading)");
  const FileLock working = MachineGate().share();
  reference.configure();
  for (std::size_t i = 0; i < labs_.size(); ++i) {
    if (labs[i].status != LabStatus::graded) continue;  // not submitted: nothing to compare with
    // One line per lab: a cold reference build takes minutes, and each lab's line says the
    // grader is still building, not hung.
    progress(fmt::format("building the reference of lab {}", labs_[i].id));
    const BuildOutcome built = reference.build(lab_targets(labs_[i], options_.timing), options_.jobs,
                                               still_building(fmt::format("still building the reference of lab {}", labs_[i].id)));
    if (!built.ok) {
      labs[i].status = LabStatus::grader_error;
      labs[i].grader_error = "the reference solution of this lab does not build, so it cannot be graded:\n" + built.first_errors;
    }
  }
  result.times.reference_build = seconds_since(started);
}

// The stages of one lab, in the order of docs/grading.md: build -> list -> run -> race
// check -> time; score() (scoring.hpp) turns their results into points.

struct Grader::BuiltLab {
  bool ok = false;
  std::string first_errors;
  double seconds = 0;
};

struct Grader::ListedCases {
  std::vector<TestCase> cases;  // visible ones first, in the order the tests declare them
  std::string error;            // the reference's listing failed: a grader error
};

struct Grader::RanCases {
  std::vector<CaseResult> cases;
  double seconds = 0;
};

struct Grader::RaceCheck {
  std::string race_check;  // "ran", or why not
  double build_seconds = 0, seconds = 0;
};

std::string Grader::settings_summary() const {
  return fmt::format(
      "{} parallel test jobs; per case: {:.0f} s wall, {} s CPU, {} memory, {} disk, {} files, {} processes, {} output; "
      "TSan rerun {}; timing {}; each student file compiled in the sandbox within {} s and {}",
      options_.jobs, std::chrono::duration<double>(options_.limits.wall).count(), options_.limits.cpu_seconds,
      human_bytes(options_.limits.memory), human_bytes(options_.limits.disk), human_bytes(options_.limits.file_size),
      options_.limits.processes,
      human_bytes(options_.limits.output_bytes), options_.tsan ? "on" : "off",
      options_.timing ? fmt::format("{} rounds", options_.timing_settings.rounds) : "off", options_.compile_seconds.count(),
      human_bytes(options_.compile_memory));
}

std::vector<LabResult> Grader::empty_lab_results() const {
  std::vector<LabResult> labs(labs_.size());
  for (std::size_t i = 0; i < labs_.size(); ++i) {
    labs[i].id = labs_[i].id;
    labs[i].slug = labs_[i].slug;
    labs[i].title = labs_[i].title;
    labs[i].max_points = labs_[i].max_points();
  }
  return labs;
}

// Takes a free slot, or waits for the first one.
Grader::Slot Grader::take_slot() const {
  for (unsigned k = 0; k < options_.slots; ++k) {
    auto lock = FileLock::try_lock(options_.work_dir / fmt::format("slot-{}.lock", k), FileLock::Mode::exclusive);
    if (lock) return Slot{std::move(*lock), options_.work_dir / fmt::format("slot-{}", k) / "overlay", nullptr, nullptr};
  }
  progress("every build slot is busy; waiting for slot 0");
  return Slot{FileLock(options_.work_dir / "slot-0.lock", FileLock::Mode::exclusive),
              options_.work_dir / "slot-0" / "overlay", nullptr, nullptr};
}

void Grader::stage(const fs::path& submission_root, Slot& slot, SubmissionResult& result, std::vector<LabResult>& labs) const {
  const auto stage_started = Clock::now();
  const StagingResult staged = stage_submission(submission_root, labs_, slot.overlay);
  result.ignored_files = staged.ignored;
  result.ignored_not_listed = staged.ignored_not_listed;
  for (std::size_t i = 0; i < labs_.size(); ++i) {
    const StagedLab& s = staged.labs[i];
    labs[i].files_taken = s.taken;
    labs[i].files_missing = s.missing;
    labs[i].files_rejected = s.rejected;
    if (!s.submitted && labs[i].status == LabStatus::graded) labs[i].status = LabStatus::not_submitted;
  }
  result.times.stage = seconds_since(stage_started);
}

// The student's files compile in the sandbox, seeing the lab kit and this submission only.
void Grader::configure_slot_trees(Slot& slot, PhaseTimes& times) const {
  const fs::path slot_dir = slot.overlay.parent_path();
  const fs::path compile_settings = slot_dir / "compile-sandbox.json";
  write_compile_settings(compile_settings,
                         {sandbox_->isolation(), options_.work_dir / "scratch", {options_.source_root / "labs", slot.overlay},
                          compile_limits(options_.compile_seconds, options_.compile_memory, options_.compile_output)});
  const std::string launcher = compile_launcher(current_executable(), compile_settings);
  slot.tree = std::make_unique<BuildTree>(BuildTreeSettings{options_.source_root, slot_dir / "build", slot.overlay.string(),
                                                            "RelWithDebInfo", "", lab_ids_of(labs_), launcher});
  slot.tsan_tree = std::make_unique<BuildTree>(BuildTreeSettings{options_.source_root, slot_dir / "tsan", slot.overlay.string(),
                                                                 "RelWithDebInfo", "thread", lab_ids_of(labs_), launcher});
  const auto configure_started = Clock::now();
  slot.tree->configure();
  times.build += seconds_since(configure_started);
}

SubmissionResult Grader::grade(const fs::path& submission_path) {
  const auto started = Clock::now();
  SubmissionResult result;
  result.graded_at = utc_now();
  result.isolation = sandbox_->isolation().name();
  result.isolation_description = sandbox_->isolation().description();
  result.gdb_available = sandbox_->gdb_available();
  result.settings_summary = settings_summary();

  const OpenedSubmission opened = open_submission(submission_path, options_.work_dir);
  result.submission = opened.name;
  progress(fmt::format("grading {} ({})", opened.name, opened.root.string()));
  std::vector<LabResult> labs = empty_lab_results();
  result.times.prepare = seconds_since(started);

  // Staged first, so that the reference is built only for the labs handed in. Lock order
  // (machine_gate.hpp): the slot, then the reference.
  Slot slot = take_slot();
  stage(opened.root, slot, result, labs);
  build_reference(result, labs);
  configure_slot_trees(slot, result.times);
  for (std::size_t i = 0; i < labs_.size(); ++i) {
    LabResult& lab = labs[i];
    if (lab.status == LabStatus::graded) grade_lab(labs_[i], slot, lab, result.times);
    if (lab.status != LabStatus::graded) skip_timing(labs_[i], "the lab was not graded: " + status_text(lab.status), lab);
    score_lab(labs_[i], lab);
    result.score += lab.points;
    result.max_score += lab.max_points;
  }
  result.score = round_points(result.score);
  result.labs = std::move(labs);
  result.times.total = seconds_since(started);
  return result;
}

Grader::BuiltLab Grader::build_lab(const LabManifest& manifest, Slot& slot) const {
  const auto build_started = Clock::now();
  progress(fmt::format("lab {}: building", manifest.id));
  const BuildOutcome built = slot.tree->build(lab_targets(manifest, options_.timing), options_.jobs,
                                             still_building(fmt::format("lab {}: still building", manifest.id)));
  end_adopted_orphans();
  return {built.ok, built.first_errors, seconds_since(build_started)};
}

// The reference build's listing is the trusted list of cases: a submission cannot hide one.
Grader::ListedCases Grader::list_cases(const LabManifest& manifest, const BuildTree& reference) const {
  ListedCases listed;
  try {
    for (const auto& [suite, executable] : suite_executables(reference, manifest)) {
      auto cases = list_test_cases(executable, suite, manifest);
      listed.cases.insert(listed.cases.end(), cases.begin(), cases.end());
    }
  } catch (const std::exception& e) {
    listed.error = e.what();
    return listed;
  }
  std::stable_sort(listed.cases.begin(), listed.cases.end(),
                   [](const auto& a, const auto& b) { return a.suite == Suite::visible && b.suite != Suite::visible; });
  return listed;
}

TestRunSettings Grader::test_run_settings(const LabManifest& manifest, const Slot& slot) const {
  TestRunSettings settings;
  settings.jobs = options_.jobs;
  settings.limits = options_.limits;
  // A test's processes run below the grader: a fork bomb at its limit is 510 processes
  // spinning in fork(), and two of them (two runners) left the grader's watcher about one
  // 3 ms slice a second, so it saw the limit only after the hard end and called the case
  // hung (measured: 1 of 6 cases timed out instead of "process limit", beside a build).
  // The timing benchmarks keep the grader's priority, like the capacity probe they are
  // compared with.
  settings.limits.nice = 19;
  // The grader's own wall-clock limit ends a hang (and takes a backtrace first); the tests'
  // watchdogs would end it earlier with less information.
  settings.environment = {"PARLAB_TIMEOUT_SCALE=100"};
  settings.strip_prefixes = {slot.overlay.string() + "/", options_.source_root.string() + "/"};
  // Crash and hang headlines name the innermost frame in one of these files.
  for (const auto& file : manifest.editable) settings.student_files.push_back(std::filesystem::path(file).filename().string());
  for (const auto& task : manifest.tasks) {
    if (task.loopback_tcp) settings.loopback_tcp_tasks.insert(task.id);
  }
  return settings;
}

Grader::RanCases Grader::run_cases(const LabManifest& manifest, const Slot& slot, const std::vector<TestCase>& cases,
                                   const TestRunSettings& settings) const {
  const auto tests_started = Clock::now();
  progress(fmt::format("lab {}: running {} test cases, {} at a time", manifest.id, cases.size(), options_.jobs));
  RanCases ran;
  ran.cases = run_test_cases(*sandbox_, cases, suite_executables(*slot.tree, manifest), settings);
  ran.seconds = seconds_since(tests_started);
  return ran;
}

// Builds the ThreadSanitizer tree; returns why it cannot be used, or nothing.
std::string Grader::build_tsan(const LabManifest& manifest, Slot& slot) const {
  progress(fmt::format("lab {}: building with ThreadSanitizer", manifest.id));
  try {
    slot.tsan_tree->configure();
    const BuildOutcome tsan_built =
        slot.tsan_tree->build(lab_targets(manifest, false), options_.jobs,
                              still_building(fmt::format("lab {}: still building with ThreadSanitizer", manifest.id)));
    end_adopted_orphans();
    if (!tsan_built.ok) return "the ThreadSanitizer build failed:\n" + tsan_built.first_errors;
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

Grader::RaceCheck Grader::check_races(const LabManifest& manifest, Slot& slot, std::vector<CaseResult>& cases,
                                      const TestRunSettings& settings) const {
  RaceCheck check;
  if (!manifest.race_check) {
    // lab.json says the code students write runs on one thread (lab 02: chunk lists are
    // computed before the given executor starts its workers), so there is nothing to race.
    check.race_check = "not run: the code this lab asks for runs on one thread";
    return check;
  }
  if (!options_.tsan) {
    check.race_check = "skipped (--no-tsan)";
    return check;
  }
  const auto tsan_build_started = Clock::now();
  const std::string tsan_problem = build_tsan(manifest, slot);
  check.build_seconds = seconds_since(tsan_build_started);
  if (!tsan_problem.empty()) {
    check.race_check = "not run: " + tsan_problem;
    return check;
  }
  TestRunSettings tsan_settings = settings;
  tsan_settings.limits.wall = std::chrono::milliseconds(
      static_cast<long long>(static_cast<double>(options_.limits.wall.count()) * options_.tsan_slowdown));
  tsan_settings.limits.cpu_seconds = static_cast<unsigned>(options_.limits.cpu_seconds * options_.tsan_slowdown);
  tsan_settings.limits.address_space = 0;  // TSan maps terabytes of shadow memory
  tsan_settings.environment.push_back("TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:die_after_fork=0:atexit_sleep_ms=0:exitcode=66");
  const auto tsan_started = Clock::now();
  progress(fmt::format("lab {}: rerunning the passing cases under ThreadSanitizer", manifest.id));
  rerun_under_tsan(*sandbox_, cases, suite_executables(*slot.tsan_tree, manifest), tsan_settings);
  check.seconds = seconds_since(tsan_started);
  check.race_check = "ran";
  return check;
}

// Timing runs alone: no other grader process on this machine builds, tests or times beside
// it, whatever its work directory. `working` is this process's share of the machine gate.
void Grader::time_against_reference(const LabManifest& manifest, const Slot& slot, const BuildTree& reference,
                                    const MachineGate& gate, std::optional<FileLock>& working, LabResult& lab,
                                    PhaseTimes& times) const {
  if (!options_.timing) {
    skip_timing(manifest, "timing was switched off (--no-timing)", lab);
    return;
  }
  if (manifest.benchmark_target.empty() || manifest.performance.empty()) {
    skip_timing(manifest, "this lab has no benchmark", lab);
    return;
  }
  working.reset();
  progress(fmt::format("lab {}: waiting for the machine to be free of other grading work", manifest.id));
  const auto wait_started = Clock::now();
  const MachineGate::Alone alone = gate.alone();
  lab.timing_wait_seconds = seconds_since(wait_started);
  times.timing_wait += lab.timing_wait_seconds;
  const auto timing_started = Clock::now();
  const std::string waited = lab.timing_wait_seconds < 0.5 ? std::string()
                             : fmt::format(" after waiting {:.1f} s for other grading work to end", lab.timing_wait_seconds);
  progress(fmt::format("lab {}: timing against the reference ({} rounds){}", manifest.id, options_.timing_settings.rounds, waited));
  time_lab(*sandbox_, manifest, slot.tree->executable(manifest.benchmark_target),
           reference.executable(manifest.benchmark_target), options_.timing_settings, lab);
  lab.timing_seconds = seconds_since(timing_started);
  times.timing += lab.timing_seconds;
}

void Grader::grade_lab(const LabManifest& manifest, Slot& slot, LabResult& lab, PhaseTimes& times) {
  // Lock order (see machine_gate.hpp): the slot is held, then the reference, then the gate.
  FileLock reference_in_use(options_.work_dir / "reference.lock", FileLock::Mode::shared);
  const MachineGate gate;
  std::optional<FileLock> working(gate.share());
  const BuiltLab built = build_lab(manifest, slot);
  lab.build_seconds = built.seconds;
  times.build += built.seconds;
  // What the reports show is checked against the hidden tests and the reference.
  const HiddenText hidden = hidden_text_of(options_.source_root, manifest);
  struct RedactAtEnd {
    const HiddenText& hidden;
    LabResult& lab;
    ~RedactAtEnd() { redact_reports(hidden, lab); }
  } redact_at_end{hidden, lab};
  if (!built.ok) {
    lab.status = LabStatus::did_not_build;
    lab.build_errors = built.first_errors;
    return;
  }

  const BuildTree reference({options_.source_root, options_.work_dir / "reference", "reference", "RelWithDebInfo", "", {}, ""});
  const ListedCases listed = list_cases(manifest, reference);
  if (!listed.error.empty()) {
    lab.status = LabStatus::grader_error;
    lab.grader_error = listed.error;
    return;
  }
  const TestRunSettings run_settings = test_run_settings(manifest, slot);
  RanCases ran = run_cases(manifest, slot, listed.cases, run_settings);
  lab.cases = std::move(ran.cases);
  lab.test_seconds = ran.seconds;
  times.tests += ran.seconds;

  const RaceCheck raced = check_races(manifest, slot, lab.cases, run_settings);
  lab.race_check = raced.race_check;
  lab.tsan_build_seconds = raced.build_seconds;
  lab.tsan_seconds = raced.seconds;
  times.tsan_build += raced.build_seconds;
  times.tsan += raced.seconds;

  time_against_reference(manifest, slot, reference, gate, working, lab, times);
}

}  // namespace grader
