// parlab-grader: grades parlab submissions.
//
//   parlab-grader grade <submission> [--labs 01,03] [--out DIR] [--no-timing] [--no-tsan] [--jobs N]
//   parlab-grader batch <folder> [--out DIR] [--jobs N] [--roster FILE] ...  grades one submission
//                                             per student, resumable; writes gradebook.csv, a class
//                                             summary, class.html, canvas.csv, moodle.csv, similarity.csv
//   parlab-grader similarity <folder> [--out DIR]  only the similarity check, into similarity.csv
//   parlab-grader fairness <submission> --lab 01 --runs 10  grades one lab N times and prints
//                                             the points and the spread of each perf ratio
//   parlab-grader examples [--check]          grades grader/examples/* and writes the reports
//   parlab-grader examples --materialise DIR  writes each example as a submission folder DIR/<name>
//
// Exit status: 0 graded (whatever the score), 2 bad input, 3 an example did not get its
// expected score (examples --check), 4 a batch finished but the grader failed on some
// students (run it again to retry them), 1 anything else.
#include <algorithm>
#include <cstring>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compile_sandbox.hpp"
#include "config_file.hpp"
#include "examples.hpp"
#include "fairness.hpp"
#include "batch/batch.hpp"
#include "batch/grade_settings.hpp"
#include "batch/roster.hpp"
#include "grade_submission.hpp"
#include "reports.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox/sandbox_exec.hpp"
#include "submission.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace {

using grader::fs::path;

struct CommonFlags {
  std::string labs;
  std::string out;
  bool no_timing = false;
  bool no_tsan = false;
  unsigned jobs = 0;
  std::string work_dir;
  std::string source_dir = PARLAB_GRADER_SOURCE_ROOT;
  std::string config;
  double case_timeout = 0;
  unsigned memory_mb = 0;
  unsigned disk_mb = 0;
  unsigned compile_timeout = 0;
  unsigned compile_memory_mb = 0;
  unsigned timing_rounds = 0;
  std::string isolation = "auto";
  std::string hidden_visibility;
  bool quiet = false;
};

