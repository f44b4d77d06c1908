// `parlab-grader batch` end to end, against lab 01: a class of 14 submissions made from the
// reference, the starter and known mistakes (folders, archives, an empty folder, a file that
// is not an archive, a name a spreadsheet would misread) is graded, killed with SIGKILL part
// way, resumed, and must end with the expected gradebook: every student once, no result lost
// or graded twice, no process left behind. A changed submission is graded again on the next
// run, and only it.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "examples.hpp"
#include "parlab_test/catch.hpp"
#include "sandbox/process_table.hpp"
#include "util/command.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path work_dir = GRADER_TEST_WORK_DIR;
const fs::path source_root = PARLAB_GRADER_SOURCE_ROOT;
const fs::path lab_solution = source_root / "solutions" / "01-queues";
const fs::path lab_starter = source_root / "labs" / "01-queues";
const fs::path examples = source_root / "grader" / "examples";

// lab 01's three editable files, each either the reference's or the starter's.
void write_lab01(const fs::path& root, bool queue, bool threads, bool processes) {
  fs::create_directories(root / "01-queues" / "src");
  const std::pair<const char*, bool> files[] = {
      {"blocking_queue.cpp", queue}, {"primes_threads.cpp", threads}, {"primes_processes.cpp", processes}};
  for (const auto& [name, reference] : files) {
    fs::copy_file((reference ? lab_solution : lab_starter) / "src" / name, root / "01-queues" / "src" / name,
                  fs::copy_options::overwrite_existing);
  }
}

void write_reference(const fs::path& root) { write_lab01(root, true, true, true); }

// An example's mistake applied to the reference (what `parlab-grader examples` grades).
void write_example(const fs::path& root, const std::string& example) {
  grader::materialise_example(examples / example, source_root / "solutions", root);
}

void archive(const fs::path& folder, const fs::path& archive_path, const std::string& format) {
  const auto made = grader::run_command({"cmake", "-E", "tar", format == "zip" ? "cf" : "czf", archive_path.string(),
                                         "--format=" + format, "."},
                                        [&] {
                                          auto o = grader::command_options(std::chrono::minutes(1));
                                          o.working_directory = folder;
                                          return o;
                                        }());
  REQUIRE(made.ok());
  fs::remove_all(folder);
}

// The class. Lab 01 has tasks worth 30 (queue), 15 (worker), 20 (threads), 25 (processes)
// and 10 performance points, which --no-timing does not give.
fs::path make_class(const fs::path& root) {
  fs::remove_all(root);
  fs::create_directories(root);
  write_reference(root / "alice");
  write_reference(root / "bob-src");
  archive(root / "bob-src", root / "bob.zip", "zip");
  // carol handed in her whole kit, nested one folder down.
  write_reference(root / "carol-src" / "parlab-kit" / "labs");
  archive(root / "carol-src", root / "carol.tar.gz", "gnutar");
  write_lab01(root / "dave", false, false, false);
  write_lab01(root / "erin", true, false, false);
  write_lab01(root / "frank", true, true, false);
  write_example(root / "grace", "missing-pill");
  write_example(root / "heidi", "does-not-compile");
  fs::create_directories(root / "ivan");
  grader::write_file_atomically(root / "judy.zip", "this is not a zip archive\n");
  write_reference(root / "ken");
  grader::write_file_atomically(root / "ken" / "notes.txt", "my notes\n");
  grader::write_file_atomically(root / "ken" / "01-queues" / "build" / "junk.o", "junk\n");
  write_reference(root / "d'Artagnan, Jr");
  write_lab01(root / "=peggy", true, true, false);
  fs::create_directories(root / "trent" / "03-counter" / "src");  // lab 03 only: lab 01 not submitted
  grader::write_file_atomically(root / "trent" / "03-counter" / "src" / "counter_file.cpp", "// nothing yet\n");
  grader::write_file_atomically(root / "README.txt", "not a submission: ignored\n");
  return root;
}

