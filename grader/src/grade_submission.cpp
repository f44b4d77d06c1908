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

std::map<std::string, fs::path> suite_executables(const BuildTree& tree, const LabManifest& lab) {
  std::map<std::string, fs::path> out = {{"visible", tree.executable(lab.target("_visible"))}};
  if (lab.has_hidden_tests) out["hidden"] = tree.executable(lab.target("_hidden"));
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
    if (c.suite != "visible") continue;
    clean(c.summary, max_student_text_bytes);
    for (auto& a : c.assertions) clean(a, max_student_text_bytes);
    clean(c.hang_headline, max_student_text_bytes);
    for (auto& t : c.hang_threads) clean(t, max_student_text_bytes);
    clean(c.race_report, 12 * 1024);
    clean(c.tsan_note, max_student_text_bytes);
  }
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

void Grader::build_reference(SubmissionResult& result, std::vector<LabResult>& labs) {
  const auto started = Clock::now();
  FileLock lock(options_.work_dir / "reference.lock", FileLock::Mode::exclusive);
  BuildTree reference({options_.source_root, options_.work_dir / "reference", "reference", "RelWithDebInfo", "",
                       lab_ids_of(labs_), ""});
  progress("building the reference (once; reused by every later grading)");
  const FileLock working = MachineGate().share();
  reference.configure();
  for (std::size_t i = 0; i < labs_.size(); ++i) {
    const BuildOutcome built = reference.build(lab_targets(labs_[i], true), options_.jobs);
    if (!built.ok) {
      labs[i].status = "grader error";
      labs[i].grader_error = "the reference solution of this lab does not build, so it cannot be graded:\n" + built.first_errors;
    }
  }
  result.times.reference_build = seconds_since(started);
}

SubmissionResult Grader::grade(const fs::path& submission_path) {
  const auto started = Clock::now();
  SubmissionResult result;
  result.graded_at = utc_now();
  result.isolation = sandbox_->isolation().name();
  result.isolation_description = sandbox_->isolation().description();
  result.gdb_available = sandbox_->gdb_available();
  result.settings_summary = fmt::format(
      "{} parallel test jobs; per case: {:.0f} s wall, {} s CPU, {} memory, {} disk, {} files, {} processes, {} output; "
      "TSan rerun {}; timing {}; each student file compiled in the sandbox within {} s and {}",
      options_.jobs, std::chrono::duration<double>(options_.limits.wall).count(), options_.limits.cpu_seconds,
      human_bytes(options_.limits.memory), human_bytes(options_.limits.disk), human_bytes(options_.limits.file_size),
      options_.limits.processes,
      human_bytes(options_.limits.output_bytes), options_.tsan ? "on" : "off",
      options_.timing ? fmt::format("{} rounds", options_.timing_settings.rounds) : "off", options_.compile_seconds.count(),
      human_bytes(options_.compile_memory));

  const OpenedSubmission opened = open_submission(submission_path, options_.work_dir);
  result.submission = opened.name;
  progress(fmt::format("grading {} ({})", opened.name, opened.root.string()));

  std::vector<LabResult> labs(labs_.size());
  for (std::size_t i = 0; i < labs_.size(); ++i) {
    labs[i].id = labs_[i].id;
    labs[i].slug = labs_[i].slug;
    labs[i].title = labs_[i].title;
    labs[i].max_points = labs_[i].max_points();
  }
  result.times.prepare = seconds_since(started);
  build_reference(result, labs);

  // Take a free slot, or wait for the first one.
  std::optional<Slot> slot;
  for (unsigned k = 0; k < options_.slots && !slot; ++k) {
    auto lock = FileLock::try_lock(options_.work_dir / fmt::format("slot-{}.lock", k), FileLock::Mode::exclusive);
    if (lock) slot.emplace(Slot{std::move(*lock), options_.work_dir / fmt::format("slot-{}", k) / "overlay", nullptr, nullptr});
  }
  if (!slot) {
    progress("every build slot is busy; waiting for slot 0");
    slot.emplace(Slot{FileLock(options_.work_dir / "slot-0.lock", FileLock::Mode::exclusive),
                      options_.work_dir / "slot-0" / "overlay", nullptr, nullptr});
  }
  const fs::path slot_dir = slot->overlay.parent_path();

  const auto stage_started = Clock::now();
  const StagingResult staged = stage_submission(opened.root, labs_, slot->overlay);
  result.ignored_files = staged.ignored;
  result.ignored_not_listed = staged.ignored_not_listed;
  for (std::size_t i = 0; i < labs_.size(); ++i) {
    const StagedLab& s = staged.labs[i];
    labs[i].files_taken = s.taken;
    labs[i].files_missing = s.missing;
    labs[i].files_rejected = s.rejected;
    if (!s.submitted && labs[i].status == "graded") labs[i].status = "not submitted";
  }
  result.times.stage = seconds_since(stage_started);

  // The student's files compile in the sandbox, seeing the lab kit and this submission only.
  const fs::path compile_settings = slot_dir / "compile-sandbox.json";
  write_compile_settings(compile_settings,
                         {sandbox_->isolation(), options_.work_dir / "scratch", {options_.source_root / "labs", slot->overlay},
                          compile_limits(options_.compile_seconds, options_.compile_memory, options_.compile_output)});
  const std::string launcher = compile_launcher(current_executable(), compile_settings);
  slot->tree = std::make_unique<BuildTree>(BuildTreeSettings{options_.source_root, slot_dir / "build", slot->overlay.string(),
                                                             "RelWithDebInfo", "", lab_ids_of(labs_), launcher});
  slot->tsan_tree = std::make_unique<BuildTree>(BuildTreeSettings{options_.source_root, slot_dir / "tsan", slot->overlay.string(),
                                                                  "RelWithDebInfo", "thread", lab_ids_of(labs_), launcher});
  {
    const auto configure_started = Clock::now();
    slot->tree->configure();
    result.times.build += seconds_since(configure_started);
  }

  for (std::size_t i = 0; i < labs_.size(); ++i) {
    LabResult& lab = labs[i];
    if (lab.status == "graded") grade_lab(labs_[i], *slot, lab, result.times);
    if (lab.status != "graded") skip_timing(labs_[i], "the lab was not graded: " + lab.status, lab);
    score_lab(labs_[i], lab);
    if (lab.status != "graded") {
      // Nothing earned: the rubric still lists every task, with zero points.
      for (auto& t : lab.tasks) t.earned = 0;
      lab.points = 0;
    }
    result.score += lab.points;
    result.max_score += lab.max_points;
  }
  result.score = round_points(result.score);
  result.labs = std::move(labs);
  result.times.total = seconds_since(started);
  return result;
}

