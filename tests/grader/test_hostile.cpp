// Hostile submissions, graded end to end against lab 01. Each is the reference solution
// with one hostile twist in primes_threads (tests/grader/hostile/<name>/hostile_act.cpp,
// put in by with_twist below), so every task except task 3 must keep its full points, and
// task 3's cases that reach the twist must get the verdict a person would give. Whatever the
// twist, the grader must finish, report, and leave no process behind.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "parlab_test/catch.hpp"
#include "sandbox/landlock.hpp"
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
// A twist may name the instructor tree as @PARLAB_SOURCE@ (to #include or .incbin from it).
std::string with_twist(std::string file, const std::string& twist) {
  std::string includes, code;
  for (const auto& line : grader::split_lines(grader::replace_all(twist, "@PARLAB_SOURCE@", source_root.string()))) {
    (line.starts_with("#include") ? includes : code) += line + "\n";
  }
  insert_at(file, "\nnamespace parlab::lab01 {", includes, false);
  insert_at(file, "std::vector<std::uint64_t> primes_threads(", "namespace {\n\n" + code + "\n}  // namespace\n\n",
            false);
  insert_at(file, "check_arguments(\"primes_threads\", workers, chunk);\n", "  hostile_act();\n", true);
  return file;
}

// The submission: the reference's files, primes_threads.cpp with the case's twist.
fs::path compose_submission(const std::string& name, const std::string& folder) {
  const fs::path dir = work_dir / "submissions" / folder;
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
    // A compiler (c++, cc1plus, as) working on a file of the work dir.
    std::string cmdline;
    try {
      cmdline = grader::read_file("/proc/" + std::to_string(p.pid) + "/cmdline");
    } catch (const std::exception&) {
      continue;
    }
    if (cmdline.find((work_dir / "slot-").string()) != std::string::npos && cmdline.find("-c") != std::string::npos &&
        cmdline.rfind("cmake", 0) != 0) {
      found.push_back(std::to_string(p.pid) + " " + grader::replace_all(cmdline, std::string(1, '\0'), " "));
    }
  }
  return found;
}

struct Graded {
  grader::CommandResult run;
  json report;
  json lab;
  std::string report_text, results;  // report.json and Gradescope's results.json as written
  double seconds = 0;
};

struct GradeOptions {
  std::vector<std::string> extra_flags;   // e.g. small compile limits
  bool tsan = false;                      // with the ThreadSanitizer rerun
  std::string status = "graded";          // the lab's status it must get ("": any)
};