std::string expected_gradebook(const fs::path& class_dir) {
  return "student,lab01,total,max,outcome,note\n"
         "'=peggy,65,65,100,graded,\n"
         "alice,90,90,100,graded,\n"
         "bob,90,90,100,graded,\n"
         "carol,90,90,100,graded,\n"
         "\"d'Artagnan, Jr\",90,90,100,graded,\n"
         "dave,0,0,100,graded,\n"
         "erin,30,30,100,graded,\n"
         "frank,65,65,100,graded,\n"
         "grace,80,80,100,graded,\n"  // missing-pill: task 3 loses half (any_failure_costs_at_least)
         "heidi,0,0,100,graded,01 did not build\n"
         "ivan,0,0,100,rejected,\"rejected: " + (class_dir / "ivan").string() +
         " holds no lab folder: a submission mirrors labs/, e.g. 01-queues/src/blocking_queue.cpp\"\n"
         "judy,0,0,100,rejected,rejected: " + (class_dir / "judy.zip").string() +
         " is not a readable archive (unzip): [" + (class_dir / "judy.zip").string() + "]\n"
         "ken,90,90,100,graded,\n"
         "trent,0,0,100,graded,01 not submitted\n";
}

const std::vector<std::string> batch_flags = {"--labs", "01", "--no-timing", "--no-tsan", "--jobs", "2",
                                              "--memory-mb", "768", "--work-dir", work_dir.string()};

std::vector<std::string> batch_command(const fs::path& class_dir, const fs::path& out) {
  std::vector<std::string> argv = {GRADER_EXECUTABLE, "batch", class_dir.string(), "--out", out.string()};
  argv.insert(argv.end(), batch_flags.begin(), batch_flags.end());
  return argv;
}

grader::CommandResult run_batch(const fs::path& class_dir, const fs::path& out) {
  return grader::run_command(batch_command(class_dir, out), grader::command_options(std::chrono::minutes(15)));
}

std::vector<json> journal_records(const fs::path& out) {
  std::vector<json> records;
  const auto lines = grader::split_lines(grader::read_file(out / "journal.jsonl"));
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (!grader::trim(lines[i]).empty()) records.push_back(json::parse(lines[i]));
  }
  return records;
}

std::size_t journaled_students(const fs::path& out) {
  if (!fs::exists(out / "journal.jsonl")) return 0;
  const std::string text = grader::read_file(out / "journal.jsonl");
  const auto newlines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  return newlines > 0 ? newlines - 1 : 0;  // the first line is the header
}

// Processes that belong to this batch: a grader whose command line names the class
// folder, or anything running a program from the grader's work directory.
std::vector<std::string> batch_processes(const fs::path& class_dir) {
  std::vector<std::string> found;
  for (const auto& p : grader::read_process_table()) {
    if (p.pid == ::getpid()) continue;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/" + std::to_string(p.pid) + "/exe", ec);
    std::string cmdline;
    try {
      cmdline = grader::replace_all(grader::read_file("/proc/" + std::to_string(p.pid) + "/cmdline"), std::string(1, '\0'), " ");
    } catch (const std::exception&) {
      continue;  // it ended meanwhile
    }
    if ((!ec && exe.string().rfind(work_dir.string(), 0) == 0) || grader::contains(cmdline, class_dir.string())) {
      found.push_back(std::to_string(p.pid) + " " + cmdline);
    }
  }
  return found;
}

std::vector<std::string> wait_for_no_batch_processes(const fs::path& class_dir) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  auto left = batch_processes(class_dir);
  while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    left = batch_processes(class_dir);
  }
  return left;
}

}  // namespace

