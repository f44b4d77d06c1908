// Hostile submissions, graded end to end against lab 01. Each is the reference solution
// with one hostile twist in primes_threads (tests/grader/hostile/<name>/hostile_act.cpp,
// put in by with_twist below), so every task except task 3 must keep its full points, and
// task 3's cases that reach the twist must get the verdict a person would give. Whatever the
// twist, the grader must finish, report, and leave no process behind.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

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

// Puts `text` into `file` just before, or just after, the first `anchor`: a line of the
// reference, so a reference that lost it fails here, plainly, and not somewhere in the grader.
void insert_at(std::string& file, const std::string& anchor, const std::string& text, bool after) {
  const auto at = file.find(anchor);
  INFO("the reference's primes_threads.cpp no longer has: " << anchor);
  REQUIRE(at != std::string::npos);
  file.insert(after ? at + anchor.size() : at, text);
}

// The reference's primes_threads.cpp with a case's twist: the twist's #include lines join the
// reference's, the rest (hostile_act() and its helpers) goes into an anonymous namespace in
// parlab::lab01 just before primes_threads(), which calls hostile_act() once its arguments are
// checked. One self-contained file, as a student hands in: the grader compiles nothing else.
std::string with_twist(std::string file, const std::string& twist) {
  std::string includes, code;
  for (const auto& line : grader::split_lines(twist)) (line.starts_with("#include") ? includes : code) += line + "\n";
  insert_at(file, "\nnamespace parlab::lab01 {", includes, false);
  insert_at(file, "std::vector<std::uint64_t> primes_threads(", "namespace {\n\n" + code + "\n}  // namespace\n\n",
            false);
  insert_at(file, "check_arguments(\"primes_threads\", workers, chunk);\n", "  hostile_act();\n", true);
  return file;
}

// The submission: the reference's files, primes_threads.cpp with the case's twist.
fs::path compose_submission(const std::string& name) {
  const fs::path dir = work_dir / "submissions" / name;
  const fs::path reference = source_root / "solutions" / "01-queues" / "src";
  fs::remove_all(dir);
  fs::create_directories(dir / "01-queues" / "src");
  for (const auto& f : fs::directory_iterator(reference)) {
    fs::copy_file(f.path(), dir / "01-queues" / "src" / f.path().filename());
  }
  grader::write_file_atomically(dir / "01-queues" / "src" / "primes_threads.cpp",
                                with_twist(grader::read_file(reference / "primes_threads.cpp"),
                                           grader::read_file(fs::path(GRADER_HOSTILE_DIR) / name / "hostile_act.cpp")));
  return dir;
}

// Processes still running a binary from the grader's work dir (a test, a forked worker, a
// daemon): there must be none once the grader is done.
std::vector<std::string> leftover_processes() {
  std::vector<std::string> found;
  for (const auto& p : grader::read_process_table()) {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/" + std::to_string(p.pid) + "/exe", ec);
    if (!ec && exe.string().rfind(work_dir.string(), 0) == 0) found.push_back(std::to_string(p.pid) + " " + exe.string());
  }
  return found;
}

struct Graded {
  grader::CommandResult run;
  json report;
  json lab;
};

Graded grade(const std::string& name) {
  const fs::path submission = compose_submission(name);
  const fs::path out = work_dir / "hostile-reports" / name;
  Graded g;
  // A hanging grader fails this test after 5 minutes instead of blocking the suite.
  g.run = grader::run_command({GRADER_EXECUTABLE, "grade", submission.string(), "--labs", "01", "--no-timing", "--no-tsan",
                               "--jobs", "2", "--memory-mb", "768", "--work-dir", work_dir.string(), "--out", out.string(),
                               "--quiet"},
                              grader::command_options(std::chrono::minutes(5)));
  INFO(g.run.output);
  REQUIRE_FALSE(g.run.timed_out);
  REQUIRE(g.run.exit_code == 0);
  g.report = json::parse(grader::read_file(out / "report.json"));
  g.lab = g.report["labs"][0];
  REQUIRE(g.lab["status"] == "graded");
  const auto left = leftover_processes();
  INFO("left running: " << (left.empty() ? "" : left.front()));
  CHECK(left.empty());
  return g;
}

double task_points(const json& lab, const std::string& task) {
  for (const auto& t : lab["tasks"]) {
    if (t["id"] == task) return t["earned"].get<double>();
  }
  return -1;
}

// Tasks 1, 2 and 4 keep full marks; task 3's cases that reach the twist (all but the two
// that reject zero workers before any work) get `verdict`.
void expect_task3_cases(const Graded& g, const std::string& verdict, const std::string& summary_words = "") {
  CHECK(task_points(g.lab, "task1") == 30);
  CHECK(task_points(g.lab, "task2") == 15);
  CHECK(task_points(g.lab, "task4") == 25);
  CHECK(std::abs(task_points(g.lab, "task3") - 20.0 * 2 / 7) < 0.011);
  for (const auto& c : g.lab["cases"]) {
    if (c["task"] != "task3" || c["name"].get<std::string>().find("rejects zero") != std::string::npos) continue;
    INFO(c["name"].get<std::string>() << ": " << c["summary"].get<std::string>());
    CHECK(c["verdict"] == verdict);
    if (!summary_words.empty()) CHECK(grader::contains(c["summary"].get<std::string>(), summary_words));
  }
}