// `as`: the submission's and the report's folder name ("": the twist's).
Graded grade(const std::string& name, const GradeOptions& options = {}, const std::string& as = "") {
  const std::string folder = as.empty() ? name : as;
  const fs::path submission = compose_submission(name, folder);
  const fs::path out = work_dir / "hostile-reports" / folder;
  Graded g;
  std::vector<std::string> argv = {GRADER_EXECUTABLE, "grade", submission.string(), "--labs", "01", "--no-timing",
                                   "--jobs", "2", "--memory-mb", "768", "--disk-mb", "128", "--work-dir", work_dir.string(),
                                   "--out", out.string(), "--quiet"};
  if (!options.tsan) argv.push_back("--no-tsan");
  argv.insert(argv.end(), options.extra_flags.begin(), options.extra_flags.end());
  // A hanging grader fails this test after 9 minutes (inside ctest's 600 s) instead of blocking
  // the suite. The first hostile test builds the grader's reference and slot trees for all of
  // them: 140 s of its 238 s on a lightly loaded machine, past 5 minutes beside another suite.
  const auto started = std::chrono::steady_clock::now();
  g.run = grader::run_command(argv, grader::command_options(std::chrono::minutes(9)));
  INFO(g.run.output);
  REQUIRE_FALSE(g.run.timed_out);
  REQUIRE(g.run.exit_code == 0);
  g.report = json::parse(grader::read_file(out / "report.json"));
  g.results = grader::read_file(out / "results.json");
  g.report_text = grader::read_file(out / "report.json");
  g.lab = g.report["labs"][0];
  g.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Measured for the record (printed with -s), never asserted: it depends on the load.
  std::printf("hostile %s: lab %s in %.1f s\n", name.c_str(), g.lab["status"].get<std::string>().c_str(), g.seconds);
  if (!options.status.empty()) REQUIRE(g.lab["status"] == options.status);
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
  // Only the cases that reject zero workers pass, so task 3 earns their even share of its 20
  // points (below the half its "any_failure_costs_at_least" 0.5 leaves).
  int task3_cases = 0, task3_rejecting = 0;
  for (const auto& c : g.lab["cases"]) {
    if (c["task"] != "task3") continue;
    ++task3_cases;
    if (c["name"].get<std::string>().find("rejects zero") != std::string::npos) ++task3_rejecting;
  }
  REQUIRE(task3_cases > task3_rejecting);
  CHECK(std::abs(task_points(g.lab, "task3") - std::min(20.0 * task3_rejecting / task3_cases, 10.0)) < 0.011);
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

// Listens on 127.0.0.1:47613 for TCP and UDP, where the network twists send; counts what
// arrives while a submission is graded.
struct LoopbackListener {
  int tcp = -1, udp = -1;
  bool listening = false;
  std::atomic<bool> done{false};
  std::atomic<int> arrivals{0};
  std::jthread acceptor;

  LoopbackListener() {
    tcp = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    REQUIRE(tcp >= 0);
    REQUIRE(udp >= 0);
    const int yes = 1;
    ::setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(47613);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const auto* where = reinterpret_cast<sockaddr*>(&address);
    listening = ::bind(tcp, where, sizeof address) == 0 && ::listen(tcp, 64) == 0 && ::bind(udp, where, sizeof address) == 0;
    acceptor = std::jthread([this] {
      char datagram[256];
      while (!done) {
        if (const int fd = ::accept(tcp, nullptr, nullptr); fd >= 0) {
          ++arrivals;
          ::close(fd);
        }
        if (::recv(udp, datagram, sizeof datagram, 0) > 0) ++arrivals;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  ~LoopbackListener() {
    done = true;
    acceptor.join();
    ::close(tcp);
    ::close(udp);
  }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;
  // After the grading: let the last datagram be read.
  [[nodiscard]] int arrived() const {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return arrivals.load();
  }
};

// A second copy of lab 01's hidden tests and reference in /opt, world-readable, as a backup
// or a second checkout would be; removed again at the end.
struct SecondCopy {
  fs::path path = "/opt/parlab-course-copy";
  bool made = false;
  SecondCopy() {
    std::error_code ec;
    fs::create_directories(path / "tests", ec);
    fs::create_directories(path / "solutions", ec);
    if (ec) {
      WARN("cannot write " << path.string() << ": not checked");
      return;
    }
    fs::copy(source_root / "tests" / "01-queues", path / "tests" / "01-queues", fs::copy_options::recursive);
    fs::copy(source_root / "solutions" / "01-queues", path / "solutions" / "01-queues", fs::copy_options::recursive);
    made = true;
  }
  ~SecondCopy() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  SecondCopy(const SecondCopy&) = delete;
  SecondCopy& operator=(const SecondCopy&) = delete;
};

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
      // The student's frame (the twist is in primes_threads.cpp), not a library frame.
      CHECK(grader::contains(c["summary"].get<std::string>(), "(primes_threads.cpp:"));
    }
  }
}

TEST_CASE("a fork bomb hits the process limit", "[grader][hostile]") {
  expect_task3_cases(grade("fork-bomb"), "process_limit");
}

TEST_CASE("allocating without bound hits the memory limit", "[grader][hostile]") {
  // Where it allocated: the twist's line in primes_threads.cpp (the failed allocation's
  // frame, or the frame gdb found running when the measured memory went over the limit).
  const Graded g = grade("allocate-forever");
  expect_task3_cases(g, "memory_limit", "memory");
  if (g.report["isolation"]["gdb"].get<bool>()) expect_task3_cases(g, "memory_limit", "(primes_threads.cpp:");
}

TEST_CASE("flooding stdout hits the output limit", "[grader][hostile]") {
  expect_task3_cases(grade("flood-stdout"), "output_limit", "printed more than");
}

TEST_CASE("an early exit(0) is a failure, not a pass", "[grader][hostile]") {
  expect_task3_cases(grade("exit-early"), "failed", "exit()");
}

TEST_CASE("a segfault is a crash named SIGSEGV", "[grader][hostile]") {
  const Graded g = grade("segfault");
  expect_task3_cases(g, "crashed", "SIGSEGV");
  // Where: the twist's line in the student's file, in the test process (no fork in it).
  expect_task3_cases(g, "crashed", "(primes_threads.cpp:");
  expect_task3_cases(g, "crashed", "in the test process itself");
}

TEST_CASE("an abort is a crash named SIGABRT", "[grader][hostile]") {
  const Graded g = grade("abort");
  expect_task3_cases(g, "crashed", "SIGABRT");
  expect_task3_cases(g, "crashed", "(primes_threads.cpp:");
}

TEST_CASE("a huge file hits the file-size limit", "[grader][hostile]") {
  expect_task3_cases(grade("huge-file"), "output_limit", "file larger than");
}

// The forged records go to the only fd the student's code has besides stdout and stderr: the
// pipe its isolated() child returns results on, where they are not a result.
TEST_CASE("printed and forged results do not make a test pass", "[grader][hostile]") {
  expect_task3_cases(grade("fake-results"), "failed", "before returning a result");
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
  const LoopbackListener listener;
  const Graded g = grade("connect-network");
  expect_full_marks_without_timing(g);
  if (listener.listening && isolation(g) != "limits") CHECK(listener.arrived() == 0);
}

TEST_CASE("a daemon left behind is killed", "[grader][hostile]") {
  // grade() checks that no process of the work dir is left running.
  expect_full_marks_without_timing(grade("daemon"));
}

// The student's code runs in a child of the test process (parlab_test::isolated), so its
// parent is the test process: killing it fails the case, and the grader goes on.
TEST_CASE("killing the parent does not stop the grader", "[grader][hostile]") {
  const Graded g = grade("kill-parent");
  if (g.report["isolation"]["level"] == "bubblewrap" || geteuid() == 0) expect_task3_cases(g, "crashed", "SIGKILL");
}

// --- the instructor's secrets, compile-time limits, memory and disk ---------------------

namespace {

// Whether `window` occurs in what the student has anyway: the lab's kit folder and the
// common code (the grader leaves that text in reports even where a hidden test repeats it).
bool published(const std::string& window) {
  for (const fs::path& dir : {source_root / "labs" / "01-queues", source_root / "labs" / "common"}) {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file() && grader::contains(grader::read_file(entry.path()), window)) return true;
    }
  }
  return false;
}

// Some 48-byte window of a hidden test's text (not blank, not published in the kit) that
// appears in the reports: "" when none does.
std::string hidden_text_in(const Graded& g) {
  for (const auto& file : fs::directory_iterator(source_root / "tests" / "01-queues")) {
    // Case names are shown to students on purpose: lines that declare one are left out.
    std::string hidden;
    for (const auto& line : grader::split_lines(grader::read_file(file.path()))) {
      if (!grader::contains(line, "TEST_CASE") && !grader::contains(line, "SECTION")) hidden += line + "\n";
    }
    for (std::size_t at = 0; at + 48 <= hidden.size(); at += 16) {
      const std::string window = hidden.substr(at, 48);
      if (grader::trim(window).size() < 40) continue;
      // JSON escapes quotes, backslashes and newlines: look for the window as JSON writes it too.
      const std::string escaped = json(window).dump();
      const std::string inner = escaped.substr(1, escaped.size() - 2);
      for (const std::string* text : {&g.report_text, &g.results}) {
        if ((text->find(window) != std::string::npos || text->find(inner) != std::string::npos) && !published(window)) return window;
      }
    }
  }
  return {};
}

void expect_no_hidden_text(const Graded& g) {
  const std::string leaked = hidden_text_in(g);
  INFO("a report holds this text of a hidden test: " << leaked);
  CHECK(leaked.empty());
}

void expect_did_not_build(const Graded& g, const std::string& words) {
  CHECK(g.report["score"].get<double>() == 0);
  INFO(g.lab["build_errors"].get<std::string>());
  CHECK(grader::contains(g.lab["build_errors"].get<std::string>(), words));
  expect_no_hidden_text(g);
}

}  // namespace

