#include "sandbox/sandbox.hpp"

#include <algorithm>
#include <optional>
#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "sandbox/hang_backtrace.hpp"
#include "sandbox/landlock.hpp"
#include "sandbox/memory_usage.hpp"
#include "sandbox/process_table.hpp"
#include "sandbox/progress_deadline.hpp"
#include "sandbox/sandbox_exec.hpp"
#include "sandbox/socket_filter.hpp"
#include "sandbox/view.hpp"
#include "util/command.hpp"
#include "util/files.hpp"
#include "util/text.hpp"
#include "util/unique_fd.hpp"

namespace grader {

namespace {

// Stack size of the test's threads (and of its main thread); see RLIMIT_STACK below.
constexpr rlim_t thread_stack_bytes = rlim_t{4} << 20;

constexpr std::size_t output_head_bytes = 48 * 1024;
constexpr std::size_t output_tail_bytes = 16 * 1024;
constexpr std::size_t channel_cap_bytes = 4 << 20;
constexpr int channel_fd_in_child = 3;
// Each grader reserves a block of this many uids: its pool starts with concurrent runs + 2 of
// them and takes more only in place of a uid it retired.
constexpr std::size_t uid_block_size = 64;
constexpr int status_fd_in_child = 4;  // bubblewrap only: the helper's report of the exit status
constexpr int nonce_fd_in_child = 5;   // the result channel's nonce, read and closed by the listener

// Pids of programs a grader thread is waiting for: the zombie reaper must leave them alone.
std::mutex active_children_mutex;
std::set<pid_t> active_children;

class ActiveChild {
 public:
  explicit ActiveChild(pid_t pid) : pid_(pid) {
    std::lock_guard lock(active_children_mutex);
    active_children.insert(pid_);
  }
  ~ActiveChild() {
    std::lock_guard lock(active_children_mutex);
    active_children.erase(pid_);
  }
  ActiveChild(const ActiveChild&) = delete;
  ActiveChild& operator=(const ActiveChild&) = delete;

 private:
  pid_t pid_;
};

void reap_orphans() {
  std::set<pid_t> keep;
  {
    std::lock_guard lock(active_children_mutex);
    keep = active_children;
  }
  reap_adopted_zombies(keep);
}

std::vector<char*> as_c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Keeps the start and the end of a stream: the first error and the last words both matter.
class CappedOutput {
 public:
  void append(const char* data, std::size_t size) {
    total_ += size;
    const std::size_t to_head = std::min(size, output_head_bytes - std::min(output_head_bytes, head_.size()));
    head_.append(data, to_head);
    if (to_head < size) {
      tail_.append(data + to_head, size - to_head);
      if (tail_.size() > 2 * output_tail_bytes) tail_.erase(0, tail_.size() - output_tail_bytes);
    }
  }
  [[nodiscard]] std::uint64_t total() const { return total_; }
  [[nodiscard]] std::string text() const {
    if (tail_.empty()) return head_;
    const std::string_view tail = std::string_view(tail_).substr(tail_.size() > output_tail_bytes ? tail_.size() - output_tail_bytes : 0);
    const std::uint64_t skipped = total_ - head_.size() - tail.size();
    if (skipped == 0) return head_ + std::string(tail);
    return head_ + fmt::format("\n[... {} not shown ...]\n", human_bytes(skipped)) + std::string(tail);
  }

