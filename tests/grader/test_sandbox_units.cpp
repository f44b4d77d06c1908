// Each set-up step of a sandbox run is checked: when one fails before the program can
// start, the verdict names the call and the reason instead of a generic exit status.
#include <filesystem>
#include <string>

#include <unistd.h>

#include "channel.hpp"
#include "parlab_test/catch.hpp"
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