void Grader::grade_lab(const LabManifest& manifest, Slot& slot, LabResult& lab, PhaseTimes& times) {
  // Lock order (see machine_gate.hpp): the slot is held, then the reference, then the gate.
  FileLock reference_in_use(options_.work_dir / "reference.lock", FileLock::Mode::shared);
  const MachineGate gate;
  std::optional<FileLock> working(gate.share());
  const auto build_started = Clock::now();
  progress(fmt::format("lab {}: building", manifest.id));
  const BuildOutcome built = slot.tree->build(lab_targets(manifest, options_.timing), options_.jobs);
  end_adopted_orphans();
  lab.build_seconds = seconds_since(build_started);
  times.build += lab.build_seconds;
  // What the reports show is checked against the hidden tests and the reference.
  std::vector<fs::path> hidden_files;
  for (const fs::path& dir : {options_.source_root / "tests" / manifest.slug, options_.source_root / "solutions" / manifest.slug}) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file()) hidden_files.push_back(it->path());
    }
  }
  const HiddenText hidden(hidden_files);
  struct RedactAtEnd {
    const HiddenText& hidden;
    LabResult& lab;
    ~RedactAtEnd() { redact_reports(hidden, lab); }
  } redact_at_end{hidden, lab};
  if (!built.ok) {
    lab.status = "did not build";
    lab.build_errors = built.first_errors;
    return;
  }

  const BuildTree reference({options_.source_root, options_.work_dir / "reference", "reference", "RelWithDebInfo", "", {}, ""});
  std::vector<TestCase> cases;
  try {
    for (const auto& [suite, executable] : suite_executables(reference, manifest)) {
      auto listed = list_test_cases(executable, suite, manifest);
      cases.insert(cases.end(), listed.begin(), listed.end());
    }
  } catch (const std::exception& e) {
    lab.status = "grader error";
    lab.grader_error = e.what();
    return;
  }
  // Visible cases first, in the order the tests declare them.
  std::stable_sort(cases.begin(), cases.end(), [](const auto& a, const auto& b) { return a.suite == "visible" && b.suite != "visible"; });

  TestRunSettings run_settings;
  run_settings.jobs = options_.jobs;
  run_settings.limits = options_.limits;
  // The grader's own wall-clock limit ends a hang (and takes a backtrace first); the tests'
  // watchdogs would end it earlier with less information.
  run_settings.environment = {"PARLAB_TIMEOUT_SCALE=100"};
  run_settings.strip_prefixes = {slot.overlay.string() + "/", options_.source_root.string() + "/"};
  for (const auto& file : manifest.editable) run_settings.student_files.push_back(std::filesystem::path(file).filename().string());
  const auto tests_started = Clock::now();
  progress(fmt::format("lab {}: running {} test cases, {} at a time", manifest.id, cases.size(), options_.jobs));
  lab.cases = run_test_cases(*sandbox_, cases, suite_executables(*slot.tree, manifest), run_settings);
  lab.test_seconds = seconds_since(tests_started);
  times.tests += lab.test_seconds;

  if (!manifest.race_check) {
    lab.race_check = "not a thread lab";
  } else if (!options_.tsan) {
    lab.race_check = "skipped (--no-tsan)";
  } else {
    const auto tsan_build_started = Clock::now();
    progress(fmt::format("lab {}: building with ThreadSanitizer", manifest.id));
    std::string tsan_problem;
    try {
      slot.tsan_tree->configure();
      const BuildOutcome tsan_built = slot.tsan_tree->build(lab_targets(manifest, false), options_.jobs);
      end_adopted_orphans();
      if (!tsan_built.ok) tsan_problem = "the ThreadSanitizer build failed:\n" + tsan_built.first_errors;
    } catch (const std::exception& e) {
      tsan_problem = e.what();
    }
    lab.tsan_build_seconds = seconds_since(tsan_build_started);
    times.tsan_build += lab.tsan_build_seconds;
    if (!tsan_problem.empty()) {
      lab.race_check = "not run: " + tsan_problem;
    } else {
      TestRunSettings tsan_settings = run_settings;
      tsan_settings.limits.wall = std::chrono::milliseconds(
          static_cast<long long>(static_cast<double>(options_.limits.wall.count()) * options_.tsan_slowdown));
      tsan_settings.limits.cpu_seconds = static_cast<unsigned>(options_.limits.cpu_seconds * options_.tsan_slowdown);
      tsan_settings.limits.address_space = 0;  // TSan maps terabytes of shadow memory
      tsan_settings.environment.push_back("TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:exitcode=66");
      const auto tsan_started = Clock::now();
      progress(fmt::format("lab {}: rerunning the passing cases under ThreadSanitizer", manifest.id));
      rerun_under_tsan(*sandbox_, lab.cases, suite_executables(*slot.tsan_tree, manifest), tsan_settings);
      lab.tsan_seconds = seconds_since(tsan_started);
      times.tsan += lab.tsan_seconds;
      lab.race_check = "ran";
    }
  }

  if (!options_.timing) {
    skip_timing(manifest, "timing was switched off (--no-timing)", lab);
  } else if (manifest.benchmark_target.empty() || manifest.performance.empty()) {
    skip_timing(manifest, "this lab has no benchmark", lab);
  } else {
    // Timing runs alone: no other grader process on this machine builds, tests or times
    // beside it, whatever its work directory.
    working.reset();
    progress(fmt::format("lab {}: waiting for the machine to be free of other grading work", manifest.id));
    const MachineGate::Alone alone = gate.alone();
    const auto timing_started = Clock::now();
    progress(fmt::format("lab {}: timing against the reference ({} rounds)", manifest.id, options_.timing_settings.rounds));
    time_lab(*sandbox_, manifest, slot.tree->executable(manifest.benchmark_target),
             reference.executable(manifest.benchmark_target), options_.timing_settings, lab);
    lab.timing_seconds = seconds_since(timing_started);
    times.timing += lab.timing_seconds;
  }
}

}  // namespace grader