 private:
  std::string head_, tail_;
  std::uint64_t total_ = 0;
};

// Reads what is available now; returns false at end of file.
bool drain_available(int fd, std::string* into, CappedOutput* capped, std::size_t cap) {
  char buffer[65536];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      const auto size = static_cast<std::size_t>(n);
      if (capped != nullptr) capped->append(buffer, size);
      if (into != nullptr && into->size() < cap) into->append(buffer, std::min(size, cap - into->size()));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return true;  // EAGAIN: nothing more for now
  }
}

// Everything the forked child needs, prepared before fork().
struct ChildPlan {
  int stdin_fd = -1, output_fd = -1, channel_fd = -1, status_fd = -1, nonce_fd = -1;
  SandboxLimits limits;
  bool through_bwrap = false;
  bool unshare_network = false;
  int landlock_fd = -1;   // without bubblewrap: the allow-list to enter (landlock.hpp), or -1
  bool loopback_tcp = false;
  const char* scratch = nullptr;
  char** argv = nullptr;
  char** envp = nullptr;
  PrivilegeDrop drop;
};

// The child's set-up steps below run between fork() and exec(): async-signal-safe calls
// only. Each returns the call that failed (errno says why), or nullptr when it succeeded.

const char* set_limit(int resource, const char* call, rlim_t soft, rlim_t hard) noexcept {
  const rlimit limit{soft, hard};
  return ::setrlimit(resource, &limit) == 0 ? nullptr : call;
}

// Puts the pipes where the program expects them: stdin, stdout and stderr, the result
// channel at 3, the status pipe at 4, the nonce at 5. `report` follows the status pipe.
const char* place_fds(const ChildPlan& plan, int& report) noexcept {
  constexpr int count = 6;
  const int sources[count] = {plan.stdin_fd, plan.output_fd, plan.output_fd, plan.channel_fd, plan.status_fd, plan.nonce_fd};
  const int targets[count] = {0, 1, 2, channel_fd_in_child, status_fd_in_child, nonce_fd_in_child};
  const char* const calls[count] = {"dup2 stdin", "dup2 stdout", "dup2 stderr", "dup2 result channel", "dup2 status pipe", "dup2 nonce pipe"};
  // Move the pipes above the target numbers first, so that no dup2 below overwrites a
  // source that is still to be copied.
  int moved[count];
  for (int i = 0; i < count; ++i) {
    moved[i] = sources[i] >= 0 ? ::fcntl(sources[i], F_DUPFD, 10) : -1;
    if (sources[i] >= 0 && moved[i] < 0) return "fcntl F_DUPFD";
    if (i == 4 && moved[i] >= 0) report = moved[i];
  }
  for (int i = 0; i < count; ++i) {
    if (moved[i] >= 0 && ::dup2(moved[i], targets[i]) < 0) return calls[i];
    if (i == 4 && moved[i] >= 0) report = status_fd_in_child;
  }
  // Not an error when it is not open: the point is that the program finds nothing there.
  if (plan.channel_fd < 0) ::close(channel_fd_in_child);
  if (plan.status_fd < 0) ::close(status_fd_in_child);
  close_fds_from(nonce_fd_in_child + (plan.nonce_fd >= 0 ? 1 : 0));
  // Without bubblewrap no helper inherits the status pipe: a successful exec closes it.
  if (!plan.through_bwrap && plan.status_fd >= 0 && ::fcntl(status_fd_in_child, F_SETFD, FD_CLOEXEC) != 0) {
    return "fcntl FD_CLOEXEC on the status pipe";
  }
  return nullptr;
}

const char* apply_limits(const SandboxLimits& limits) noexcept {
  const char* failed = set_limit(RLIMIT_CORE, "setrlimit RLIMIT_CORE", 0, 0);
  // Soft limit sends SIGXCPU, the hard one a second later SIGKILL.
  if (failed == nullptr) failed = set_limit(RLIMIT_CPU, "setrlimit RLIMIT_CPU", limits.cpu_seconds, static_cast<rlim_t>(limits.cpu_seconds) + 1);
  if (failed == nullptr) failed = set_limit(RLIMIT_FSIZE, "setrlimit RLIMIT_FSIZE", limits.file_size, limits.file_size);
  if (failed == nullptr) failed = set_limit(RLIMIT_NOFILE, "setrlimit RLIMIT_NOFILE", limits.open_files, limits.open_files);
  if (failed == nullptr && limits.address_space > 0) {
    failed = set_limit(RLIMIT_AS, "setrlimit RLIMIT_AS", limits.address_space, limits.address_space);
  }
  // glibc gives every new thread a stack of RLIMIT_STACK (8 MiB by default) of address
  // space: 256 threads (lab 04 allows that many workers) would use the whole 2 GiB above.
  if (failed == nullptr) failed = set_limit(RLIMIT_STACK, "setrlimit RLIMIT_STACK", thread_stack_bytes, thread_stack_bytes);
  if (failed == nullptr && limits.nice > 0 && ::setpriority(PRIO_PROCESS, 0, limits.nice) != 0) failed = "setpriority";
  return failed;
}

// A new network namespace has its loopback down: lab 04's tests run a Redis server on
// 127.0.0.1, and a connect would find "network is unreachable". bubblewrap does the same.
const char* bring_loopback_up() noexcept {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "socket for the loopback";
  ifreq request{};
  std::memcpy(request.ifr_name, "lo", 3);
  bool up = ::ioctl(fd, SIOCGIFFLAGS, &request) == 0;
  if (up) {
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    up = ::ioctl(fd, SIOCSIFFLAGS, &request) == 0;
  }
  ::close(fd);
  return up ? nullptr : "ioctl SIOCSIFFLAGS lo up";
}

// Without bubblewrap the child isolates itself (bubblewrap's helper does this inside it).
const char* isolate_without_bwrap(const ChildPlan& plan) noexcept {
  if (plan.unshare_network) {
    if (::unshare(CLONE_NEWNET) != 0) return "unshare CLONE_NEWNET";
    if (const char* failed = bring_loopback_up()) return failed;
  }
  if (::chdir(plan.scratch) != 0) return "chdir into the scratch folder";
  if (const char* failed = drop_privileges(plan.drop)) return failed;
  if (const char* failed = install_socket_filter(plan.loopback_tcp)) return failed;
  // The grader died: so does the test.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return "prctl PR_SET_PDEATHSIG";
  return nullptr;
}

[[noreturn]] void child_enter_sandbox(const ChildPlan& plan) noexcept {
  int report = plan.status_fd;
  // Own session and process group: one kill(-pgid) reaches all that stayed in it.
  if (::setsid() < 0) fail_setup(report, "setsid");
  // Before the fds are placed (that closes the ruleset's): the allow-list binds every step
  // after it, the limits and the privilege drop included, and they open nothing outside it.
  if (plan.landlock_fd >= 0) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail_setup(report, "prctl PR_SET_NO_NEW_PRIVS");
    if (const char* failed = enter_landlock(plan.landlock_fd)) fail_setup(report, failed);
  }
  if (const char* failed = place_fds(plan, report)) fail_setup(report, failed);
  if (const char* failed = apply_limits(plan.limits)) fail_setup(report, failed);
  if (!plan.through_bwrap) {
    if (const char* failed = isolate_without_bwrap(plan)) fail_setup(report, failed);
  }
  ::execve(plan.argv[0], plan.argv, plan.envp);
  fail_setup(report, plan.through_bwrap ? "execve bwrap" : "execve");
}