TEST_CASE("a compile bomb is stopped at the compile limits", "[grader][hostile]") {
  const Graded g = grade("compile-bomb", {{"--compile-timeout", "20", "--compile-memory-mb", "1024"}, false, "did not build"});
  expect_did_not_build(g, "compilation stopped");
}

TEST_CASE("an #include of a hidden test does not find it", "[grader][hostile]") {
  expect_did_not_build(grade("include-hidden", {{}, false, "did not build"}), "hidden_threads.cpp");
}

TEST_CASE("an #include of the reference does not find it", "[grader][hostile]") {
  expect_did_not_build(grade("include-reference", {{}, false, "did not build"}), "blocking_queue.cpp");
}

TEST_CASE("an .incbin of a hidden test does not find it", "[grader][hostile]") {
  // Only bubblewrap hides the file from the assembler (see docs/instructor-guide.md).
  const Graded g = grade("incbin-hidden", {{}, false, ""});
  if (isolation(g) == "bubblewrap") expect_did_not_build(g, "hidden_threads.cpp");
}

TEST_CASE("an .incbin of the reference does not find it", "[grader][hostile]") {
  const Graded g = grade("incbin-reference", {{}, false, ""});
  if (isolation(g) == "bubblewrap") expect_did_not_build(g, "blocking_queue.cpp");
}

