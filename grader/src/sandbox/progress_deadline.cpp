#include "sandbox/progress_deadline.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

#include "sandbox/process_table.hpp"

namespace grader {

namespace {

// A stat file of /proc from field 3 on: what follows the parenthesised command name, which
// may hold spaces. Empty when the process or thread is gone.
std::string fields_after_name(const std::filesystem::path& stat_file) {
  std::ifstream in(stat_file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  return close == std::string::npos ? std::string() : text.substr(close + 1);
}

// utime + stime + cutime + cstime of one process, in seconds (fields 14-17 of /proc/PID/stat).
double cpu_seconds_of(pid_t pid) {
  std::istringstream fields(fields_after_name("/proc/" + std::to_string(pid) + "/stat"));
  std::string skip;
  for (int field = 3; field <= 13; ++field) fields >> skip;
  long long ticks = 0, total = 0;
  for (int field = 14; field <= 17 && fields >> ticks; ++field) total += ticks;
  return static_cast<double>(total) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// The state letter of /proc/PID/task/TID/stat (field 3).
char state_of(const std::filesystem::path& stat_file) {
  const std::string fields = fields_after_name(stat_file);
  return fields.size() < 2 ? '?' : fields[1];
}

// A thread in state R is running or waiting for a CPU: it computes, however little of a core
// a busy machine gives it. A deadlock, a blocked read or a forgotten join sleeps (S, D).
bool has_runnable_thread(pid_t pid) {
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
    if (state_of(task.path() / "stat") == 'R') return true;
  }
  return false;
}

constexpr std::chrono::seconds sample_interval{1};

// `root` and every process below it, from one reading of the process table.
std::vector<pid_t> processes_of_tree(pid_t root) {
  std::vector<pid_t> tree = descendants_of(read_process_table(), root);
  tree.insert(tree.begin(), root);
  return tree;
}

double cpu_seconds_of(const std::vector<pid_t>& processes) {
  double total = 0;
  for (const pid_t p : processes) total += cpu_seconds_of(p);
  return total;
}

}  // namespace

double cpu_seconds_of_tree(pid_t root) { return cpu_seconds_of(processes_of_tree(root)); }

ProgressDeadline::ProgressDeadline(std::chrono::steady_clock::time_point started, std::chrono::milliseconds timeout,
                                   pid_t root)
    : timeout_at_(started + timeout), hard_end_(started + timeout * busy_stretch), next_sample_(timeout_at_),
      root_(root) {}

bool ProgressDeadline::expired(std::chrono::steady_clock::time_point now, std::string_view channel) {
  if (now < timeout_at_) return false;
  if (now >= hard_end_) return true;
  // One of the listener's records; a forged one only buys the test its own time.
  if (channel.find("\"event\":\"case_ended\"") != std::string_view::npos) return false;
  if (now < next_sample_) return false;
  const std::vector<pid_t> tree = processes_of_tree(root_);
  const double cpu = cpu_seconds_of(tree);
  const double interval = std::chrono::duration<double>(sample_interval).count();
  const bool first_sample = last_cpu_seconds_ < 0;
  // CPU used over the last second, or (on a machine so busy that the case got less than
  // that) a thread that is runnable now.
  const bool computing = cpu - last_cpu_seconds_ >= min_cpu_share * interval ||
                         std::any_of(tree.begin(), tree.end(), has_runnable_thread);
  last_cpu_seconds_ = cpu;
  next_sample_ = now + sample_interval;
  return !first_sample && !computing;
}

std::chrono::milliseconds ProgressDeadline::until_next_check(std::chrono::steady_clock::time_point now) const {
  const auto next = now < timeout_at_ ? timeout_at_ : next_sample_;
  return std::chrono::duration_cast<std::chrono::milliseconds>(next > now ? next - now : std::chrono::milliseconds(0));
}

}  // namespace grader