// Memory and disk the run holds now; the ending when one is over its limit. The processes
// counted are those of its uid (a daemon that left the tree is still its), or without a uid
// of its own every descendant of the sandbox's first process.
std::optional<SandboxResult::Ending> measure_holdings(const std::vector<ProcessEntry>& table, pid_t pid, uid_t uid,
                                                      bool separate_uid, bool bwrap, const ViewSpec& view,
                                                      const SandboxLimits& limits, SandboxResult& result) {
  const std::vector<pid_t> processes = separate_uid ? living_processes_of(table, uid) : descendants_of(table, pid);
  std::uint64_t in_files = 0;
  if (bwrap) {
    // Any process inside the sandbox's mount namespace shows its tmpfs folders; bubblewrap's
    // outer process (the child itself) is still outside it.
    for (const pid_t p : descendants_of(table, pid)) {
      if ((in_files = tmpfs_used(p, writable_places(view), view.tmpfs_bytes)) > 0) break;
    }
  }
  if (!bwrap || !view.scratch_in_memory) in_files += disk_used(view.scratch);
  const std::uint64_t memory = memory_held(processes) + (bwrap ? in_files : 0);
  result.peak_memory = std::max(result.peak_memory, memory);
  result.peak_disk = std::max(result.peak_disk, in_files);
  // A private tmpfs is exactly as large as the quota: full is over.
  if (limits.disk > 0 && in_files + (64 << 10) >= limits.disk) return SandboxResult::Ending::disk_quota;
  if (limits.memory > 0 && memory > limits.memory) return SandboxResult::Ending::memory_limit;
  return std::nullopt;
}

// The parent's steps of one run, in order: scratch, view, environment, privileges, launch
// arguments, pipes, fork, watching, backtrace, the kill, draining and decoding the ending.

