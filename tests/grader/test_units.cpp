// Unit tests of the grader's parts that need no build tree: the result channel, the
// verdict rules, backtrace summaries, test specs, build-error extraction, staging and
// submissions.
#include <chrono>
#include <filesystem>
#include <thread>

#include <signal.h>

#include "backtrace.hpp"
#include "build_tree.hpp"
#include "channel.hpp"
#include "hidden_text.hpp"
#include "manifest.hpp"
#include "parlab_test/catch.hpp"
#include "staging.hpp"
#include "student_objects.hpp"
#include "submission.hpp"
#include "test_cases.hpp"
#include "util/command.hpp"
#include "util/files.hpp"
#include "util/text.hpp"
#include "verdict.hpp"

namespace fs = std::filesystem;
using grader::ChannelReport;
using grader::SandboxResult;
using grader::Verdict;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("parlab-grader-unit-" + name + "-" + grader::random_hex(4));
  fs::create_directories(dir);
  return dir;
}

SandboxResult exited(int code) {
  SandboxResult r;
  r.ending = SandboxResult::Ending::exited;
  r.exit_code = code;
  return r;
}

SandboxResult killed_by(int signal) {
  SandboxResult r;
  r.ending = SandboxResult::Ending::signaled;
  r.signal = signal;
  return r;
}

const std::string nonce = "feedface";
const std::string started = R"({"event":"case_started","name":"a case"})" "\n";
const std::string ended_ok = R"({"event":"case_ended","name":"a case","passed":true,"assertions_passed":3,"assertions_failed":0,"nonce":"feedface"})" "\n";

}  // namespace

TEST_CASE("a case passes only with its case_ended record, the nonce and exit status 0", "[grader][channel]") {
  const grader::SandboxLimits limits;
  const auto good = grader::parse_channel(started + ended_ok, "a case", nonce);
  CHECK(good.passed);
  CHECK(grader::decide_verdict(exited(0), good, limits).verdict == Verdict::passed);
  CHECK(grader::decide_verdict(exited(1), good, limits).verdict == Verdict::failed);

  const auto forged = grader::parse_channel(started + grader::replace_all(ended_ok, nonce, "guessed"), "a case", nonce);
  CHECK_FALSE(forged.passed);
  CHECK(forged.forged_records);
  CHECK(grader::decide_verdict(exited(0), forged, limits).verdict == Verdict::failed);

  const auto other_case = grader::parse_channel(started + grader::replace_all(ended_ok, "a case", "another"), "a case", nonce);
  CHECK_FALSE(other_case.passed);

  const auto early_exit = grader::parse_channel(started, "a case", nonce);
  const auto v = grader::decide_verdict(exited(0), early_exit, limits);
  CHECK(v.verdict == Verdict::failed);
  CHECK(grader::contains(v.summary, "exit()"));
}

TEST_CASE("failed assertions are described with file, line, expression and values", "[grader][channel]") {
  const std::string text = started +
      R"j({"event":"assertion_failed","file":"/x/tests/hidden_queue.cpp","line":42,"macro":"REQUIRE","expression":"REQUIRE( a == b )","expansion":"3 == 4","message":"","info":"n := 7"})j" "\n" +
      grader::replace_all(grader::replace_all(ended_ok, "\"passed\":true", "\"passed\":false"), "\"assertions_failed\":0", "\"assertions_failed\":1");
  const auto report = grader::parse_channel(text, "a case", nonce);
  REQUIRE(report.failures.size() == 1);
  CHECK(report.failures[0].describe() == "hidden_queue.cpp:42: REQUIRE( a == b ) with expansion: 3 == 4 [n := 7]");
  const auto v = grader::decide_verdict(exited(1), report, grader::SandboxLimits{});
  CHECK(v.verdict == Verdict::failed);
  CHECK(grader::contains(v.summary, "3 == 4"));
}

