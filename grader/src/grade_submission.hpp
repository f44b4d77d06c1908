#pragma once
// The grading pipeline for one submission, lab by lab:
//   stage -> incremental build in a reused slot tree -> every test case sandboxed ->
//   TSan rerun (thread labs) -> timing against the reference -> score.
// One lab that fails to build fails that lab only.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "manifest.hpp"
#include "results.hpp"
#include "sandbox/sandbox.hpp"
#include "timing.hpp"

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
  void progress(const std::string& message) const;
  void build_reference(SubmissionResult& result, std::vector<LabResult>& labs);
  void grade_lab(const LabManifest& manifest, Slot& slot, LabResult& lab, PhaseTimes& times);

  GraderOptions options_;
  std::vector<LabManifest> labs_;
  std::unique_ptr<Sandbox> sandbox_;
};

}  // namespace grader