// The run's working folder: a fresh one removed at the end, or the caller's, kept.
class Scratch {
 public:
  Scratch(const SandboxRequest& request, const SandboxPaths& paths, bool separate_uid, uid_t uid)
      : path_(request.scratch.empty() ? paths.scratch_root / ("run-" + random_hex(8)) : request.scratch),
        owned_(request.scratch.empty()) {
    std::filesystem::create_directories(path_);
    ::chmod(path_.c_str(), 0700);
    if (separate_uid && ::chown(path_.c_str(), uid, static_cast<gid_t>(uid)) != 0) {
      const int error = errno;
      if (owned_) remove_tree_quietly(path_);
      throw std::system_error(error, std::generic_category(), "chown " + path_.string());
    }
  }
  ~Scratch() {
    if (owned_) remove_tree_quietly(path_);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  bool owned_;
};

ViewSpec view_of(const SandboxRequest& request, const std::filesystem::path& scratch, const std::filesystem::path& grader) {
  ViewSpec view;
  view.scratch = scratch;
  view.scratch_in_memory = request.scratch_in_memory;
  view.tmpfs_bytes = request.limits.disk > 0 ? request.limits.disk : request.limits.file_size;
  view.read_only = request.read_only;
  view.read_only.push_back(request.argv[0]);
  view.read_only.push_back(grader);
  return view;
}

// A minimal environment: nothing of the grader's (paths, tokens) reaches the test. Under
// bubblewrap, temporary files go to the sandbox's private /tmp: a tmpfs (lab 03 measures
// locks, not the disk: a rename on ext4 costs 0.3-1 ms) that vanishes with the sandbox.
std::vector<std::string> sandbox_environment(const SandboxRequest& request, const std::filesystem::path& scratch, bool bwrap) {
  const std::string temporary = bwrap ? std::string("/tmp") : scratch.string();
  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + scratch.string(),
                                  "TMPDIR=" + temporary, "LANG=C.UTF-8", "LC_ALL=C.UTF-8"};
  env.insert(env.end(), request.environment.begin(), request.environment.end());
  if (request.result_channel) {
    env.push_back(fmt::format("PARLAB_RESULT_FD={}", channel_fd_in_child));
    // Never in the environment: a pipe (written below) that the listener reads and closes.
    env.push_back(fmt::format("PARLAB_RESULT_NONCE_FD={}", nonce_fd_in_child));
  }
  return env;
}

// RLIMIT_NPROC counts every process of the real uid. With a uid of its own that is just
// the test's; otherwise the grader's user already has some, which the limit must allow.
PrivilegeDrop privilege_drop(const SandboxLimits& limits, bool separate_uid, uid_t uid) {
  PrivilegeDrop drop;
  drop.enabled = separate_uid;
  drop.uid = uid;
  drop.gid = static_cast<gid_t>(uid);
  drop.max_processes = limits.processes;
  if (!separate_uid && ::geteuid() != 0) {
    drop.max_processes += living_processes_of(read_process_table(), ::getuid()).size();
  }
  return drop;
}

// The command line the child executes: the program, or bubblewrap starting the grader's
// helper (which drops the privileges inside) that starts the program.
std::vector<std::string> launch_arguments(const SandboxRequest& request, const Isolation& isolation, const ViewSpec& view,
                                          const std::filesystem::path& grader, const PrivilegeDrop& drop) {
  std::vector<std::string> args;
  if (isolation.level == IsolationLevel::bubblewrap) {
    args = {isolation.bwrap, "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session"};
    const auto view_args = bubblewrap_view_arguments(view);
    args.insert(args.end(), view_args.begin(), view_args.end());
    args.insert(args.end(), {"--chdir", view.scratch.string(), "--", grader.string(), "__sandbox-exec",
                             std::to_string(drop.uid), std::to_string(drop.gid), std::to_string(drop.max_processes),
                             std::to_string(status_fd_in_child), "--"});
  }
  args.insert(args.end(), request.argv.begin(), request.argv.end());
  return args;
}

struct RunPipes {
  Pipe output, channel, status, nonce;
  UniqueFd dev_null;
};