TEST_CASE("a second copy of the instructor tree elsewhere is not readable", "[grader][hostile]") {
  const SecondCopy copy;
  if (!copy.made) return;
  const Graded g = grade("second-copy");
  if (isolation(g) == "bubblewrap") {
    expect_full_marks_without_timing(g);
    expect_no_hidden_text(g);
  }
}

// Without bubblewrap (as in Gradescope's Docker) Landlock's allow-list and the socket filter
// stand in for its view and its network namespace.
TEST_CASE("without bubblewrap no instructor tree is readable and no network is reachable", "[grader][hostile]") {
  if (grader::landlock_abi() < 4) {
    WARN("this kernel's Landlock (ABI " << grader::landlock_abi() << ") cannot refuse TCP: not checked");
    return;
  }
  const SecondCopy copy;
  if (!copy.made) return;
  const LoopbackListener listener;
  const Graded g = grade("escape-without-bubblewrap", {{"--isolation", "limits"}, false, "graded"});
  CHECK(isolation(g) == "limits");
  expect_full_marks_without_timing(g);
  expect_no_hidden_text(g);
  if (listener.listening) CHECK(listener.arrived() == 0);
}

TEST_CASE("without bubblewrap an .incbin of a hidden test does not find it", "[grader][hostile]") {
  if (grader::landlock_abi() == 0) {
    WARN("this kernel has no Landlock: not checked");
    return;
  }
  const Graded g = grade("incbin-hidden", {{"--isolation", "limits"}, false, "did not build"}, "incbin-hidden-limits");
  CHECK(isolation(g) == "limits");
  expect_did_not_build(g, "hidden_threads.cpp");
}

TEST_CASE("memory held in memfd files hits the memory limit", "[grader][hostile]") {
  expect_task3_cases(grade("memfd-hoard"), "memory_limit", "memory");
}

TEST_CASE("memory held under ThreadSanitizer hits the memory limit", "[grader][hostile]") {
  const Graded g = grade("tsan-hoard", {{}, true, "graded"});
  expect_full_marks_without_timing(g);
  for (const auto& c : g.lab["cases"]) {
    if (c["task"] != "task3" || c["name"].get<std::string>().find("rejects zero") != std::string::npos) continue;
    INFO(c.dump(2));
    CHECK(grader::contains(c.value("tsan_note", std::string{}), "memory"));
  }
}

TEST_CASE("filling the disk hits the disk quota", "[grader][hostile]") {
  expect_task3_cases(grade("disk-fill"), "disk_quota", "disk quota");
}

TEST_CASE("no forgery from inside the test process turns a case into a pass", "[grader][hostile]") {
  expect_task3_cases(grade("forge-pass"), "failed", "before returning a result");
}

// The student's code runs in a child of the test process (parlab_test::isolated): the
// channel's fd is closed and its nonce wiped there, and the test process cannot be read.
TEST_CASE("the channel found through the symbol table, here or in the test process, forges nothing", "[grader][hostile]") {
  expect_task3_cases(grade("forge-channel"), "failed", "before returning a result");
}