TEST_CASE("signals and limits turn into their own verdicts", "[grader][verdict]") {
  const grader::SandboxLimits limits;
  const ChannelReport nothing;
  CHECK(grader::decide_verdict(killed_by(SIGSEGV), nothing, limits).verdict == Verdict::crashed);
  CHECK(grader::contains(grader::decide_verdict(killed_by(SIGSEGV), nothing, limits).summary, "SIGSEGV"));
  CHECK(grader::decide_verdict(killed_by(SIGXCPU), nothing, limits).verdict == Verdict::timed_out);
  CHECK(grader::decide_verdict(killed_by(SIGXFSZ), nothing, limits).verdict == Verdict::output_limit);
  SandboxResult oom = killed_by(SIGABRT);
  oom.output = "terminate called after throwing an instance of 'std::bad_alloc'";
  CHECK(grader::decide_verdict(oom, nothing, limits).verdict == Verdict::memory_limit);
  SandboxResult flood;
  flood.ending = SandboxResult::Ending::output_limit;
  CHECK(grader::decide_verdict(flood, nothing, limits).verdict == Verdict::output_limit);
  SandboxResult bomb;
  bomb.ending = SandboxResult::Ending::process_limit;
  CHECK(grader::decide_verdict(bomb, nothing, limits).verdict == Verdict::process_limit);
}

TEST_CASE("a hang's backtrace reads as a consumer blocked in pop", "[grader][backtrace]") {
  const std::string gdb = R"(
Thread 3 (Thread 0x7f1 (LWP 12) "lab01_hidden"):
#0  0x00007f in __futex_abstimed_wait_common64 () at ./nptl/futex-internal.c:57
#1  0x00007f in __pthread_cond_wait_common () at ./nptl/pthread_cond_wait.c:503
#2  0x00007f in std::condition_variable::wait(std::unique_lock<std::mutex>&) () from /lib/libstdc++.so.6
#3  0x0000aa in std::condition_variable::wait<parlab::lab01::BlockingQueue<std::variant<parlab::Range, parlab::lab01::PoisonPill> >::pop()::{lambda()#1}> (...) at /usr/include/c++/12/condition_variable:102
#4  parlab::lab01::BlockingQueue<std::variant<parlab::Range, parlab::lab01::PoisonPill> >::pop (this=...) at /w/overlay/01-queues/src/blocking_queue.cpp:30
#5  0x0000ab in parlab::lab01::prime_worker (...) at /w/overlay/01-queues/src/primes_threads.cpp:15
Thread 2 (Thread 0x7f2 (LWP 11) "lab01_hidden"):
#0  0x00007f in __futex_abstimed_wait_common64 () at ./nptl/futex-internal.c:57
#1  0x0000ac in parlab_test::Watchdog::Watchdog(...)::{lambda(std::stop_token)#1}::operator() (...) at watchdog.cpp:30
Thread 1 (Thread 0x7f3 (LWP 10) "lab01_hidden"):
#0  0x00007f in __pthread_clockjoin_ex () at ./nptl/pthread_join_common.c:105
#1  0x0000ad in std::thread::join() () from /lib/libstdc++.so.6
#2  0x0000ae in parlab::lab01::primes_threads (...) at /w/overlay/01-queues/src/primes_threads.cpp:80
)";
  const auto summary = grader::summarize_backtrace(gdb);
  CHECK(grader::contains(summary.headline, "consumer blocked in pop"));
  REQUIRE(summary.threads.size() == 3);
  CHECK(summary.threads[0].where == "BlockingQueue<…>::pop (blocking_queue.cpp:30), called from prime_worker");
  CHECK(summary.threads[0].waiting == "waiting on a condition variable");
  CHECK(summary.threads[1].is_test_harness);
  CHECK(summary.threads[2].waiting == "waiting for a thread to finish (join)");
}

TEST_CASE("case names become exact Catch test specs", "[grader][test_cases]") {
  CHECK(grader::catch_test_spec("plain name") == "plain name");
  CHECK(grader::catch_test_spec("a [tag], b*c \"q\" \\") == "a \\[tag\\]\\, b\\*c \\\"q\\\" \\\\");
  CHECK(grader::catch_test_spec("~negated") == "\\~negated");
}