RunPipes open_pipes(bool result_channel, const std::string& nonce) {
  RunPipes pipes;
  pipes.output = make_pipe();
  pipes.status = make_pipe();
  if (result_channel) {
    pipes.channel = make_pipe();
    pipes.nonce = make_pipe();
    // 32 bytes: far below a pipe's buffer, so this never blocks. Closing the write end
    // leaves the listener an ended pipe to read it from.
    if (::write(pipes.nonce.write_end.get(), nonce.data(), nonce.size()) != static_cast<ssize_t>(nonce.size())) {
      throw std::system_error(errno, std::generic_category(), "writing the nonce pipe");
    }
    pipes.nonce.write_end.reset();
  }
  pipes.dev_null = UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!pipes.dev_null.valid()) throw std::system_error(errno, std::generic_category(), "open /dev/null");
  return pipes;
}

// One run while it is watched: what the parent holds and has seen so far.
struct RunInProgress {
  explicit RunInProgress(const SandboxRequest& r) : request(r) {}
  const SandboxRequest& request;
  bool bwrap = false;
  bool separate_uid = false;
  uid_t uid = 0;
  ViewSpec view;
  UniqueFd landlock;  // without bubblewrap, where the kernel offers it
  RunPipes pipes;
  pid_t pid = -1;
  std::chrono::steady_clock::time_point started;
  CappedOutput captured;
  bool output_open = true, channel_open = false;
  bool reaped = false;
  bool stopped_early = false;
  int status = 0;
};

ChildPlan plan_child(const RunInProgress& run, const Isolation& isolation, const char* scratch, std::vector<char*>& argv,
                     std::vector<char*>& envp, const PrivilegeDrop& drop) {
  ChildPlan plan;
  plan.stdin_fd = run.pipes.dev_null.get();
  plan.output_fd = run.pipes.output.write_end.get();
  plan.channel_fd = run.request.result_channel ? run.pipes.channel.write_end.get() : -1;
  plan.status_fd = run.pipes.status.write_end.get();
  plan.nonce_fd = run.request.result_channel ? run.pipes.nonce.read_end.get() : -1;
  plan.limits = run.request.limits;
  plan.through_bwrap = run.bwrap;
  plan.unshare_network = isolation.level == IsolationLevel::network_namespace;
  plan.landlock_fd = run.landlock.get();
  plan.loopback_tcp = run.request.loopback_tcp;
  plan.scratch = scratch;
  plan.argv = argv.data();
  plan.envp = envp.data();
  plan.drop = run.bwrap ? PrivilegeDrop{} : drop;  // under bubblewrap the helper drops them
  return plan;
}

// After fork: the parent keeps only the read ends, and never blocks on them.
void keep_read_ends(RunInProgress& run) {
  run.pipes.output.write_end.reset();
  run.pipes.channel.write_end.reset();
  run.pipes.status.write_end.reset();
  run.pipes.nonce.read_end.reset();
  set_nonblocking(run.pipes.output.read_end.get());
  set_nonblocking(run.pipes.status.read_end.get());
  run.channel_open = run.pipes.channel.read_end.valid();
  if (run.channel_open) set_nonblocking(run.pipes.channel.read_end.get());
}

void read_pipes(RunInProgress& run, SandboxResult& result) {
  if (run.output_open) run.output_open = drain_available(run.pipes.output.read_end.get(), nullptr, &run.captured, 0);
  if (run.channel_open) {
    run.channel_open = drain_available(run.pipes.channel.read_end.get(), &result.channel, nullptr, channel_cap_bytes);
  }
}

void wait_for_pipes(const RunInProgress& run, int wait_ms) {
  pollfd fds[2];
  nfds_t count = 0;
  if (run.output_open) fds[count++] = {run.pipes.output.read_end.get(), POLLIN, 0};
  if (run.channel_open) fds[count++] = {run.pipes.channel.read_end.get(), POLLIN, 0};
  if (count > 0) {
    ::poll(fds, count, wait_ms);
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  }
}

// The tasks counted from /proc lag the kernel's count by the processes forked or ended
// during the reading: two of slack.
bool at_process_limit(unsigned tasks, const SandboxLimits& limits) { return tasks + 2 >= limits.processes; }

