#pragma once
// The course as the student command sees it: the labs found under labs/, read from their
// manifests (lab.json), and where their build outputs live.

#include <filesystem>
#include <string>
#include <vector>

namespace parlab::student {

struct Task {
  std::string id;     // "task2"
  std::string title;
  std::string tag;    // Catch tag selecting its tests, "[task2]"
  int points = 0;
  std::vector<std::string> hints;  // layered: first a nudge, last nearly the answer
};

struct Lab {
  std::string id;     // "01"
  std::string slug;   // "01-queues"
  std::string title;
  std::filesystem::path dir;
  std::vector<std::string> editable;  // lab-relative paths of the files the student edits
  std::vector<Task> tasks;
  std::string bench_target;               // empty when the lab has no benchmark
  std::vector<std::string> bench_grading_args;
  struct Threshold {
    std::string id, title, metric;
    double threshold = 0;
  };
  std::vector<Threshold> performance;
  int performance_points = 0;  // the measured task: points from the benchmark (`parlab time`)
  bool race_check = false;     // the grader reruns the tests under ThreadSanitizer

  [[nodiscard]] std::string visible_target() const { return "lab" + id + "_visible"; }
  [[nodiscard]] const Task& task(const std::string& task_id) const;
};

struct Course {
  std::filesystem::path source_dir;
  std::filesystem::path build_dir;
  std::vector<Lab> labs;

  // Reads every labs/NN-*/lab.json under source_dir. Throws with a clear message when a
  // manifest cannot be read.
  [[nodiscard]] static Course load(const std::filesystem::path& source_dir,
                                   const std::filesystem::path& build_dir);
  // Accepts "1", "01", "01-queues" or "queues". Throws listing the labs when nothing matches.
  [[nodiscard]] const Lab& lab(const std::string& name) const;
};

}  // namespace parlab::student