TEST_CASE("the first compiler errors are kept with paths the student knows", "[grader][build]") {
  const std::string output =
      "[1/3] Building CXX object lab01.dir/x.cpp.o\n"
      "FAILED: lab01.dir/x.cpp.o\n"
      "/usr/bin/c++ -O2 -c /work/slot/overlay/01-queues/src/x.cpp\n"
      "/work/slot/overlay/01-queues/src/x.cpp: In function 'int f()':\n"
      "/work/slot/overlay/01-queues/src/x.cpp:3:12: error: expected ';' before '}' token\n"
      "    3 |   return 1\n"
      "ninja: build stopped: subcommand failed.\n";
  const std::string errors = grader::extract_first_errors(output, {"/work/slot/overlay/"});
  CHECK(grader::contains(errors, "01-queues/src/x.cpp: In function 'int f()':"));
  CHECK(grader::contains(errors, "01-queues/src/x.cpp:3:12: error: expected ';'"));
  CHECK_FALSE(grader::contains(errors, "/usr/bin/c++"));
  CHECK_FALSE(grader::contains(errors, "/work/slot"));
}

TEST_CASE("a running build's progress is ninja's latest step line", "[grader][build]") {
  CHECK_FALSE(grader::latest_build_steps("").has_value());
  CHECK_FALSE(grader::latest_build_steps("-- Configuring done\n").has_value());
  const auto steps = grader::latest_build_steps(
      "[1/120] Building CXX object a.o\n"
      "warning: x [-Wall] in a.cpp\n"
      "[57/120] Building CXX object b.o\n"
      "note: a bracket [9/9] inside a line is not a step\n");
  REQUIRE(steps.has_value());
  CHECK(steps->done == 57);
  CHECK(steps->total == 120);
  CHECK_FALSE(grader::latest_build_steps("[57/0] nonsense\n[x/3] neither\n").has_value());
}

TEST_CASE("a long command's heartbeat hears what it printed so far, and only while it runs", "[grader][command]") {
  std::vector<std::pair<std::string, double>> beats;
  grader::CommandOptions options = grader::command_options(std::chrono::seconds(30));
  options.heartbeat_every = std::chrono::milliseconds(300);
  options.heartbeat = [&beats](const std::string& output, double seconds) { beats.emplace_back(output, seconds); };
  const grader::CommandResult r =
      grader::run_command({"sh", "-c", "echo '[1/2] first'; sleep 1; echo '[2/2] second'; sleep 1"}, options);
  REQUIRE(r.ok());
  REQUIRE(beats.size() >= 2);
  CHECK(grader::contains(beats.back().first, "[2/2] second"));
  for (std::size_t i = 1; i < beats.size(); ++i) CHECK(beats[i].second > beats[i - 1].second);
  CHECK(beats.back().second <= r.seconds);
}

TEST_CASE("a heartbeat still hears the latest step once the output is past its cap", "[grader][command]") {
  std::vector<std::string> beats;
  grader::CommandOptions options = grader::command_options(std::chrono::seconds(30), 1024);
  options.heartbeat_every = std::chrono::milliseconds(300);
  options.heartbeat = [&beats](const std::string& output, double) { beats.push_back(output); };
  const grader::CommandResult r = grader::run_command(
      {"sh", "-c", "echo '[1/2] first'; head -c 200000 /dev/zero | tr '\\0' w; echo; echo '[2/2] second'; sleep 1"}, options);
  REQUIRE(r.ok());
  CHECK(r.output.size() == 1024);
  REQUIRE_FALSE(beats.empty());
  const auto steps = grader::latest_build_steps(beats.back());
  REQUIRE(steps.has_value());
  CHECK(steps->done == 2);
}

