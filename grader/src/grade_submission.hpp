#pragma once
// The grading pipeline for one submission, lab by lab, in the stages of docs/grading.md:
//   stage -> build (incremental, in a reused slot tree) -> list (the reference's cases) ->
//   run (every case sandboxed) -> race check (TSan rerun, thread labs) -> time (against the
//   reference) -> score (scoring.hpp). Each stage is a function with its own result.
// One lab that fails to build fails that lab only.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "build_tree.hpp"
#include "manifest.hpp"
#include "results.hpp"
#include "sandbox/sandbox.hpp"
#include "test_cases.hpp"
#include "test_runner.hpp"
#include "timing.hpp"
#include "util/file_lock.hpp"
#include "util/machine_gate.hpp"

namespace grader {

struct GraderOptions {
  std::filesystem::path source_root;
  std::filesystem::path work_dir;
  std::vector<std::string> lab_ids;  // empty: every lab
  unsigned jobs = 2;
  bool timing = true;
  bool tsan = true;
  bool progress = true;              // one line per step on stderr
  std::string isolation = "auto";
  SandboxLimits limits;              // per test case
  std::chrono::seconds compile_seconds{120};     // one student file's compilation: wall and CPU
  std::uint64_t compile_memory = 2ULL << 30;     // ... memory
  std::uint64_t compile_output = 256ULL << 20;   // ... object, temporary files and diagnostics
  double tsan_slowdown = 6;          // TSan cases get this many times the wall and CPU limits
  TimingSettings timing_settings;
  unsigned slots = 4;                // build slots other grader processes may use side by side
};

class Grader {
 public:
  // Discovers the labs and probes the isolation. Throws std::invalid_argument for an
  // unknown lab id, std::runtime_error when the source tree is not usable.
  explicit Grader(GraderOptions options);
  ~Grader();
  Grader(const Grader&) = delete;
  Grader& operator=(const Grader&) = delete;

  // Throws SubmissionError for bad input (missing path, not an archive, no lab folder).
  [[nodiscard]] SubmissionResult grade(const std::filesystem::path& submission);

  [[nodiscard]] const std::vector<LabManifest>& labs() const { return labs_; }
  [[nodiscard]] const Isolation& isolation() const { return sandbox_->isolation(); }

 private:
  struct Slot;
  struct BuiltLab;
  struct ListedCases;
  struct RanCases;
  struct RaceCheck;
  void progress(const std::string& message) const;
  // A progress line every 30 s of a build: "<what>: 57 of 120 steps done, 1 min 30 s so far".
  [[nodiscard]] StillBuilding still_building(std::string what) const;
  [[nodiscard]] std::string settings_summary() const;
  [[nodiscard]] std::vector<LabResult> empty_lab_results() const;
  [[nodiscard]] FileLock lock_reference(FileLock::Mode mode, const char* waiting_for) const;
  void build_reference(SubmissionResult& result, std::vector<LabResult>& labs);
  [[nodiscard]] Slot take_slot() const;
  void stage(const std::filesystem::path& submission_root, Slot& slot, SubmissionResult& result,
             std::vector<LabResult>& labs) const;
  void configure_slot_trees(Slot& slot, PhaseTimes& times) const;
  void grade_lab(const LabManifest& manifest, Slot& slot, LabResult& lab, PhaseTimes& times);
  // grade_lab's stages, in order.
  [[nodiscard]] BuiltLab build_lab(const LabManifest& manifest, Slot& slot) const;
  [[nodiscard]] ListedCases list_cases(const LabManifest& manifest, const BuildTree& reference) const;
  [[nodiscard]] TestRunSettings test_run_settings(const LabManifest& manifest, const Slot& slot) const;
  [[nodiscard]] RanCases run_cases(const LabManifest& manifest, const Slot& slot, const std::vector<TestCase>& cases,
                                   const TestRunSettings& settings) const;
  [[nodiscard]] std::string build_tsan(const LabManifest& manifest, Slot& slot) const;
  [[nodiscard]] RaceCheck check_races(const LabManifest& manifest, Slot& slot, std::vector<CaseResult>& cases,
                                      const TestRunSettings& settings) const;
  void time_against_reference(const LabManifest& manifest, const Slot& slot, const BuildTree& reference,
                              const MachineGate& gate, std::optional<FileLock>& working, LabResult& lab,
                              PhaseTimes& times) const;

  GraderOptions options_;
  std::vector<LabManifest> labs_;
  std::unique_ptr<Sandbox> sandbox_;
};

}  // namespace grader
