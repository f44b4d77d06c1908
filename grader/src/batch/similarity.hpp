#pragma once
// The similarity check of a batch: for each lab, every pair of submissions compared by
// Dolos (winnowing over the syntax tree's tokens, so renamed variables and reordered
// functions still match), with the lab's starter files as the template whose code
// nobody is blamed for sharing. Dolos is a Node library: grader/similarity/dolos_pairs.mjs
// drives it, installed by grader/similarity/install.sh (instructors only; students never
// need it). Without Node or Dolos the batch says how to install them and writes the rest.

#include <filesystem>
#include <string>
#include <vector>

#include "manifest.hpp"

namespace grader {

// A stretch of code two submissions share: lines in a lab file of each side.
struct SharedFragment {
  std::string left_file, right_file;  // lab-relative: "src/blocking_queue.cpp"
  unsigned left_start = 0, left_end = 0, right_start = 0, right_end = 0;  // 1-based, inclusive
  unsigned tokens = 0;  // how many syntax tokens the fragment covers
};

struct SimilarPair {
  std::string lab, left, right;  // lab id, student names
  double similarity = 0;         // 0..1: share of both sides' fingerprints they have in common
  unsigned longest_fragment = 0; // in tokens
  std::vector<SharedFragment> fragments;  // longest first, at most a handful
};

struct SimilarityReport {
  bool ran = false;
  std::string not_run_because;  // with how to install what is missing
  std::vector<SimilarPair> pairs;  // most similar first, over every lab
  std::vector<std::string> notes;  // "lab 02: fewer than two submissions have its files"
  double seconds = 0;
};

struct SimilaritySubmission {
  std::string student;
  std::filesystem::path path;  // a folder or an archive, as the batch takes it
};

struct SimilarityOptions {
  std::filesystem::path dolos_dir;    // where install.sh put node_modules
  std::filesystem::path script;       // grader/similarity/dolos_pairs.mjs
  std::filesystem::path scratch;      // emptied and removed afterwards
  std::size_t pairs_per_lab = 200;    // the most similar pairs kept per lab
};

// The default Dolos folder: $PARLAB_DOLOS_DIR, else ~/.cache/parlab/dolos (install.sh's
// default, outside the tree so that a fresh clone or a new build folder keeps it).
[[nodiscard]] std::filesystem::path default_dolos_dir();

// Why the check cannot run ("" when it can), with the command that fixes it.
[[nodiscard]] std::string similarity_unavailable(const SimilarityOptions& options);

// Compares the submissions lab by lab. Never throws for a bad submission (an archive that
// cannot be read is left out with a note); a failure of Node or Dolos is reported in
// not_run_because.
[[nodiscard]] SimilarityReport check_similarity(const std::vector<LabManifest>& labs,
                                                const std::vector<SimilaritySubmission>& submissions,
                                                const SimilarityOptions& options);

// similarity.csv: one row per pair, most similar first.
[[nodiscard]] std::string render_similarity_csv(const SimilarityReport& report);

}  // namespace grader