TEST_CASE("staging takes only editable files and keeps unchanged files untouched", "[grader][staging]") {
  const auto catalog = grader::discover_labs(PARLAB_GRADER_SOURCE_ROOT);
  const auto labs = grader::select_labs(catalog, {"01"});
  const fs::path submission = fresh_dir("submission");
  const fs::path overlay = fresh_dir("overlay");
  fs::create_directories(submission / "01-queues" / "src");
  fs::create_directories(submission / "01-queues" / "include");
  grader::write_file_atomically(submission / "01-queues" / "src" / "blocking_queue.cpp", "// mine\n");
  grader::write_file_atomically(submission / "01-queues" / "include" / "hacked.hpp", "// not editable\n");
  fs::create_symlink("/etc/passwd", submission / "01-queues" / "src" / "primes_threads.cpp");

  const auto first = grader::stage_submission(submission, labs, overlay);
  REQUIRE(first.labs.size() == 1);
  CHECK(first.labs[0].taken == std::vector<std::string>{"src/blocking_queue.cpp"});
  CHECK(first.labs[0].missing == std::vector<std::string>{"src/primes_processes.cpp"});
  REQUIRE(first.labs[0].rejected.size() == 1);
  CHECK(grader::contains(first.labs[0].rejected[0], "symbolic link"));
  CHECK(grader::read_file(overlay / "01-queues" / "src" / "blocking_queue.cpp") == "// mine\n");
  CHECK(grader::read_file(overlay / "01-queues" / "src" / "primes_threads.cpp") ==
        grader::read_file(fs::path(PARLAB_GRADER_SOURCE_ROOT) / "labs" / "01-queues" / "src" / "primes_threads.cpp"));
  CHECK(std::find(first.ignored.begin(), first.ignored.end(), "01-queues/include/hacked.hpp") != first.ignored.end());

  const auto before = fs::last_write_time(overlay / "01-queues" / "src" / "blocking_queue.cpp");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  (void)grader::stage_submission(submission, labs, overlay);
  CHECK(fs::last_write_time(overlay / "01-queues" / "src" / "blocking_queue.cpp") == before);
  fs::remove_all(submission);
  fs::remove_all(overlay);
}

TEST_CASE("unknown labs and bad submissions get clear errors", "[grader][submission]") {
  const auto catalog = grader::discover_labs(PARLAB_GRADER_SOURCE_ROOT);
  CHECK_THROWS_WITH(grader::select_labs(catalog, {"99"}), Catch::Matchers::ContainsSubstring("unknown lab '99'"));
  CHECK(grader::select_labs(catalog, {"1"}).front().id == "01");
  CHECK(grader::select_labs(catalog, {"queues"}).front().id == "01");  // as `parlab test queues` takes it
  const fs::path scratch = fresh_dir("archives");
  CHECK_THROWS_WITH(grader::open_submission(scratch / "missing", scratch), Catch::Matchers::ContainsSubstring("does not exist"));
  grader::write_file_atomically(scratch / "notes.txt", "hello");
  CHECK_THROWS_WITH(grader::open_submission(scratch / "notes.txt", scratch), Catch::Matchers::ContainsSubstring("is not a submission"));
  grader::write_file_atomically(scratch / "broken.zip", "not a zip");
  CHECK_THROWS_AS(grader::open_submission(scratch / "broken.zip", scratch), grader::SubmissionError);
  fs::remove_all(scratch);
}

