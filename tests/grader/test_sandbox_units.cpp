// Each set-up step of a sandbox run is checked: when one fails before the program can
// start, the verdict names the call and the reason instead of a generic exit status.
#include <filesystem>
#include <string>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channel.hpp"
#include "parlab_test/catch.hpp"
#include "sandbox/process_table.hpp"
#include "sandbox/sandbox.hpp"
#include "util/files.hpp"
#include "verdict.hpp"

namespace {

// A sandbox at the plainest isolation level (it works on every machine), with its scratch
// folders in a temporary folder of its own, removed at the end.
class PlainSandbox {
 public:
  PlainSandbox()
      : root_(std::filesystem::temp_directory_path() / ("parlab-sandbox-units-" + std::to_string(::getpid()))),
        sandbox_(grader::Isolation{}, grader::SandboxPaths{root_, "/proc/self/exe"}, 1) {}
  ~PlainSandbox() { grader::remove_tree_quietly(root_); }
  PlainSandbox(const PlainSandbox&) = delete;
  PlainSandbox& operator=(const PlainSandbox&) = delete;

  grader::SandboxResult run(const std::string& program, const grader::SandboxLimits& limits) {
    grader::SandboxRequest request;
    request.argv = {program};
    request.limits = limits;
    return sandbox_.run(request);
  }

 private:
  std::filesystem::path root_;
  grader::Sandbox sandbox_;
};

std::string verdict_text(const grader::SandboxResult& run, const grader::SandboxLimits& limits) {
  return grader::decide_verdict(run, grader::ChannelReport{}, limits).summary;
}

}  // namespace

TEST_CASE("a sandbox run whose set-up succeeds reports no set-up failure", "[grader][sandbox]") {
  PlainSandbox sandbox;
  const grader::SandboxResult run = sandbox.run("/bin/true", {});
  CHECK(run.setup_failure.empty());
  CHECK(run.ending == grader::SandboxResult::Ending::exited);
  CHECK(run.exit_code == 0);
}

TEST_CASE("an impossible limit is named in the verdict as the set-up call that failed", "[grader][sandbox]") {
  PlainSandbox sandbox;
  grader::SandboxLimits limits;
  limits.open_files = 1U << 30;  // above fs.nr_open: refused even to root
  const grader::SandboxResult run = sandbox.run("/bin/true", limits);
  CHECK(run.ending == grader::SandboxResult::Ending::exited);
  CHECK(run.exit_code == 127);
  CHECK(run.setup_failure == "setrlimit RLIMIT_NOFILE: Operation not permitted");
  CHECK(verdict_text(run, limits) == "sandbox set-up failed: setrlimit RLIMIT_NOFILE: Operation not permitted");
}

TEST_CASE("a program that cannot be started is named as the failed execve", "[grader][sandbox]") {
  PlainSandbox sandbox;
  const grader::SandboxResult run = sandbox.run("/nonexistent/parlab-program", {});
  CHECK(run.exit_code == 127);
  CHECK(verdict_text(run, {}) == "sandbox set-up failed: execve: No such file or directory");
}

TEST_CASE("the process table reads the parent, uid, state and threads of each process", "[grader][sandbox]") {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) ::_exit(0);
  // Exited and not yet waited for: a zombie, which no limit may count.
  grader::ProcessEntry found;
  for (int attempt = 0; attempt < 1000 && found.state != 'Z'; ++attempt) {
    for (const auto& entry : grader::read_process_table()) {
      if (entry.pid == child) found = entry;
    }
  }
  ::waitpid(child, nullptr, 0);
  CHECK(found.pid == child);
  CHECK(found.parent == ::getpid());
  CHECK(found.uid == ::getuid());
  CHECK(found.state == 'Z');
  bool self_seen = false;
  for (const auto& entry : grader::read_process_table()) {
    if (entry.pid != ::getpid()) continue;
    self_seen = true;
    CHECK(entry.threads >= 1);
    CHECK(entry.state == 'R');  // it is reading the table
  }
  CHECK(self_seen);
  CHECK(grader::living_processes_of(grader::read_process_table(), ::getuid()).size() >= 1);
}

TEST_CASE("the fast process count finds a dumpable process of another uid and forgets it once reaped", "[grader][sandbox]") {
  CHECK(grader::tasks_owned_by(::getuid()) >= 1);  // this test, at least
  if (::getuid() != 0) return;                     // only root can give a child another uid
  const uid_t uid = 64999;
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // A credential change makes a process non-dumpable; the exec of a test makes it dumpable again.
    const bool dropped = ::setgid(uid) == 0 && ::setuid(uid) == 0 && ::prctl(PR_SET_DUMPABLE, 1) == 0;
    const char byte = dropped ? 'y' : 'n';
    if (::write(ready[1], &byte, 1) != 1) ::_exit(1);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char byte = 0;
  const bool told = ::read(ready[0], &byte, 1) == 1;
  ::close(ready[0]);
  const unsigned while_alive = grader::tasks_owned_by(uid);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  REQUIRE(told);
  REQUIRE(byte == 'y');
  CHECK(while_alive == 1);
  CHECK(grader::tasks_owned_by(uid) == 0);
}