// The /proc sample: processes, memory and disk against their limits.
std::optional<SandboxResult::Ending> sample_processes(const RunInProgress& run, SandboxResult& result) {
  const auto table = read_process_table();
  // RLIMIT_NPROC counts threads too: at the limit, fork() and thread creation fail.
  if (run.separate_uid) {
    const unsigned tasks = tasks_of(table, run.uid);
    result.peak_processes = std::max(result.peak_processes, tasks);
    if (at_process_limit(tasks, run.request.limits)) return SandboxResult::Ending::process_limit;
  }
  return measure_holdings(table, run.pid, run.uid, run.separate_uid, run.bwrap, run.view, run.request.limits, result);
}

// A case at its deadline gets one last sample: a fork bomb that filled its allowance since
// the previous one is a process-limit case, and the limit, not "a loop?", is what the student
// needs to hear.
SandboxResult::Ending ending_at_deadline(const RunInProgress& run, SandboxResult& result) {
  if (const auto ending = sample_processes(run, result)) return *ending;
  return SandboxResult::Ending::timed_out;
}

// Reads the program's output until it ends (then it is reaped) or must be stopped (the
// ending that stops it is returned).
std::optional<SandboxResult::Ending> watch_until_end(RunInProgress& run, SandboxResult& result) {
  ProgressDeadline deadline(run.started, run.request.limits.wall, run.pid);
  auto next_sample = run.started, next_fast_count = run.started;
  while (true) {
    // The limits first, the process limit by its fast count: beside two fork bombs one full
    // /proc sample took 1-6 s (the grader got little CPU), and a case whose sample read 507 of
    // 512 went unseen until its deadline. Every 20 ms at most: a test that prints without
    // pause wakes this loop at every write.
    if (const auto now = std::chrono::steady_clock::now(); run.separate_uid && now >= next_fast_count) {
      if (at_process_limit(tasks_owned_by(run.uid), run.request.limits)) {
        result.peak_processes = std::max(result.peak_processes, run.request.limits.processes);
        return SandboxResult::Ending::process_limit;
      }
      next_fast_count = now + std::chrono::milliseconds(20);
    }
    if (const auto sample_start = std::chrono::steady_clock::now(); sample_start >= next_sample) {
      if (const auto ending = sample_processes(run, result)) return ending;
      // Every 100 ms, or four times as long as the sample took: a slow sample (hundreds of
      // processes on a starved CPU) must leave the loop time for the fast count and the pipes.
      const auto sample_end = std::chrono::steady_clock::now();
      next_sample = sample_end + std::max<std::chrono::steady_clock::duration>(std::chrono::milliseconds(100),
                                                                             4 * (sample_end - sample_start));
    }
    const auto now = std::chrono::steady_clock::now();
    if (deadline.expired(now, result.channel)) return ending_at_deadline(run, result);
    const auto left_ms = deadline.until_next_check(now).count();
    wait_for_pipes(run, static_cast<int>(std::clamp<long long>(left_ms, 0, 50)));
    read_pipes(run, result);
    if (run.captured.total() > run.request.limits.output_bytes) return SandboxResult::Ending::output_limit;
    if (::waitpid(run.pid, &run.status, WNOHANG) == run.pid) {
      run.reaped = true;
      return std::nullopt;
    }
  }
}

// The test process and the children it forked: the processes of the sandbox uid, or without
// a uid of its own, the child and its descendants. `limit`: how many of them gdb asks.
void take_backtraces(const RunInProgress& run, SandboxResult& result, std::size_t limit) {
  const auto table = read_process_table();
  std::vector<pid_t> candidates = run.separate_uid ? living_processes_of(table, run.uid) : descendants_of(table, run.pid);
  if (!run.bwrap && !run.separate_uid) candidates.insert(candidates.begin(), run.pid);
  if (!candidates.empty()) result.backtrace = backtraces_of_processes(candidates, run.request.argv.front(), limit);
}

// End everything: the process group, then every descendant, then (with a uid of its own)
// every process of that uid, which also finds daemons that escaped with setsid().
void end_every_process(RunInProgress& run, SandboxResult& result) {
  ::kill(-run.pid, SIGKILL);
  for (const pid_t p : descendants_of(read_process_table(), run.pid)) ::kill(p, SIGKILL);
  ::kill(run.pid, SIGKILL);
  if (run.separate_uid) result.killed_at_end = kill_every_process_of_uid(run.uid, std::chrono::seconds(5));
  if (!run.reaped) {
    while (::waitpid(run.pid, &run.status, 0) < 0 && errno == EINTR) {
    }
  }
}

