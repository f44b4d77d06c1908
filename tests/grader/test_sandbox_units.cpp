// Each set-up step of a sandbox run is checked: when one fails before the program can
// start, the verdict names the call and the reason instead of a generic exit status.
#include <filesystem>
#include <string>
#include <vector>

#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channel.hpp"
#include "parlab_test/catch.hpp"
#include "sandbox/landlock.hpp"
#include "sandbox/process_table.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox/socket_filter.hpp"
#include "util/files.hpp"
#include "util/text.hpp"
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
    return run(std::vector<std::string>{program}, limits);
  }
  grader::SandboxResult run(const std::vector<std::string>& argv, const grader::SandboxLimits& limits) {
    grader::SandboxRequest request;
    request.argv = argv;
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

namespace {

// Runs `check` in a forked child and returns its exit code (255: it was killed or crashed).
template <class Check>
int in_child(Check check) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) ::_exit(check());
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

// 0 when socket(family, type) was refused with EACCES, 1 when it was allowed, 2 otherwise.
int socket_answer(int family, int type) {
  const int fd = ::socket(family, type | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    ::close(fd);
    return 1;
  }
  return errno == EACCES ? 0 : 2;
}

}  // namespace

TEST_CASE("the socket filter refuses every socket family but AF_UNIX", "[grader][sandbox]") {
  const int refused = in_child([] {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || grader::install_socket_filter(false) != nullptr) return 100;
    int sockets[2];
    const bool unix_pair = ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) == 0;
    const bool io_uring_refused = ::syscall(SYS_io_uring_setup, 1, nullptr) < 0 && errno == ENOSYS;
    return (socket_answer(AF_INET, SOCK_STREAM) == 0 ? 1 : 0) | (socket_answer(AF_INET6, SOCK_DGRAM) == 0 ? 2 : 0) |
           (socket_answer(AF_NETLINK, SOCK_RAW) == 0 ? 4 : 0) | (unix_pair ? 8 : 0) | (io_uring_refused ? 16 : 0);
  });
  CHECK(refused == 31);
  const int with_tcp = in_child([] {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || grader::install_socket_filter(true) != nullptr) return 100;
    return (socket_answer(AF_INET, SOCK_STREAM) == 1 ? 1 : 0) | (socket_answer(AF_INET6, SOCK_STREAM) == 1 ? 2 : 0) |
           (socket_answer(AF_INET, SOCK_DGRAM) == 0 ? 4 : 0);
  });
  CHECK(with_tcp == 7);
}

TEST_CASE("without bubblewrap Landlock lets a run read the system and its scratch and nothing else", "[grader][sandbox]") {
  if (grader::landlock_abi() == 0) {
    WARN("this kernel has no Landlock: not checked");
    return;
  }
  // A world-readable secret outside the run's view, as a second instructor tree would be.
  const auto outside = std::filesystem::temp_directory_path() / ("parlab-outside-" + std::to_string(::getpid()));
  std::filesystem::create_directories(outside);
  ::chmod(outside.c_str(), 0755);
  grader::write_file_atomically(outside / "secret.txt", "HIDDEN-TEXT\n");
  ::chmod((outside / "secret.txt").c_str(), 0644);
  PlainSandbox sandbox;
  const grader::SandboxResult run = sandbox.run(
      {"/bin/sh", "-c", "cat " + (outside / "secret.txt").string() + "; echo written > mine.txt && cat mine.txt; cat /etc/os-release | head -1"}, {});
  grader::remove_tree_quietly(outside);
  INFO(run.output);
  CHECK(run.setup_failure.empty());
  CHECK_FALSE(grader::contains(run.output, "HIDDEN-TEXT"));
  CHECK(grader::contains(run.output, "Permission denied"));
  CHECK(grader::contains(run.output, "written"));
  CHECK(grader::contains(run.output, "NAME="));
}

TEST_CASE("without bubblewrap Landlock refuses TCP unless the run asks for its loopback", "[grader][sandbox]") {
  if (grader::landlock_abi() < 4) {
    WARN("this kernel's Landlock cannot refuse TCP: not checked");
    return;
  }
  const auto scratch = std::filesystem::temp_directory_path();
  auto bind_answer = [&](bool allow_tcp) {
    return in_child([&] {
      grader::ViewSpec view;
      view.scratch = scratch;
      grader::UniqueFd ruleset = grader::landlock_ruleset_for(view, allow_tcp);
      if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || grader::enter_landlock(ruleset.release()) != nullptr) return 100;
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) return 101;
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      const int bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
      return bound == 0 ? 1 : errno == EACCES ? 0 : 2;
    });
  };
  CHECK(bind_answer(false) == 0);
  CHECK(bind_answer(true) == 1);
}

TEST_CASE("a network namespace sandbox has its loopback up for a test server on 127.0.0.1", "[grader][sandbox]") {
  grader::Isolation isolation;
  try {
    isolation = grader::probe_isolation("network-namespace");
  } catch (const std::exception& e) {
    WARN("no network namespace here: not checked (" << e.what() << ")");
    return;
  }
  const auto root = std::filesystem::temp_directory_path() / ("parlab-netns-units-" + std::to_string(::getpid()));
  grader::Sandbox sandbox(isolation, grader::SandboxPaths{root, "/proc/self/exe"}, 1);
  grader::SandboxRequest request;
  // Port 1 has no listener: a loopback that is up refuses the connection, one that is down
  // leaves the network unreachable.
  request.argv = {"/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/1"};
  request.loopback_tcp = true;
  const grader::SandboxResult run = sandbox.run(request);
  grader::remove_tree_quietly(root);
  INFO(run.output);
  CHECK(run.setup_failure.empty());
  CHECK(grader::contains(run.output, "Connection refused"));
  CHECK_FALSE(grader::contains(run.output, "unreachable"));
}
