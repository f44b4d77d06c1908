#include "util/command.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/unique_fd.hpp"

extern char** environ;

namespace grader {

namespace {

std::vector<char*> as_argv(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Reaps the child when the caller leaves early (an exception): no zombie stays behind.
class ReapGuard {
 public:
  explicit ReapGuard(pid_t pid) : pid_(pid) {}
  ~ReapGuard() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
  ReapGuard(const ReapGuard&) = delete;
  ReapGuard& operator=(const ReapGuard&) = delete;
  int wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_;
};

// Reads what the command prints (up to the cap) until every writer is gone, calling the
// heartbeat on time. False when the timeout came first.
bool collect_output(int fd, std::chrono::steady_clock::time_point started, const CommandOptions& options,
                    std::string& output) {
  const auto deadline = started + options.timeout;
  auto next_heartbeat = started + options.heartbeat_every;
  // What the heartbeat hears: the latest output, kept past the cap, so that a build whose
  // warnings filled the cap still reports its latest step.
  constexpr std::size_t tail_bytes = 64 << 10;
  std::string tail;
  char buffer[65536];
  while (true) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    if (options.heartbeat && now >= next_heartbeat) {
      options.heartbeat(tail, std::chrono::duration<double>(now - started).count());
      next_heartbeat = now + options.heartbeat_every;
    }
    const auto wake_at = options.heartbeat ? std::min(deadline, next_heartbeat) : deadline;
    const auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake_at - now).count();
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(std::clamp<long long>(wait_ms, 1, 1000)));
    if (ready <= 0) continue;  // nothing yet, or EINTR
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;  // every writer is gone
    if (output.size() < options.output_cap) {
      output.append(buffer, std::min(static_cast<std::size_t>(n), options.output_cap - output.size()));
    }
    if (options.heartbeat) {
      tail.append(buffer, static_cast<std::size_t>(n));
      if (tail.size() > 2 * tail_bytes) tail.erase(0, tail.size() - tail_bytes);
    }
  }
}

}  // namespace

bool program_exists(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0;
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

CommandResult run_command(const std::vector<std::string>& argv_in, const CommandOptions& options) {
  if (argv_in.empty()) throw std::invalid_argument("run_command: empty argv");
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv = as_argv(args);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const auto& extra : options.extra_environment) env_strings.push_back(extra);
  std::vector<char*> envp = as_argv(env_strings);
  const std::string cwd = options.working_directory.string();

  Pipe output = make_pipe();
  Pipe exec_error = make_pipe();  // carries errno when execvp fails
  UniqueFd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));

  const auto started = std::chrono::steady_clock::now();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    // Child: only async-signal-safe calls from here to exec.
    ::setpgid(0, 0);
    // When the grader dies (even by SIGKILL) its helpers die too: no orphan keeps building
    // or grading for nobody. The check after it covers a parent that died just before.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(dev_null.get(), 0);
    ::dup2(output.write_end.get(), 1);
    ::dup2(output.write_end.get(), 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
      const int err = errno;
      (void)!::write(exec_error.write_end.get(), &err, sizeof err);
      ::_exit(127);
    }
    environ = envp.data();
    ::execvp(argv[0], argv.data());
    const int err = errno;
    (void)!::write(exec_error.write_end.get(), &err, sizeof err);
    ::_exit(127);
  }
  ReapGuard guard(pid);
  output.write_end.reset();
  exec_error.write_end.reset();

  int exec_errno = 0;
  if (::read(exec_error.read_end.get(), &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
    guard.wait();
    throw std::runtime_error("cannot run " + args[0] + ": " + std::strerror(exec_errno));
  }

  CommandResult result;
  result.timed_out = !collect_output(output.read_end.get(), started, options, result.output);
  if (result.timed_out) ::kill(-pid, SIGKILL);
  const int status = guard.wait();
  ::kill(-pid, SIGKILL);  // anything it left running in its group
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace grader