void expect_full_marks_without_timing(const Graded& g) {
  CHECK(g.report["score"].get<double>() == 90);
  CHECK(g.lab["cases_passed"] == g.lab["cases_total"]);
}

std::string isolation(const Graded& g) { return g.report["isolation"]["level"].get<std::string>(); }

}  // namespace

TEST_CASE("a loop that never ends times out", "[grader][hostile]") {
  expect_task3_cases(grade("loop-forever"), "timed_out", "did not finish");
}

TEST_CASE("a deadlock times out and the backtrace names the mutex", "[grader][hostile]") {
  const Graded g = grade("deadlock");
  expect_task3_cases(g, "timed_out");
  for (const auto& c : g.lab["cases"]) {
    if (c["verdict"] == "timed_out" && g.report["isolation"]["gdb"].get<bool>()) {
      INFO(c.dump(2));
      CHECK(grader::contains(c["summary"].get<std::string>(), "mutex"));
    }
  }
}

TEST_CASE("a fork bomb hits the process limit", "[grader][hostile]") {
  expect_task3_cases(grade("fork-bomb"), "process_limit");
}

TEST_CASE("allocating without bound hits the memory limit", "[grader][hostile]") {
  expect_task3_cases(grade("allocate-forever"), "memory_limit", "memory");
}

TEST_CASE("flooding stdout hits the output limit", "[grader][hostile]") {
  expect_task3_cases(grade("flood-stdout"), "output_limit", "printed more than");
}

TEST_CASE("an early exit(0) is a failure, not a pass", "[grader][hostile]") {
  expect_task3_cases(grade("exit-early"), "failed", "exit()");
}

TEST_CASE("a segfault is a crash named SIGSEGV", "[grader][hostile]") {
  expect_task3_cases(grade("segfault"), "crashed", "SIGSEGV");
}

TEST_CASE("an abort is a crash named SIGABRT", "[grader][hostile]") {
  expect_task3_cases(grade("abort"), "crashed", "SIGABRT");
}

TEST_CASE("a huge file hits the file-size limit", "[grader][hostile]") {
  expect_task3_cases(grade("huge-file"), "output_limit", "file larger than");
}

TEST_CASE("printed and forged results do not make a test pass", "[grader][hostile]") {
  const Graded g = grade("fake-results");
  expect_task3_cases(g, "failed", "before the test finished");
  for (const auto& c : g.lab["cases"]) {
    if (c["verdict"] == "failed" && c["task"] == "task3") CHECK(grader::contains(c["summary"].get<std::string>(), "wrong nonce"));
  }
}

TEST_CASE("writes outside the scratch folder do not land", "[grader][hostile]") {
  const Graded g = grade("write-outside-scratch");
  expect_full_marks_without_timing(g);
  std::vector<fs::path> targets = {"/tmp/parlab-hostile-outside.pwned", "/etc/parlab-hostile.pwned",
                                   work_dir / "scratch" / "parlab-hostile-outside.pwned"};
  for (const auto& slot : fs::directory_iterator(work_dir)) {
    if (slot.is_directory()) targets.push_back(slot.path() / "overlay" / "01-queues" / "src" / "primes_threads.cpp.pwned");
  }
  for (const auto& t : targets) {
    INFO(t.string());
    CHECK_FALSE(fs::exists(t));
  }
}

TEST_CASE("a connection to the host's network does not get through", "[grader][hostile]") {
  // Listen where the hostile code connects; count what arrives while it is graded.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  REQUIRE(listener >= 0);
  const int yes = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(47613);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool listening = ::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 && ::listen(listener, 64) == 0;
  std::atomic<bool> done{false};
  std::atomic<int> accepted{0};
  std::jthread acceptor([&] {
    while (!done) {
      const int fd = ::accept(listener, nullptr, nullptr);
      if (fd >= 0) {
        ++accepted;
        ::close(fd);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const Graded g = grade("connect-network");
  done = true;
  acceptor.join();
  ::close(listener);
  expect_full_marks_without_timing(g);
  if (listening && isolation(g) != "limits") CHECK(accepted == 0);
}

TEST_CASE("a daemon left behind is killed", "[grader][hostile]") {
  // grade() checks that no process of the work dir is left running.
  expect_full_marks_without_timing(grade("daemon"));
}

TEST_CASE("killing the parent does not stop the grader", "[grader][hostile]") {
  const Graded g = grade("kill-parent");
  if (g.report["isolation"]["level"] == "bubblewrap" || geteuid() == 0) expect_full_marks_without_timing(g);
}
