// The batch's parts without grading anything: the roster, the journal, the gradebook, and
// the machine gate that keeps benchmarks apart from other grading work.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "batch/gradebook.hpp"
#include "batch/journal.hpp"
#include "batch/roster.hpp"
#include "parlab_test/catch.hpp"
#include "util/file_lock.hpp"
#include "util/files.hpp"
#include "util/machine_gate.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using parlab_test::ContainsSubstring;

namespace {

// A fresh folder under the build tree's temporary directory, removed afterwards.
struct Scratch {
  fs::path path = fs::temp_directory_path() / ("parlab-batch-unit-" + grader::random_hex(6));
  Scratch() { fs::create_directories(path); }
  ~Scratch() { grader::remove_tree_quietly(path); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

grader::StudentRecord graded(const std::string& name, double points) {
  grader::StudentRecord r;
  r.student = name;
  r.fingerprint = "f-" + name;
  r.outcome = grader::Outcome::graded;
  r.score = points;
  r.max_score = 100;
  r.labs = {{"01", grader::LabStatus::graded, points, 100}};
  r.report = "reports/" + name;
  r.finished_at = "2026-11-26T00:00:00Z";
  return r;
}

const json settings = {{"labs", {"01"}}, {"timing", false}};

}  // namespace

TEST_CASE("the roster takes folders and archives, ignores the rest and refuses two entries for one student") {
  Scratch s;
  fs::create_directories(s.path / "alice" / "01-queues");
  grader::write_file_atomically(s.path / "bob.zip", "zip bytes");
  grader::write_file_atomically(s.path / "carol.tar.gz", "tgz bytes");
  grader::write_file_atomically(s.path / "notes.txt", "notes");
  fs::create_directories(s.path / ".git");
  const grader::Roster roster = grader::read_roster(s.path);
  REQUIRE(roster.entries.size() == 3);
  CHECK(roster.entries[0].student == "alice");
  CHECK(roster.entries[1].student == "bob");
  CHECK(roster.entries[2].student == "carol");
  REQUIRE(roster.ignored.size() == 1);
  CHECK(grader::contains(roster.ignored[0], "notes.txt"));

  grader::write_file_atomically(s.path / "alice.tgz", "another alice");
  CHECK_THROWS_WITH(grader::read_roster(s.path), ContainsSubstring("would both be graded as student 'alice'"));
  CHECK_THROWS_WITH(grader::read_roster(s.path / "missing"), ContainsSubstring("does not exist"));
  CHECK_THROWS_WITH(grader::read_roster(s.path / "bob.zip"), ContainsSubstring("is not a folder"));
}

TEST_CASE("a fingerprint changes with a file's content and with its name") {
  Scratch s;
  grader::write_file_atomically(s.path / "a" / "x.cpp", "int x;");
  const std::string before = grader::fingerprint_of(s.path / "a");
  CHECK(grader::fingerprint_of(s.path / "a") == before);
  grader::write_file_atomically(s.path / "a" / "x.cpp", "int y;");
  const std::string edited = grader::fingerprint_of(s.path / "a");
  CHECK(edited != before);
  fs::rename(s.path / "a" / "x.cpp", s.path / "a" / "y.cpp");
  CHECK(grader::fingerprint_of(s.path / "a") != edited);
}

TEST_CASE("the journal keeps every complete record, drops a torn last line and refuses damage or other settings") {
  Scratch s;
  const fs::path path = s.path / "journal.jsonl";
  {
    grader::Journal journal(path, settings);
    journal.append(graded("alice", 90));
    journal.append(graded("bob", 30));
    journal.append(graded("alice", 95));  // a regrade: the later record wins
  }
  {
    parlab::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND));
    const std::string torn = R"({"student":"carol","fing)";
    REQUIRE(::write(fd.get(), torn.data(), torn.size()) == static_cast<ssize_t>(torn.size()));
  }
  {
    grader::Journal journal(path, settings);
    CHECK(journal.records_read() == 3);
    REQUIRE(journal.latest().size() == 2);
    CHECK(journal.latest().at("alice").score == 95);
    REQUIRE(journal.notes().size() == 1);
    CHECK(grader::contains(journal.notes()[0], "removed an unfinished last record"));
    journal.append(graded("carol", 50));
  }
  grader::Journal reopened(path, settings);
  CHECK(reopened.notes().empty());
  CHECK(reopened.latest().at("carol").score == 50);

  CHECK_THROWS_WITH(grader::Journal(path, json{{"labs", {"01", "02"}}, {"timing", false}}),
                    ContainsSubstring("other settings") && ContainsSubstring("labs"));

  std::string text = grader::read_file(path);
  text.replace(text.find("\"bob\""), 5, "\"bob");  // a complete line, damaged
  grader::write_file_atomically(path, text);
  CHECK_THROWS_WITH(grader::Journal(path, settings), ContainsSubstring("line 3 is damaged"));

  grader::write_file_atomically(path, "student,lab01\n");
  CHECK_THROWS_WITH(grader::Journal(path, settings), ContainsSubstring("not a parlab batch journal"));
}