TEST_CASE("a batch killed part way resumes to the expected gradebook without grading anyone twice") {
  const fs::path class_dir = make_class(work_dir / "batch-class");
  const fs::path out = work_dir / "batch-out";
  fs::remove_all(out);
  const std::size_t students = 14;

  // Run 1: SIGKILL once three students are journaled (the others are being graded then).
  {
    const fs::path log = work_dir / "batch-killed.log";
    const auto argv_strings = batch_command(class_dir, out);
    auto batch = parlab::ChildProcess::fork([&] {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> argv;
      for (const auto& a : argv_strings) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      return 127;
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    while (journaled_students(out) < 3 && !batch.try_wait() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    INFO(grader::read_file(log));
    REQUIRE_FALSE(batch.reaped());  // it must still be working: there are 14 students
    batch.kill(SIGKILL);
    batch.wait();
    const auto left = wait_for_no_batch_processes(class_dir);
    INFO("still running after the kill: " << (left.empty() ? "" : left.front()));
    CHECK(left.empty());
  }
  const std::size_t graded_before_kill = journal_records(out).size();
  REQUIRE(graded_before_kill >= 3);
  REQUIRE(graded_before_kill < students);

  // A record cut short by the kill (as if it died inside write()) must be dropped, not fatal.
  {
    parlab::UniqueFd journal(::open((out / "journal.jsonl").c_str(), O_WRONLY | O_APPEND));
    const std::string torn = R"({"student":"zed","fingerp)";
    parlab::write_all(journal.get(), std::as_bytes(std::span(torn.data(), torn.size())));
  }

  // Run 2: resumes and grades only the rest.
  const auto resumed = run_batch(class_dir, out);
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(grader::contains(resumed.output, "removed an unfinished last record"));
  CHECK(grader::contains(resumed.output, std::to_string(graded_before_kill) + " of 14 students already graded"));
  CHECK(grader::contains(resumed.output, "ignoring README.txt"));

  const auto records = journal_records(out);
  std::multiset<std::string> names;
  for (const auto& r : records) names.insert(r["student"].get<std::string>());
  CHECK(records.size() == students);
  for (const auto& name : names) {
    INFO(name);
    CHECK(names.count(name) == 1);
  }
  CHECK(grader::read_file(out / "gradebook.csv") == expected_gradebook(class_dir));
  for (const auto& entry : fs::directory_iterator(out / "reports")) {
    INFO(entry.path());
    CHECK(entry.path().filename().string().rfind(".partial-", 0) != 0);
  }
  CHECK(fs::exists(out / "reports" / "alice" / "report.html"));
  CHECK(fs::exists(out / "reports" / "d_Artagnan__Jr" / "report.json"));

  const json summary = json::parse(grader::read_file(out / "summary.json"));
  CHECK(summary["students"] == 14);
  CHECK(summary["outcomes"]["rejected"] == 2);
  CHECK(summary["total"]["max"] == 90);
  CHECK(summary["histogram"][9]["students"] == 5);  // the five 90s
  CHECK(grader::contains(grader::read_file(out / "summary.md"), "Tests failed most often"));
  if (grader::program_exists("gnuplot")) CHECK(fs::file_size(out / "histogram.svg") > 1000);

  // Run 3: nothing changed, so nothing is graded; then one student resubmits.
  const auto again = run_batch(class_dir, out);
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(grader::contains(again.output, "14 students: 0 graded in this run, 14 graded before"));
  write_lab01(class_dir / "erin", true, true, false);
  const auto regraded = run_batch(class_dir, out);
  INFO(regraded.output);
  REQUIRE(regraded.exit_code == 0);
  CHECK(grader::contains(regraded.output, "erin: the submission changed since it was graded"));
  CHECK(grader::contains(regraded.output, "14 students: 1 graded in this run, 13 graded before"));
  std::string gradebook = expected_gradebook(class_dir);
  gradebook = grader::replace_all(gradebook, "erin,30,30,", "erin,65,65,");
  CHECK(grader::read_file(out / "gradebook.csv") == gradebook);
  CHECK(journal_records(out).size() == students + 1);  // erin's new record supersedes her old one
}

TEST_CASE("a batch refuses a journal written with other settings, and a folder another batch is using") {
  const fs::path class_dir = work_dir / "batch-refusals" / "class";
  const fs::path out = work_dir / "batch-refusals" / "out";
  fs::remove_all(class_dir.parent_path());
  write_reference(class_dir / "alice");
  fs::create_directories(out);
  grader::write_file_atomically(out / "journal.jsonl",
                                R"({"format":"parlab-batch-journal/1","settings":{"labs":["01","03"]}})" "\n");

  auto refused = run_batch(class_dir, out);
  CHECK(refused.exit_code == 2);
  CHECK(grader::contains(refused.output, "was written by a batch with other settings"));
  CHECK(grader::contains(refused.output, R"(labs: the journal has ["01","03"], this run has ["01"])"));

  fs::remove(out / "journal.jsonl");
  {
    parlab::UniqueFd held(::open((out / ".batch.lock").c_str(), O_RDWR | O_CREAT, 0644));
    REQUIRE(::flock(held.get(), LOCK_EX) == 0);
    refused = run_batch(class_dir, out);
    CHECK(refused.exit_code == 2);
    CHECK(grader::contains(refused.output, "another batch is writing to"));
  }
  CHECK_FALSE(fs::exists(out / "journal.jsonl"));  // it stopped before touching anything

  refused = run_batch(work_dir / "batch-refusals" / "no-such-folder", out);
  CHECK(refused.exit_code == 2);
  CHECK(grader::contains(refused.output, "does not exist"));
  fs::remove_all(class_dir / "alice");
  refused = run_batch(class_dir, out);
  CHECK(refused.exit_code == 2);
  CHECK(grader::contains(refused.output, "holds no submission"));
}
