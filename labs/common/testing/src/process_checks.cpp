#include "parlab_test/process_checks.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

#include "parlab/fd.hpp"

namespace parlab_test {
namespace fs = std::filesystem;

std::vector<OpenFd> open_fds() {
  std::vector<OpenFd> result;
  std::error_code ec;
  // Collect names first: the directory iterator holds an fd of its own while it runs.
  std::vector<int> fds;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd", ec)) {
    fds.push_back(std::stoi(entry.path().filename().string()));
  }
  for (int fd : fds) {
    std::error_code link_ec;
    const auto target = fs::read_symlink("/proc/self/fd/" + std::to_string(fd), link_ec);
    if (link_ec) continue;  // the iterator's own fd, closed by now
    result.push_back({fd, target.string()});
  }
  std::sort(result.begin(), result.end(), [](const OpenFd& a, const OpenFd& b) { return a.fd < b.fd; });
  return result;
}

std::vector<ChildInfo> child_processes() {
  std::vector<ChildInfo> result;
  const pid_t self = ::getpid();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // Format: pid (comm) state ppid ... ; comm may contain spaces and parentheses.
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = '?';
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == self) result.push_back({static_cast<pid_t>(std::stol(name)), state});
  }
  return result;
}

ResourceSnapshot::ResourceSnapshot() : fds_(open_fds()), children_(child_processes()) {}

std::string ResourceSnapshot::leaks(int grace_ms) const {
  std::ostringstream out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  std::vector<ChildInfo> extra_children;
  do {
    extra_children.clear();
    for (const auto& c : child_processes()) {
      const bool old = std::any_of(children_.begin(), children_.end(),
                                   [&](const ChildInfo& o) { return o.pid == c.pid; });
      if (!old) extra_children.push_back(c);
    }
    // A zombie stays a zombie until someone reaps it: waiting will not help.
    const bool only_zombies = std::all_of(extra_children.begin(), extra_children.end(),
                                          [](const ChildInfo& c) { return c.state == 'Z'; });
    if (extra_children.empty() || only_zombies) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);

  for (const auto& c : extra_children) {
    if (c.state == 'Z') {
      out << "child process " << c.pid << " ended but was never reaped (a zombie: call waitpid)\n";
    } else {
      out << "child process " << c.pid << " is still running (state " << c.state
          << "): every child must be waited for before the function returns\n";
    }
  }
  for (const auto& fd : open_fds()) {
    const bool old = std::any_of(fds_.begin(), fds_.end(),
                                 [&](const OpenFd& o) { return o.fd == fd.fd && o.target == fd.target; });
    if (!old) out << "file descriptor " << fd.fd << " (" << fd.target << ") was opened and never closed\n";
  }
  return out.str();
}

ChildRun run_in_child(const std::function<std::string()>& body) {
  auto pipe = parlab::Pipe::create();
  auto child = parlab::ChildProcess::fork([&]() -> int {
    pipe.read_end.reset();
    const std::string out = body();
    parlab::write_all(pipe.write_end.get(), std::as_bytes(std::span(out.data(), out.size())));
    return 0;
  });
  pipe.write_end.reset();
  std::string output;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(pipe.read_end.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buffer, static_cast<std::size_t>(n));
  }
  return {child.wait(), std::move(output)};
}

void limit_cpu_seconds(unsigned seconds) {
  const rlimit cpu{seconds, seconds + 1};
  const rlimit no_core{0, 0};
  if (::setrlimit(RLIMIT_CPU, &cpu) != 0 || ::setrlimit(RLIMIT_CORE, &no_core) != 0) {
    throw std::runtime_error("test setup: setrlimit(RLIMIT_CPU / RLIMIT_CORE) failed");
  }
}

}  // namespace parlab_test