TEST_CASE("a journal record with a state it does not know is refused by name, never read as graded") {
  json unknown = grader::to_json(graded("alice", 90));
  unknown["outcome"] = "graded with honours";
  CHECK_THROWS_WITH(grader::record_from_json(unknown),
                    parlab_test::ContainsSubstring("unknown outcome \"graded with honours\""));
  json lab_status = grader::to_json(graded("alice", 90));
  lab_status["labs"][0]["status"] = "passed";  // a performance status where a lab status belongs
  CHECK_THROWS_WITH(grader::record_from_json(lab_status), parlab_test::ContainsSubstring("unknown lab status \"passed\""));
  // A journal written before the outcome had its own type: an ungraded record listed each
  // lab with the outcome as its status. It still reads, as the outcome alone.
  json old = grader::to_json(graded("bob", 0));
  old["outcome"] = "rejected";
  old["labs"] = json::array({{{"id", "01"}, {"status", "rejected"}, {"points", 0}, {"max_points", 100}}});
  const grader::StudentRecord read = grader::record_from_json(old);
  CHECK(read.outcome == grader::Outcome::rejected);
  CHECK(read.labs.empty());
  CHECK(read.final());
}

TEST_CASE("the gradebook quotes what a spreadsheet would misread and sums the labs") {
  CHECK(grader::csv_field("alice") == "alice");
  CHECK(grader::csv_field("Smith, Jo") == "\"Smith, Jo\"");
  CHECK(grader::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(grader::csv_field("=HYPERLINK(1)") == "'=HYPERLINK(1)");
  CHECK(grader::csv_field("-1") == "'-1");

  grader::StudentRecord rejected;
  rejected.student = "bob";
  rejected.outcome = grader::Outcome::rejected;
  rejected.message = "bob.zip is not an archive";
  rejected.max_score = 150;
  grader::StudentRecord alice = graded("alice", 90);
  alice.labs.push_back({"02", grader::LabStatus::did_not_build, 0, 50});
  const std::vector<grader::LabColumn> labs = {{"01", 100}, {"02", 50}};
  CHECK(grader::render_gradebook_csv(labs, {alice, rejected}) ==
        "student,lab01,lab02,total,max,outcome,note\n"
        "alice,90,0,90,150,graded,02 did not build\n"
        "bob,0,0,0,150,rejected,rejected: bob.zip is not an archive\n");
}

TEST_CASE("the class summary gives the distribution and the tests failed most often") {
  std::vector<grader::StudentRecord> records = {graded("a", 10), graded("b", 50), graded("c", 95), graded("d", 100)};
  records[0].failed_cases = {"01/hidden/x", "01/visible/y"};
  records[1].failed_cases = {"01/hidden/x"};
  const json summary = grader::class_summary({{"01", 100}}, records);
  CHECK(summary["students"] == 4);
  CHECK(summary["total"]["mean"] == 63.75);
  CHECK(summary["total"]["median"] == 72.5);
  CHECK(summary["total"]["min"] == 10);
  CHECK(summary["histogram"][1]["students"] == 1);  // 10 %
  CHECK(summary["histogram"][5]["students"] == 1);  // 50 %
  CHECK(summary["histogram"][9]["students"] == 2);  // 95 % and 100 %
  REQUIRE(summary["most_failed"].size() == 2);
  CHECK(summary["most_failed"][0]["case"] == "01/hidden/x");
  CHECK(summary["most_failed"][0]["failed_by"] == 2);
  CHECK(summary["most_failed"][0]["of_graded"] == 4);
  const std::string markdown = grader::render_summary_markdown(summary, "");
  CHECK(grader::contains(markdown, "01/hidden/x — failed by 2 of the 4 students"));
  CHECK(grader::contains(markdown, "![score histogram](histogram.svg)"));
}

TEST_CASE("the machine gate lets builds share it, gives a benchmark the machine alone, and lets it go first") {
  Scratch s;
  const grader::MachineGate gate(s.path / "turnstile.lock", s.path / "gate.lock");
  std::mutex mutex;
  std::vector<std::string> order;
  auto record = [&](const std::string& who) {
    const std::lock_guard lock(mutex);
    order.push_back(who);
  };
  auto wait_until = [](const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return done();
  };

  std::optional<grader::FileLock> build = gate.share();
  {
    const grader::FileLock second_build = gate.share();  // two builds at once: no wait
  }
  std::atomic<bool> timed{false}, timing_done{false}, later_build_done{false};
  std::jthread benchmark([&] {
    const grader::MachineGate::Alone alone = gate.alone();
    timed = true;
    record("benchmark");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    timing_done = true;
  });
  // The benchmark holds the turnstile once a shared try on it fails; then a build arrives.
  REQUIRE(wait_until([&] {
    return !grader::FileLock::try_lock(s.path / "turnstile.lock", grader::FileLock::Mode::shared).has_value();
  }));
  std::jthread later_build([&] {
    const grader::FileLock lock = gate.share();
    record(timing_done ? "build after the benchmark" : "build beside the benchmark");
    later_build_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK_FALSE(timed.load());  // a build still holds the gate
  CHECK_FALSE(later_build_done.load());  // it waits behind the benchmark, not beside it
  build.reset();
  REQUIRE(wait_until([&] { return later_build_done.load(); }));
  const std::lock_guard lock(mutex);
  CHECK(order == std::vector<std::string>{"benchmark", "build after the benchmark"});
}
