#pragma once
// A CMake build tree of the parlab source tree that the grader keeps between runs. The
// reference tree is built once; a slot's tree is configured once with
// -DPARLAB_IMPL=<slot overlay> and rebuilt incrementally for every submission, so only the
// student's files recompile and relink.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grader {

struct BuildTreeSettings {
  std::filesystem::path source_root;
  std::filesystem::path binary_dir;
  std::string implementation;  // "reference" or an overlay folder
  std::string build_type = "RelWithDebInfo";
  std::string sanitizer;       // "", "thread"
  std::vector<std::string> lab_ids;
  std::string student_compile_launcher;  // slots: compile_launcher(); the reference: none
};

struct BuildOutcome {
  bool ok = false;
  bool compilation_stopped = false;  // a student file's compilation hit a limit
  std::string first_errors;  // the first compiler or linker errors, paths shortened
};

// Told, about every 30 s of a build, how far it got: "57 of 120 steps done, 1 min 30 s so far".
using StillBuilding = std::function<void(const std::string& how_far)>;

class BuildTree {
 public:
  explicit BuildTree(BuildTreeSettings settings) : settings_(std::move(settings)) {}

  // Runs the CMake configure step unless this tree was already configured with the same
  // settings. A failure here is a problem of the instructor's tree, not of a submission:
  // throws std::runtime_error with CMake's message.
  void configure();

  // Builds the targets (one lab's, so that its compile errors stay its own). A cold build
  // takes minutes: `still_building`, when given, hears how far it got every 30 s.
  [[nodiscard]] BuildOutcome build(const std::vector<std::string>& targets, unsigned jobs,
                                   const StillBuilding& still_building = {}) const;

  // True when the tree is configured with these settings and building the targets would do
  // nothing (a dry run: `ninja -n`, which changes nothing in the tree). A grading asks this
  // under a shared lock, so that it need not wait for an exclusive one (every other
  // grading's whole lab) just to learn that the reference is already built.
  [[nodiscard]] bool up_to_date(const std::vector<std::string>& targets) const;

  [[nodiscard]] std::filesystem::path executable(const std::string& target) const {
    return settings_.binary_dir / target;
  }

 private:
  [[nodiscard]] std::vector<std::string> configure_command() const;
  [[nodiscard]] bool configured() const;

  BuildTreeSettings settings_;
};

// Ninja's latest "[done/total]" status in a build's output: how far a running build got.
struct BuildSteps {
  std::size_t done = 0, total = 0;
};
[[nodiscard]] std::optional<BuildSteps> latest_build_steps(std::string_view output);

// The first errors of a failed build, with `strip_prefixes` removed from paths so the
// student sees "01-queues/src/primes_threads.cpp:12:5: error: ...".
[[nodiscard]] std::string extract_first_errors(const std::string& build_output,
                                               const std::vector<std::string>& strip_prefixes,
                                               std::size_t max_lines = 30);

}  // namespace grader