TEST_CASE("archives with .. or absolute paths are refused, good ones unpacked", "[grader][submission]") {
  if (!grader::program_exists("python3") || !grader::program_exists("tar")) {
    WARN("skipped: needs python3 and tar");
    return;
  }
  const fs::path scratch = fresh_dir("tar");
  const std::string make_evil =
      "import tarfile, io, sys\n"
      "with tarfile.open(sys.argv[1], 'w:gz') as t:\n"
      "    data = b'x'\n"
      "    info = tarfile.TarInfo('../escape.cpp'); info.size = len(data); t.addfile(info, io.BytesIO(data))\n";
  REQUIRE(grader::run_command({"python3", "-c", make_evil, (scratch / "evil.tar.gz").string()}).ok());
  CHECK_THROWS_WITH(grader::open_submission(scratch / "evil.tar.gz", scratch), Catch::Matchers::ContainsSubstring("'..' path"));
  CHECK_FALSE(fs::exists(scratch.parent_path() / "escape.cpp"));

  fs::create_directories(scratch / "mine" / "01-queues" / "src");
  grader::write_file_atomically(scratch / "mine" / "01-queues" / "src" / "blocking_queue.cpp", "// mine\n");
  REQUIRE(grader::run_command({"tar", "-czf", (scratch / "good.tar.gz").string(), "-C", scratch.string(), "mine"}).ok());
  const auto opened = grader::open_submission(scratch / "good.tar.gz", scratch);
  CHECK(opened.name == "good");
  CHECK(fs::exists(opened.root / "01-queues" / "src" / "blocking_queue.cpp"));
  fs::remove_all(scratch);
}

TEST_CASE("hidden text is removed from what a report shows", "[grader][unit]") {
  const fs::path dir = fs::temp_directory_path() / ("parlab-hidden-" + grader::random_hex(4));
  fs::create_directories(dir);
  const std::string secret = "CHECK(primes_threads(1000, 3, 17) == expected_primes_below_thousand);\n";
  // A line the student has in the kit too (a visible test) is not hidden from them.
  const std::string published = "CHECK(isolated([&] { return run_file_counter(dir / \"count.txt\", LockMode::flock); }) == 4000);\n";
  grader::write_file_atomically(dir / "visible.cpp", published);
  grader::write_file_atomically(dir / "hidden.cpp",
                                "TEST_CASE(\"a case name that is shown on purpose\") {\n" + secret + published + "}\n");
  const grader::HiddenText hidden({dir / "hidden.cpp"}, {dir / "visible.cpp"});
  fs::remove_all(dir);
  CHECK(hidden.redact("failed: " + published) == "failed: " + published);
  const std::string leaked = hidden.redact("got: " + secret + " end");
  CHECK_FALSE(grader::contains(leaked, "expected_primes_below"));
  CHECK(grader::contains(leaked, "removed"));
  CHECK(grader::contains(leaked, "got: "));
  CHECK(hidden.redact("a case name that is shown on purpose, and more words here") ==
        "a case name that is shown on purpose, and more words here");
}

TEST_CASE("student objects that could run before the listener or replace its calls are refused", "[grader][unit]") {
  const std::string header = "Section Headers:\n  [Nr] Name Type Address Off Size ES Flg Lk Inf Al\n";
  const std::string symbols = "Symbol table '.symtab' contains 3 entries:\n   Num:    Value          Size Type    Bind   Vis      Ndx Name\n";
  const std::string ok = header + "  [ 1] .text PROGBITS 0 40 10 00 AX 0 0 1\n  [ 2] .init_array INIT_ARRAY 0 0 8 8 WA 0 0 8\n" + symbols +
                         "     1: 0000000000000000    10 FUNC    GLOBAL DEFAULT    1 _ZN6parlab5lab016workerEv\n"
                         "     2: 0000000000000000     0 NOTYPE  GLOBAL DEFAULT  UND getenv\n"
                         "     3: 0000000000000000    10 FUNC    WEAK   DEFAULT    1 _ZNSt6vectorIiSaIiEE9push_backERKi\n";
  CHECK(grader::why_readelf_refused(ok, false).empty());
  CHECK_FALSE(grader::why_readelf_refused(header + "  [ 3] .init_array.00101 INIT_ARRAY 0 0 8 8 WA 0 0 8\n", false).empty());
  CHECK(grader::why_readelf_refused(header + "  [ 3] .init_array.00099 INIT_ARRAY 0 0 8 8 WA 0 0 8\n", true).empty());
  CHECK_FALSE(grader::why_readelf_refused(header + "  [ 3] .preinit_array PREINIT_ARRAY 0 0 8 8 WA 0 0 8\n", false).empty());
  CHECK_FALSE(grader::why_readelf_refused(symbols + "     1: 0000000000000000    10 FUNC    GLOBAL DEFAULT    1 getenv\n", false).empty());
  CHECK_FALSE(grader::why_readelf_refused(symbols + "     1: 0000000000000000    10 FUNC    WEAK   DEFAULT    1 _ZN5Catch3runEv\n", false).empty());
  CHECK_FALSE(grader::why_readelf_refused(symbols + "     1: 0000000000000000    10 IFUNC   GLOBAL DEFAULT    1 _ZN6parlab1fEv\n", false).empty());
  // A destructor function would run in the test process at exit; the ASan build's own is allowed.
  CHECK_THAT(grader::why_readelf_refused(header + "  [ 3] .fini_array FINI_ARRAY 0 0 8 8 WA 0 0 8\n", false),
             parlab_test::ContainsSubstring("destructor"));
  CHECK(grader::why_readelf_refused(header + "  [ 3] .fini_array.00099 FINI_ARRAY 0 0 8 8 WA 0 0 8\n", true).empty());
  CHECK_FALSE(grader::why_readelf_refused(header + "  [ 3] .fini_array.00099 FINI_ARRAY 0 0 8 8 WA 0 0 8\n", false).empty());
}