void add_common_flags(CLI::App& app, CommonFlags& f,
                      const std::string& jobs_help = "test cases run at the same time (default: the number of cores)") {
  app.add_option("--labs", f.labs, "grade only these labs, e.g. 01,03 (default: every lab)");
  app.add_option("--out", f.out, "write report.json, results.json (Gradescope) and report.html here");
  app.add_flag("--no-timing", f.no_timing, "skip the benchmarks (performance points are then not given)");
  app.add_flag("--no-tsan", f.no_tsan, "skip the ThreadSanitizer rerun");
  app.add_option("--jobs", f.jobs, jobs_help)->check(CLI::Range(1u, 64u));
  app.add_option("--work-dir", f.work_dir, "where the grader keeps its build trees (default: <source>/build/grader-work)");
  app.add_option("--source-dir", f.source_dir, "the parlab instructor tree (default: the one this grader was built from)");
  app.add_option("--config", f.config, "settings file (default: <source>/grader/grader.toml)");
  app.add_option("--case-timeout", f.case_timeout, "seconds one test case may take")->check(CLI::Range(0.5, 3600.0));
  app.add_option("--memory-mb", f.memory_mb, "memory limit of one test case (and of one compilation), in MiB")->check(CLI::Range(64u, 1u << 20));
  app.add_option("--compile-timeout", f.compile_timeout, "seconds (wall and CPU) one student file may take to compile")
      ->check(CLI::Range(5u, 3600u));
  app.add_option("--compile-memory-mb", f.compile_memory_mb, "memory one student file's compilation may use, in MiB")
      ->check(CLI::Range(256u, 1u << 20));
  app.add_option("--disk-mb", f.disk_mb, "what one test case may write in all, in MiB")->check(CLI::Range(1u, 1u << 20));
  app.add_option("--timing-rounds", f.timing_rounds, "interleaved benchmark rounds (student, reference)")->check(CLI::Range(1u, 50u));
  app.add_option("--isolation", f.isolation, "auto, bubblewrap, network-namespace or limits")
      ->check(CLI::IsMember({"auto", "bubblewrap", "network-namespace", "limits"}));
  app.add_option("--hidden-visibility", f.hidden_visibility, "Gradescope visibility of hidden-test details")
      ->check(CLI::IsMember({"hidden", "after_due_date", "after_published", "visible"}));
  app.add_flag("--quiet", f.quiet, "no progress lines on stderr");
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (const char c : text + ",") {
    if (c == ',' || c == ';' || c == ' ') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  return out;
}

std::pair<grader::GraderOptions, grader::ReportSettings> make_options(const CommonFlags& f) {
  grader::GraderOptions o;
  grader::ReportSettings report;
  o.source_root = grader::fs::weakly_canonical(f.source_dir);
  const path config = f.config.empty() ? o.source_root / "grader" / "grader.toml" : path(f.config);
  if (!f.config.empty() && !grader::fs::exists(config)) throw std::invalid_argument("--config " + f.config + " does not exist");
  if (grader::fs::exists(config)) grader::apply_config_file(config, o, report);
  o.work_dir = f.work_dir.empty() ? o.source_root / "build" / "grader-work" : path(f.work_dir);
  o.lab_ids = split_list(f.labs);
  o.jobs = f.jobs > 0 ? f.jobs : std::max(1u, std::thread::hardware_concurrency());
  o.timing = !f.no_timing;
  o.tsan = !f.no_tsan;
  o.progress = !f.quiet;
  o.isolation = f.isolation;
  if (f.case_timeout > 0) o.limits.wall = std::chrono::milliseconds(static_cast<long long>(f.case_timeout * 1000));
  if (f.memory_mb > 0) o.limits.address_space = o.limits.memory = static_cast<std::uint64_t>(f.memory_mb) << 20;
  if (f.compile_timeout > 0) o.compile_seconds = std::chrono::seconds(f.compile_timeout);
  if (f.compile_memory_mb > 0) o.compile_memory = static_cast<std::uint64_t>(f.compile_memory_mb) << 20;
  if (f.disk_mb > 0) o.limits.disk = static_cast<std::uint64_t>(f.disk_mb) << 20;
  if (f.timing_rounds > 0) o.timing_settings.rounds = f.timing_rounds;
  if (!f.hidden_visibility.empty()) report.hidden_visibility = f.hidden_visibility;
  return {o, report};
}

// With --settings FILE (what a batch passes its children) every setting comes from that
// file; otherwise from the flags over grader.toml. `upload_notes`: Gradescope's
// run_autograder says how it read the upload (a file, maybe empty); results.json then opens
// with those notes and with what became of the files.
int grade_command(const CommonFlags& flags, const std::string& submission, const std::string& settings_file,
                  const std::string& upload_notes) {
  auto [options, report] = make_options(flags);
  if (!settings_file.empty()) grader::read_settings_file(settings_file, options, report);
  grader::Grader grader(options);
  const grader::SubmissionResult result = grader.grade(submission);
  const path out = flags.out.empty() ? options.work_dir / "reports" / grader::safe_file_name(result.submission) : path(flags.out);
  const path html = grader::write_reports(result, out, report);
  if (!upload_notes.empty()) {
    const std::string notes = grader::fs::exists(upload_notes) ? grader::read_file(upload_notes) : std::string();
    grader::write_file_atomically(out / "results.json",
                                  grader::gradescope_results_for_upload(result, report.hidden_visibility, notes).dump(2) + "\n");
  }
  std::cout << grader::render_terminal(result);
  std::cout << fmt::format("\nReports: {} (HTML), {}, {} (Gradescope)\n", html.string(), (out / "report.json").string(),
                           (out / "results.json").string());
  return 0;
}

// Grades one lab of a submission `runs` times with one Grader (its trees stay built, so
// only the tests, the TSan rerun and the timing repeat) and prints how much the figures moved.
int fairness_command(CommonFlags flags, const std::string& submission, const std::string& lab, unsigned runs) {
  flags.labs = lab;
  auto [options, report] = make_options(flags);
  (void)report;
  grader::Grader grader(options);
  std::vector<grader::FairnessRun> results;
  for (unsigned i = 1; i <= runs; ++i) {
    const grader::SubmissionResult result = grader.grade(submission);
    results.push_back(grader::fairness_run(result.labs.at(0), result.times.total));
    std::cout << grader::render_fairness_run(i, results.back()) << std::flush;
  }
  std::cout << "\n" << grader::render_fairness_summary(grader::summarise_fairness(results));
  return 0;
}

struct FairnessFlags {
  CommonFlags common;
  std::string submission, lab;
  unsigned runs = 10;
};

CLI::App* add_fairness_command(CLI::App& app, FairnessFlags& f) {
  CLI::App* fairness = app.add_subcommand("fairness", "grade one lab of a submission N times and print the points and "
                                                       "the spread of each performance ratio (a benchmark, not a test)");
  fairness->add_option("submission", f.submission, "a folder mirroring labs/, a .zip or a .tar.gz")->required();
  add_common_flags(*fairness, f.common);
  fairness->remove_option(fairness->get_option("--labs"));
  fairness->add_option("--lab", f.lab, "the lab to grade, e.g. 01")->required();
  fairness->add_option("--runs", f.runs, "gradings in a row (default 10)")->check(CLI::Range(1u, 1000u));
  return fairness;
}

struct ExampleFlags {
  CommonFlags common;
  bool check = false;
  std::string materialise_into;
  std::vector<std::string> only;
};

CLI::App* add_examples_command(CLI::App& app, ExampleFlags& f) {
  CLI::App* examples = app.add_subcommand("examples", "grade the bundled examples (grader/examples/*) and write their reports");
  add_common_flags(*examples, f.common);
  examples->add_flag("--check", f.check, "exit with status 3 unless every example gets its expected score");
  examples->add_option("--only", f.only, "grade (or write) only these examples, e.g. racy-size,volatile-flag")->delimiter(',');
  examples->add_option("--materialise", f.materialise_into, "only write each example as a submission folder DIR/<name> "
                                                            "(its twist applied to the reference), grade nothing");
  return examples;
}

// Flags only `batch` has: the LMS roster and the similarity check.
struct ClassFlags {
  std::string roster;
  bool no_similarity = false;
  std::string dolos_dir;
};

grader::SimilarityOptions similarity_options(const ClassFlags& flags, const grader::GraderOptions& options) {
  grader::SimilarityOptions o;
  o.dolos_dir = flags.dolos_dir.empty() ? grader::default_dolos_dir() : path(flags.dolos_dir);
  o.script = options.source_root / "grader" / "similarity" / "dolos_pairs.mjs";
  return o;
}

void print_class_files(const grader::ClassFiles& files) {
  std::cout << fmt::format("Class:     {}\nExports:   {}, {}\n", files.page.string(), files.canvas.string(), files.moodle.string());
  if (files.similarity.ran) {
    std::cout << fmt::format("Similarity: {} ({} pairs, {})\n", files.similarity_csv.string(), files.similarity.pairs.size(),
                             grader::human_seconds(files.similarity.seconds));
  } else {
    std::cout << "Similarity: not checked: " << files.similarity.not_run_because << "\n";
  }
}

int batch_command(const CommonFlags& flags, const ClassFlags& class_flags, const std::string& folder) {
  auto [options, report] = make_options(flags);
  grader::BatchOptions batch;
  batch.submissions = folder;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  // Default: one grading per 4 cores. Measured on 2 cores (14 lab-01 submissions, warm):
  // one at a time, with both cores for its tests, graded 18.5 per minute; two at a time,
  // one core each, 12.8 (each slot rebuilds per student, and a hanging case waits alone).
  batch.parallel = flags.jobs > 0 ? flags.jobs : std::clamp(cores / 4, 1u, options.slots);
  if (batch.parallel > options.slots) {
    throw std::invalid_argument(fmt::format("--jobs {}: at most {} submissions can be graded at once (the grader has {} "
                                            "build slots)", batch.parallel, options.slots, options.slots));
  }
  batch.out = flags.out.empty() ? options.work_dir / "batches" / grader::safe_file_name(path(folder).filename().string())
                                : path(flags.out);
  batch.grader_executable = grader::current_executable();
  batch.progress = !flags.quiet;
  batch.roster = class_flags.roster;
  batch.similarity = !class_flags.no_similarity;
  batch.similarity_options = similarity_options(class_flags, options);
  for (const auto& lab : grader::select_labs(grader::discover_labs(options.source_root), options.lab_ids)) {
    batch.labs.push_back({lab.id, lab.max_points()});
    batch.manifests.push_back(lab);
  }
  // Each child grades with these settings, resolved here once: its tests share the cores
  // with the other children, and its progress lines would interleave with theirs.
  grader::GraderOptions child = options;
  child.jobs = std::max(1u, cores / batch.parallel);
  child.progress = false;
  child.lab_ids.clear();
  for (const auto& lab : batch.labs) child.lab_ids.push_back(lab.id);
  batch.grade_settings = grader::settings_to_json(child, report);

  const grader::BatchOutcome outcome = grader::run_batch(batch);
  std::cout << fmt::format("{} students: {} graded in this run, {} graded before (journal), {} rejected, {} where the "
                           "grader failed\n",
                           outcome.students, outcome.graded_now, outcome.already_graded, outcome.rejected,
                           outcome.grader_failed);
  if (outcome.graded_now > 0) {
    std::cout << fmt::format("Throughput: {:.1f} submissions per minute ({:.0f} s in all, {} at a time)\n",
                             60.0 * static_cast<double>(outcome.graded_now) / outcome.seconds, outcome.seconds, batch.parallel);
  }
  std::cout << fmt::format("Gradebook: {}\nSummary:   {}\n", outcome.files.csv.string(), outcome.files.summary_markdown.string());
  if (outcome.files.histogram_note.empty()) {
    std::cout << fmt::format("Histogram: {}\n", outcome.files.histogram.string());
  } else {
    std::cout << "Histogram: not drawn: " << outcome.files.histogram_note << "\n";
  }
  std::cout << fmt::format("Reports:   {}/reports/<student>/report.html\n", batch.out.string());
  print_class_files(outcome.class_files);
  if (outcome.grader_failed > 0) {
    std::cout << "The grader failed on some students (see the gradebook's note column); run the same command again "
                 "to retry only those.\n";
    return 4;
  }
  return 0;
}

// Only the similarity check over a class folder, without grading: after installing Dolos
// for a batch that ran without it, or to look at a class before grading it.
int similarity_command(const CommonFlags& flags, const ClassFlags& class_flags, const std::string& folder) {
  auto [options, report] = make_options(flags);
  (void)report;
  const path out = flags.out.empty() ? path(".") : path(flags.out);
  grader::SimilarityOptions similarity = similarity_options(class_flags, options);
  similarity.scratch = out / ".similarity-work";
  std::vector<grader::SimilaritySubmission> submissions;
  for (const auto& entry : grader::read_roster(folder).entries) submissions.push_back({entry.student, entry.path});
  const auto labs = grader::select_labs(grader::discover_labs(options.source_root), options.lab_ids);
  const grader::SimilarityReport result = grader::check_similarity(labs, submissions, similarity);
  if (!result.ran) throw std::runtime_error("the similarity check did not run: " + result.not_run_because);
  grader::write_file_atomically(out / "similarity.csv", grader::render_similarity_csv(result));
  for (const auto& note : result.notes) std::cout << note << "\n";
  for (std::size_t i = 0; i < result.pairs.size() && i < 10; ++i) {
    const auto& p = result.pairs[i];
    std::cout << fmt::format("{:>3}. lab {} {} / {}: {:.0f} %\n", i + 1, p.lab, p.left, p.right, p.similarity * 100);
  }
  std::cout << fmt::format("{} submissions, {} pairs in {}: {}\n", submissions.size(), result.pairs.size(),
                           grader::human_seconds(result.seconds), (out / "similarity.csv").string());
  return 0;
}

// Each example as the submission it stands for (its twist applied to the reference), for a
// test or a person to hand in or read; nothing is graded.
int materialise_examples(const path& source_root, const std::vector<path>& examples, const path& into) {
  for (const auto& example : examples) {
    const path destination = into / example.filename();
    if (grader::fs::exists(destination)) throw std::invalid_argument(destination.string() + " exists already: remove it first");
    grader::materialise_example(example, source_root / "solutions", destination);
    std::cout << destination.string() << "\n";
  }
  return 0;
}

// The examples named by --only (all when it is empty); a name that is not there is an error
// that lists the ones that are.
std::vector<path> chosen_examples(const path& examples_dir, const std::vector<std::string>& only) {
  const auto examples = grader::find_examples(examples_dir);
  if (examples.empty()) throw std::runtime_error(examples_dir.string() + " holds no example");
  if (only.empty()) return examples;
  std::vector<path> chosen;
  for (const auto& name : only) {
    const auto it = std::find_if(examples.begin(), examples.end(), [&](const path& e) { return e.filename() == name; });
    if (it == examples.end()) {
      std::vector<std::string> names;
      for (const auto& e : examples) names.push_back(e.filename().string());
      throw std::invalid_argument(fmt::format("--only: there is no example '{}' in {}; the examples are: {}", name,
                                              examples_dir.string(), fmt::join(names, ", ")));
    }
    chosen.push_back(*it);
  }
  return chosen;
}

int examples_command(const CommonFlags& flags, bool check, const std::string& materialise_into,
                     const std::vector<std::string>& only) {
  auto [options, report] = make_options(flags);
  const path examples_dir = options.source_root / "grader" / "examples";
  const auto examples = chosen_examples(examples_dir, only);
  if (!materialise_into.empty()) return materialise_examples(options.source_root, examples, materialise_into);
  nlohmann::json expected = nlohmann::json::object();
  if (grader::fs::exists(examples_dir / "expected.json")) expected = nlohmann::json::parse(grader::read_file(examples_dir / "expected.json"));
  const path out = flags.out.empty() ? options.source_root / "build" / "grader-examples" : path(flags.out);

  grader::Grader grader(options);
  std::vector<grader::ExampleSummary> summaries;
  bool all_as_expected = true;
  for (const auto& example : examples) {
    const std::string name = example.filename().string();
    // "reference" is solutions/ itself; the others hold only their mistake.
    const auto merged = grader::complete_from_reference(example, options.source_root / "solutions",
                                                        options.work_dir / "examples");
    const grader::SubmissionResult result = grader.grade(merged.path() / name);
    grader::write_reports(result, out / name, report);
    std::cout << grader::render_terminal(result) << "\n";
    grader::ExampleSummary summary{name, name + "/report.html", result.score, result.max_score, {}, false};
    if (expected.contains(name)) {
      summary.checked = true;
      summary.mismatches = grader::check_expectations(result, expected[name]);
      for (const auto& m : summary.mismatches) std::cout << fmt::format("NOT AS EXPECTED ({}): {}\n", name, m);
      if (!summary.mismatches.empty()) all_as_expected = false;
    }
    summaries.push_back(std::move(summary));
  }
  grader::write_file_atomically(out / "index.html", grader::render_examples_index(summaries));
  std::cout << fmt::format("Examples: {}\n", (out / "index.html").string());
  for (const auto& s : summaries) {
    std::cout << fmt::format("  {:<20} {:>6g} / {:g}  {}\n", s.name, s.score, s.max_score,
                             !s.checked ? "" : s.mismatches.empty() ? "as expected" : "NOT as expected");
  }
  return check && !all_as_expected ? 3 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  // The helper bubblewrap runs inside the sandbox: before anything else, no CLI parsing.
  if (argc > 1 && std::strcmp(argv[1], "__sandbox-exec") == 0) return grader::sandbox_exec_main(argc, argv);
  // The compiler launcher of the student's files (see compile_sandbox.hpp).
  if (argc > 1 && std::strcmp(argv[1], "__compile-student") == 0) return grader::compile_student_main(argc, argv);

  CLI::App app{"parlab-grader: grades parlab submissions (folders mirroring labs/, .zip or .tar.gz)"};
  app.require_subcommand(1);
  CommonFlags grade_flags;
  std::string submission;
  std::string settings_file;
  std::string upload_notes;
  CLI::App* grade = app.add_subcommand("grade", "grade one submission and write its reports");
  grade->add_option("submission", submission, "a folder mirroring labs/ (e.g. <dir>/01-queues/src/...), a .zip or a .tar.gz")
      ->required();
  add_common_flags(*grade, grade_flags);
  grade->add_option("--settings", settings_file, "take every setting from this file (what `batch` writes for its "
                                                 "children: <out>/grade-settings.json); other setting flags are then ignored")
      ->check(CLI::ExistingFile);
  grade->add_option("--upload-notes", upload_notes,
                    "Gradescope: a file saying how the upload was read; results.json then opens with it and with "
                    "what became of the submitted files");
  CommonFlags batch_flags;
  std::string batch_folder;
  CLI::App* batch = app.add_subcommand("batch", "grade a folder of submissions (one folder or archive per student); "
                                                 "resumes after an interruption");
  batch->add_option("folder", batch_folder, "the folder holding alice/, bob.zip, carol.tar.gz, ...")->required();
  add_common_flags(*batch, batch_flags, "submissions graded at the same time (default: one per 4 cores, at most 4)");
  ClassFlags class_flags;
  batch->add_option("--roster", class_flags.roster, "roster.csv for the Canvas/Moodle exports: folder,name,id,sis_id,login,"
                                                   "email,section (default: <folder>/roster.csv where it exists)");
  batch->add_flag("--no-similarity", class_flags.no_similarity, "skip the similarity check (Dolos)");
  batch->add_option("--dolos-dir", class_flags.dolos_dir, "where grader/similarity/install.sh put Dolos "
                                                         "(default: $PARLAB_DOLOS_DIR, else ~/.cache/parlab/dolos)");
  CommonFlags similarity_flags;
  ClassFlags similarity_class_flags;
  std::string similarity_folder;
  CLI::App* similarity = app.add_subcommand("similarity", "only the similarity check (Dolos) over a class folder; "
                                                           "writes similarity.csv into --out (default: here)");
  similarity->add_option("folder", similarity_folder, "the folder holding alice/, bob.zip, carol.tar.gz, ...")->required();
  similarity->add_option("--labs", similarity_flags.labs, "compare only these labs, e.g. 01,03 (default: every lab)");
  similarity->add_option("--out", similarity_flags.out, "where similarity.csv goes");
  similarity->add_option("--source-dir", similarity_flags.source_dir, "the parlab instructor tree");
  similarity->add_option("--dolos-dir", similarity_class_flags.dolos_dir, "where grader/similarity/install.sh put Dolos");
  ExampleFlags example_flags;
  add_examples_command(app, example_flags);
  FairnessFlags fairness_flags;
  CLI::App* fairness = add_fairness_command(app, fairness_flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  // Orphans of sandboxed tests are reparented to the grader, which reaps them.
  grader::become_child_subreaper();
  try {
    if (*grade) return grade_command(grade_flags, submission, settings_file, upload_notes);
    if (*batch) return batch_command(batch_flags, class_flags, batch_folder);
    if (*similarity) return similarity_command(similarity_flags, similarity_class_flags, similarity_folder);
    if (*fairness) return fairness_command(fairness_flags.common, fairness_flags.submission, fairness_flags.lab, fairness_flags.runs);
    return examples_command(example_flags.common, example_flags.check, example_flags.materialise_into, example_flags.only);
  } catch (const grader::SubmissionError& e) {
    fmt::print(stderr, "parlab-grader: {}\n", e.what());
    return 2;
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "parlab-grader: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "parlab-grader: error: {}\n", e.what());
    return 1;
  }
}