// Everything that could write is dead now: read what is left in the pipes.
void drain_after_end(RunInProgress& run, SandboxResult& result) {
  const auto drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while ((run.output_open || run.channel_open) && std::chrono::steady_clock::now() < drain_deadline) {
    read_pipes(run, result);
    if (run.output_open || run.channel_open) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.output = run.captured.text();
  result.output_bytes = run.captured.total();
}

// How the program ended. The status pipe holds a set-up step's failure, if one failed,
// and under bubblewrap the helper's report of the program's own wait status; without
// that report (the helper could not start the program) bubblewrap's exit code has to do.
void decode_ending(RunInProgress& run, SandboxResult& result) {
  StatusRecord record;
  while (::read(run.pipes.status.read_end.get(), &record, sizeof record) == sizeof record) {
    if (record.failed_call[0] != '\0' && result.setup_failure.empty()) {
      result.setup_failure = fmt::format("{}: {}", record.failed_call, std::strerror(record.error));
    } else if (record.failed_call[0] == '\0' && run.bwrap) {
      run.status = record.wait_status;
    }
  }
  if (run.stopped_early) return;
  if (WIFEXITED(run.status)) {
    result.ending = SandboxResult::Ending::exited;
    result.exit_code = WEXITSTATUS(run.status);
  } else if (WIFSIGNALED(run.status)) {
    result.ending = SandboxResult::Ending::signaled;
    result.signal = WTERMSIG(run.status);
  }
}

// The kernel counts a task against its uid's RLIMIT_NPROC until it is reaped: the killed
// processes of a fork bomb, reparented to the grader, must be reaped before the uid serves
// the next case, or that case starts with hundreds of its allowance used and fails to fork
// or start a thread. Bounded: false when the uid still holds tasks after 10 s (a process
// stuck in uninterruptible sleep); the caller then retires the uid instead of pooling it.
bool wait_until_uid_is_free(uid_t uid) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (tasks_owned_by(uid) > 0) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    reap_orphans();
  }
  return true;
}

}  // namespace

void become_child_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

void end_adopted_orphans() {
  std::set<pid_t> keep;
  {
    std::lock_guard lock(active_children_mutex);
    keep = active_children;
  }
  const auto table = read_process_table();
  for (const auto& entry : table) {
    if (entry.parent != ::getpid() || keep.count(entry.pid) != 0 || entry.state == 'Z') continue;
    for (const pid_t p : descendants_of(table, entry.pid)) ::kill(p, SIGKILL);
    ::kill(entry.pid, SIGKILL);
  }
  reap_orphans();
  // The killed ones are zombies now, or soon: reap those too.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  reap_orphans();
}

class Sandbox::UidLease {
 public:
  UidLease(Sandbox& sandbox, bool wanted) : sandbox_(sandbox), uid_(wanted ? sandbox.acquire_uid() : 0), held_(wanted) {}
  ~UidLease() {
    if (held_) sandbox_.release_uid(uid_);
  }
  UidLease(const UidLease&) = delete;
  UidLease& operator=(const UidLease&) = delete;
  [[nodiscard]] uid_t uid() const { return uid_; }
  // The uid is never handed out again (the pool takes a fresh one of its block instead).
  void retire() { held_ = false; }

 private:
  Sandbox& sandbox_;
  uid_t uid_;
  bool held_;
};

Sandbox::Sandbox(Isolation isolation, SandboxPaths paths, unsigned concurrent_runs)
    : isolation_(std::move(isolation)), paths_(std::move(paths)), uid_in_use_(concurrent_runs + 2, false) {
  gdb_available_ = program_exists("gdb");
  std::filesystem::create_directories(paths_.scratch_root);
  ::chmod(paths_.scratch_root.c_str(), 0755);
  if (isolation_.separate_uid) {
    // A block of uids no account and no process uses, picked at random so that graders
    // running side by side do not share one (killing "every process of the uid" must
    // never reach someone else's).
    std::random_device random;
    const auto table = read_process_table();
    for (int attempt = 0; attempt < 100; ++attempt) {
      const uid_t candidate = 2'000'000 + static_cast<uid_t>(random() % 1'000'000 * uid_block_size);
      const bool busy = std::any_of(table.begin(), table.end(), [&](const ProcessEntry& e) {
        return e.uid >= candidate && e.uid < candidate + uid_block_size;
      });
      if (!busy) {
        first_uid_ = candidate;
        break;
      }
    }
    if (first_uid_ == 0) throw std::runtime_error("cannot find a free uid range for the sandbox");
  }
}