TEST_CASE("a student object's initialisers and library copies are moved out of the test process's reach", "[grader][unit]") {
  const std::string readelf =
      "Section Headers:\n  [Nr] Name Type Address Off Size ES Flg Lk Inf Al\n"
      "  [ 1] .text PROGBITS 0 40 10 00 AX 0 0 1\n  [ 2] .init_array INIT_ARRAY 0 0 8 8 WA 0 0 8\n"
      "  [ 3] .rela.init_array RELA 0 0 18 18 I 9 2 8\n  [ 4] .init_array.00099 INIT_ARRAY 0 0 8 8 WA 0 0 8\n"
      "  [ 5] .fini_array.00099 FINI_ARRAY 0 0 8 8 WA 0 0 8\n"
      "Symbol table '.symtab' contains 5 entries:\n   Num:    Value          Size Type    Bind   Vis      Ndx Name\n"
      "     1: 0000000000000000    10 FUNC    GLOBAL DEFAULT    1 _ZN6parlab5lab016workerEv\n"
      "     2: 0000000000000000     0 NOTYPE  GLOBAL DEFAULT  UND getenv\n"
      "     3: 0000000000000000    10 FUNC    WEAK   DEFAULT    1 _ZNSt6vectorIiSaIiEE9push_backERKi\n"
      "     4: 0000000000000000    10 FUNC    WEAK   DEFAULT    1 _ZN6parlab5lab015QueueIiE4pushEi\n"
      "     5: 0000000000000000     8 OBJECT  UNIQUE DEFAULT    7 _ZZNSt9once_flagC4EvE5guard\n"
      "     6: 0000000000000000     0 NOTYPE  LOCAL  DEFAULT    2 _ZNSt6vectorIiSaIiEED5Ev\n"
      "     7: 0000000000000000    10 FUNC    LOCAL  DEFAULT    1 .L_local_label\n";
  const grader::ObjectRewrite plan = grader::plan_object_rewrite(readelf);
  using Rename = std::pair<std::string, std::string>;
  CHECK(plan.sections == std::vector<Rename>{{".init_array", "parlab_student_init"},
                                             {".init_array.00099", "parlab_student_preinit"},
                                             {".fini_array.00099", "parlab_student_fini"}});
  // The student's copies of library templates become private; parlab's own symbols (their
  // functions and their templates' instantiations, which the tests call) keep their names.
  // So do the names of their COMDAT groups, which are local symbols.
  CHECK(plan.private_symbols == std::vector<std::string>{"_ZNSt6vectorIiSaIiEE9push_backERKi", "_ZZNSt9once_flagC4EvE5guard",
                                                         "_ZNSt6vectorIiSaIiEED5Ev"});
}
