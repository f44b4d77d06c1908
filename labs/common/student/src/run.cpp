#include "run.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"

namespace parlab::student {
namespace {

// The channel's fd number inside the test process.
constexpr int kChannelFd = 3;

std::vector<char*> c_argv(std::vector<std::string>& args) {
  std::vector<char*> out;
  for (auto& a : args) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

std::string make_nonce() {
  std::random_device rd;
  std::ostringstream out;
  out << std::hex << rd() << rd();
  return out.str();
}

std::string describe_failure(const nlohmann::json& record) {
  std::ostringstream out;
  out << record.value("file", "?") << ':' << record.value("line", 0) << ": ";
  std::string expression = record.value("expression", "");
  // Catch2's placeholder when an exception escaped after the last assertion: no help.
  if (expression.starts_with("{Unknown")) expression.clear();
  if (!expression.empty()) {
    out << expression;
    const std::string expansion = record.value("expansion", "");
    if (!expansion.empty() && expansion != expression) out << "\n      with expansion: " << expansion;
  }
  const std::string message = record.value("message", "");
  if (!message.empty()) out << (expression.empty() ? "" : "\n      ") << message;
  const std::string info = record.value("info", "");
  if (!info.empty() && info != message) out << "\n      with: " << info;
  return out.str();
}

}  // namespace

bool TestRun::all_passed() const {
  if (!finished || cases.empty()) return false;
  for (const auto& c : cases) {
    if (!c.passed) return false;
  }
  return true;
}

CommandResult run_command(const std::vector<std::string>& argv) {
  auto pipe = Pipe::create();
  auto child = ChildProcess::fork([&]() -> int {
    ::dup2(pipe.write_end.get(), STDOUT_FILENO);
    ::dup2(pipe.write_end.get(), STDERR_FILENO);
    auto args = argv;
    auto cargs = c_argv(args);
    ::execvp(cargs[0], cargs.data());
    std::fprintf(stderr, "cannot run %s: %s\n", cargs[0], std::strerror(errno));
    return 127;
  });
  pipe.write_end.reset();
  CommandResult result;
  result.output = read_all(pipe.read_end.get());
  const ExitStatus status = child.wait();
  result.exit_code = status.exited ? status.code : 128 + status.signal;
  return result;
}

CommandResult build_target(const Course& course, const std::string& target) {
  return run_command({"cmake", "--build", course.build_dir.string(), "--target", target});
}

TestRun run_visible_tests(const Course& course, const Lab& lab, const std::string& tag, bool show_output) {
  const std::string executable = (course.build_dir / lab.visible_target()).string();
  const std::string nonce = make_nonce();
  auto channel = Pipe::create();
  auto child = ChildProcess::fork([&]() -> int {
    channel.read_end.reset();
    // The listener finds the channel at a fixed fd number; dup2 also clears close-on-exec.
    if (::dup2(channel.write_end.get(), kChannelFd) < 0) return 126;
    if (!show_output) {
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
    }
    ::setenv("PARLAB_RESULT_FD", std::to_string(kChannelFd).c_str(), 1);
    ::setenv("PARLAB_RESULT_NONCE", nonce.c_str(), 1);
    std::vector<std::string> args{executable};
    if (!tag.empty()) args.push_back(tag);
    auto cargs = c_argv(args);
    ::execv(cargs[0], cargs.data());
    std::fprintf(stderr, "cannot run %s: %s (build it first)\n", cargs[0], std::strerror(errno));
    return 127;
  });
  channel.write_end.reset();

  TestRun run;
  std::istringstream lines(read_all(channel.read_end.get()));
  std::string line;
  while (std::getline(lines, line)) {
    const auto record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded()) continue;
    const std::string event = record.value("event", "");
    if (event == "case_started") {
      run.cases.push_back({record.value("name", ""), false, {}});
    } else if (event == "assertion_failed" && !run.cases.empty()) {
      run.cases.back().failures.push_back(describe_failure(record));
    } else if (event == "case_ended" && !run.cases.empty()) {
      run.cases.back().passed = record.value("passed", false) && record.value("nonce", "") == nonce;
    } else if (event == "run_ended") {
      run.finished = record.value("nonce", "") == nonce;
    }
  }
  const ExitStatus status = child.wait();
  run.process_status = status.describe();
  // A case that started but never ended was cut short by a crash, an exit() or a hang.
  if (!status.exited) run.finished = false;
  return run;
}

}  // namespace parlab::student