uid_t Sandbox::acquire_uid() {
  std::lock_guard lock(mutex_);
  // From the one after the last taken: a uid just released waits longest before its next case.
  for (std::size_t step = 0; step < uid_in_use_.size(); ++step) {
    const std::size_t i = (next_uid_index_ + step) % uid_in_use_.size();
    if (!uid_in_use_[i]) {
      uid_in_use_[i] = true;
      next_uid_index_ = i + 1;
      return first_uid_ + static_cast<uid_t>(i);
    }
  }
  // Every uid is taken or retired: the next of the block.
  if (uid_in_use_.size() < uid_block_size) {
    uid_in_use_.push_back(true);
    return first_uid_ + static_cast<uid_t>(uid_in_use_.size() - 1);
  }
  throw std::logic_error("more concurrent sandbox runs than uids");
}

void Sandbox::release_uid(uid_t uid) {
  std::lock_guard lock(mutex_);
  uid_in_use_[uid - first_uid_] = false;
}

SandboxResult Sandbox::run(const SandboxRequest& request) {
  if (request.argv.empty() || request.argv[0].empty() || request.argv[0][0] != '/') {
    throw std::invalid_argument("Sandbox::run needs an absolute program path");
  }
  UidLease lease(*this, isolation_.separate_uid);
  RunInProgress run(request);
  run.bwrap = isolation_.level == IsolationLevel::bubblewrap;
  run.separate_uid = isolation_.separate_uid;
  run.uid = lease.uid();
  SandboxResult result;
  const Scratch scratch(request, paths_, run.separate_uid, run.uid);
  run.view = view_of(request, scratch.path(), paths_.grader_executable);
  if (!run.bwrap) run.landlock = landlock_ruleset_for(run.view, request.loopback_tcp);
  if (request.result_channel) result.nonce = random_hex(16);

  std::vector<std::string> env = sandbox_environment(request, scratch.path(), run.bwrap);
  const PrivilegeDrop drop = privilege_drop(request.limits, run.separate_uid, run.uid);
  std::vector<std::string> args = launch_arguments(request, isolation_, run.view, paths_.grader_executable, drop);
  std::vector<char*> argv = as_c_strings(args);
  std::vector<char*> envp = as_c_strings(env);
  const std::string scratch_text = scratch.path().string();
  run.pipes = open_pipes(request.result_channel, result.nonce);
  const ChildPlan plan = plan_child(run, isolation_, scratch_text.c_str(), argv, envp, drop);

  run.started = std::chrono::steady_clock::now();
  run.pid = ::fork();
  if (run.pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (run.pid == 0) child_enter_sandbox(plan);
  ActiveChild registered(run.pid);
  keep_read_ends(run);
  run.landlock.reset();

  if (const auto stop = watch_until_end(run, result)) {
    result.ending = *stop;
    run.stopped_early = true;
  }
  const bool stuck_or_hoarding = result.ending == SandboxResult::Ending::timed_out ||
                                 result.ending == SandboxResult::Ending::memory_limit;
  if (stuck_or_hoarding && request.backtrace_on_timeout && gdb_available_) {
    take_backtraces(run, result, backtrace_process_limit);
  } else if (result.ending == SandboxResult::Ending::process_limit && request.backtrace_on_timeout && gdb_available_) {
    // Where the forking happens: the test process and its oldest child (the one that runs the
    // code under test) say it; more of a fork bomb's processes only cost time.
    take_backtraces(run, result, 2);
  }
  end_every_process(run, result);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - run.started).count();
  drain_after_end(run, result);
  reap_orphans();
  if (run.separate_uid && !wait_until_uid_is_free(run.uid)) {
    lease.retire();
    fmt::print(stderr,
               "parlab-grader: warning: uid {} still holds {} processes 10 s after its run ended (a process in "
               "uninterruptible sleep?); that uid is not used again\n",
               run.uid, tasks_owned_by(run.uid));
  }
  decode_ending(run, result);
  return result;
}

}  // namespace grader
