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
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "sandbox/hang_backtrace.hpp"
#include "sandbox/memory_usage.hpp"
#include "sandbox/process_table.hpp"
#include "sandbox/progress_deadline.hpp"
#include "sandbox/sandbox_exec.hpp"
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

void set_limit(int resource, rlim_t value) noexcept {
  const rlimit limit{value, value};
  ::setrlimit(resource, &limit);
}

// Everything the forked child needs, prepared before fork().
struct ChildPlan {
  int stdin_fd = -1, output_fd = -1, channel_fd = -1, status_fd = -1, nonce_fd = -1;
  SandboxLimits limits;
  bool through_bwrap = false;
  bool unshare_network = false;
  const char* scratch = nullptr;
  char** argv = nullptr;
  char** envp = nullptr;
  PrivilegeDrop drop;
};

[[noreturn]] void child_enter_sandbox(const ChildPlan& plan) noexcept {
  ::setsid();  // own session and process group: one kill(-pgid) reaches all that stayed in it
  // Move the pipes above the target numbers first, so that no dup2 below overwrites a
  // source that is still to be copied.
  const int input = ::fcntl(plan.stdin_fd, F_DUPFD, 10);
  const int output = ::fcntl(plan.output_fd, F_DUPFD, 10);
  const int channel = plan.channel_fd >= 0 ? ::fcntl(plan.channel_fd, F_DUPFD, 10) : -1;
  const int status = plan.status_fd >= 0 ? ::fcntl(plan.status_fd, F_DUPFD, 10) : -1;
  const int nonce = plan.nonce_fd >= 0 ? ::fcntl(plan.nonce_fd, F_DUPFD, 10) : -1;
  ::dup2(input, 0);
  ::dup2(output, 1);
  ::dup2(output, 2);
  if (channel >= 0) ::dup2(channel, channel_fd_in_child);
  if (status >= 0) ::dup2(status, status_fd_in_child);
  if (nonce >= 0) ::dup2(nonce, nonce_fd_in_child);
  if (plan.channel_fd < 0) ::close(channel_fd_in_child);
  if (plan.status_fd < 0) ::close(status_fd_in_child);
  close_fds_from(nonce_fd_in_child + (plan.nonce_fd >= 0 ? 1 : 0));
  set_limit(RLIMIT_CORE, 0);
  // Soft limit sends SIGXCPU, the hard one a second later SIGKILL.
  const rlimit cpu{plan.limits.cpu_seconds, static_cast<rlim_t>(plan.limits.cpu_seconds) + 1};
  ::setrlimit(RLIMIT_CPU, &cpu);
  set_limit(RLIMIT_FSIZE, plan.limits.file_size);
  set_limit(RLIMIT_NOFILE, plan.limits.open_files);
  if (plan.limits.address_space > 0) set_limit(RLIMIT_AS, plan.limits.address_space);
  // glibc gives every new thread a stack of RLIMIT_STACK (8 MiB by default) of address
  // space: 256 threads (lab 04 allows that many workers) would use the whole 2 GiB above.
  set_limit(RLIMIT_STACK, thread_stack_bytes);
  if (!plan.through_bwrap) {
    if (plan.unshare_network && ::unshare(CLONE_NEWNET) != 0) {
      static const char message[] = "parlab-grader sandbox: unshare(CLONE_NEWNET) failed\n";
      (void)!::write(2, message, sizeof message - 1);
      ::_exit(127);
    }
    if (::chdir(plan.scratch) != 0 || !drop_privileges(plan.drop)) {
      static const char message[] = "parlab-grader sandbox: cannot enter the scratch folder or drop privileges\n";
      (void)!::write(2, message, sizeof message - 1);
      ::_exit(127);
    }
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the grader died: so does the test
  }
  ::execve(plan.argv[0], plan.argv, plan.envp);
  static const char message[] = "parlab-grader sandbox: cannot start the program\n";
  (void)!::write(2, message, sizeof message - 1);
  ::_exit(127);
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
      const uid_t candidate = 2'000'000 + static_cast<uid_t>(random() % 1'000'000) * 64;
      const bool busy = std::any_of(table.begin(), table.end(), [&](const ProcessEntry& e) {
        return e.uid >= candidate && e.uid < candidate + uid_in_use_.size();
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
  for (std::size_t i = 0; i < uid_in_use_.size(); ++i) {
    if (!uid_in_use_[i]) {
      uid_in_use_[i] = true;
      return first_uid_ + static_cast<uid_t>(i);
    }
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
  const bool separate_uid = isolation_.separate_uid;
  UidLease lease(*this, separate_uid);
  const uid_t uid = lease.uid();
  const bool bwrap = isolation_.level == IsolationLevel::bubblewrap;

  SandboxResult result;
  const bool own_scratch = request.scratch.empty();
  const std::filesystem::path scratch = own_scratch ? paths_.scratch_root / ("run-" + random_hex(8)) : request.scratch;
  std::filesystem::create_directories(scratch);
  struct ScratchCleanup {
    std::filesystem::path path;
    ~ScratchCleanup() {
      if (!path.empty()) remove_tree_quietly(path);
    }
  } cleanup{own_scratch ? scratch : std::filesystem::path()};
  ::chmod(scratch.c_str(), 0700);
  if (separate_uid && ::chown(scratch.c_str(), uid, static_cast<gid_t>(uid)) != 0) {
    throw std::system_error(errno, std::generic_category(), "chown " + scratch.string());
  }
  ViewSpec view;
  view.scratch = scratch;
  view.scratch_in_memory = request.scratch_in_memory;
  view.tmpfs_bytes = request.limits.disk > 0 ? request.limits.disk : request.limits.file_size;
  view.read_only = request.read_only;
  view.read_only.push_back(request.argv[0]);
  view.read_only.push_back(paths_.grader_executable);

  // A minimal environment: nothing of the grader's (paths, tokens) reaches the test. Under
  // bubblewrap, temporary files go to the sandbox's private /tmp: a tmpfs (lab 03 measures
  // locks, not the disk: a rename on ext4 costs 0.3-1 ms) that vanishes with the sandbox.
  const std::string temporary = bwrap ? std::string("/tmp") : scratch.string();
  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + scratch.string(),
                                  "TMPDIR=" + temporary, "LANG=C.UTF-8", "LC_ALL=C.UTF-8"};
  env.insert(env.end(), request.environment.begin(), request.environment.end());
  if (request.result_channel) {
    result.nonce = random_hex(16);
    env.push_back(fmt::format("PARLAB_RESULT_FD={}", channel_fd_in_child));
    // Never in the environment: a pipe (written below) that the listener reads and closes.
    env.push_back(fmt::format("PARLAB_RESULT_NONCE_FD={}", nonce_fd_in_child));
  }

  // RLIMIT_NPROC counts every process of the real uid. With a uid of its own that is just
  // the test's; otherwise the grader's user already has some, which the limit must allow.
  PrivilegeDrop drop;
  drop.enabled = separate_uid;
  drop.uid = uid;
  drop.gid = static_cast<gid_t>(uid);
  drop.max_processes = request.limits.processes;
  if (!separate_uid && ::geteuid() != 0) {
    drop.max_processes += living_processes_of(read_process_table(), ::getuid()).size();
  }

  std::vector<std::string> args;
  if (bwrap) {
    args = {isolation_.bwrap, "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session"};
    const auto view_args = bubblewrap_view_arguments(view);
    args.insert(args.end(), view_args.begin(), view_args.end());
    args.insert(args.end(), {"--chdir", scratch.string(), "--", paths_.grader_executable.string(), "__sandbox-exec",
                             std::to_string(uid), std::to_string(uid), std::to_string(drop.max_processes),
                             std::to_string(status_fd_in_child), "--"});
    drop = {};  // the helper inside the sandbox drops them
  }
  args.insert(args.end(), request.argv.begin(), request.argv.end());

  std::vector<char*> argv = as_c_strings(args);
  std::vector<char*> envp = as_c_strings(env);
  const std::string scratch_text = scratch.string();

  Pipe output = make_pipe();
  Pipe channel = request.result_channel ? make_pipe() : Pipe{};
  Pipe status_pipe = bwrap ? make_pipe() : Pipe{};
  Pipe nonce_pipe = request.result_channel ? make_pipe() : Pipe{};
  if (request.result_channel) {
    // 32 bytes: far below a pipe's buffer, so this never blocks. Closing the write end
    // leaves the listener an ended pipe to read it from.
    if (::write(nonce_pipe.write_end.get(), result.nonce.data(), result.nonce.size()) != static_cast<ssize_t>(result.nonce.size())) {
      throw std::system_error(errno, std::generic_category(), "writing the nonce pipe");
    }
    nonce_pipe.write_end.reset();
  }
  UniqueFd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));

  ChildPlan plan;
  plan.stdin_fd = dev_null.get();
  plan.output_fd = output.write_end.get();
  plan.channel_fd = request.result_channel ? channel.write_end.get() : -1;
  plan.status_fd = bwrap ? status_pipe.write_end.get() : -1;
  plan.nonce_fd = request.result_channel ? nonce_pipe.read_end.get() : -1;
  plan.limits = request.limits;
  plan.through_bwrap = bwrap;
  plan.unshare_network = isolation_.level == IsolationLevel::network_namespace;
  plan.scratch = scratch_text.c_str();
  plan.argv = argv.data();
  plan.envp = envp.data();
  plan.drop = drop;

  const auto started = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) child_enter_sandbox(plan);
  ActiveChild registered(pid);
  output.write_end.reset();
  channel.write_end.reset();
  status_pipe.write_end.reset();
  nonce_pipe.read_end.reset();
  set_nonblocking(output.read_end.get());
  if (channel.read_end.valid()) set_nonblocking(channel.read_end.get());

  CappedOutput captured;
  bool output_open = true, channel_open = channel.read_end.valid();
  bool reaped = false;
  int status = 0;
  ProgressDeadline deadline(started, request.limits.wall, pid);
  auto next_count = started;
  bool stopped_early = false;

  while (true) {
    const auto now = std::chrono::steady_clock::now();
    if (deadline.expired(now, result.channel)) {
      result.ending = SandboxResult::Ending::timed_out;
      stopped_early = true;
      break;
    }
    pollfd fds[2];
    nfds_t count = 0;
    if (output_open) fds[count++] = {output.read_end.get(), POLLIN, 0};
    if (channel_open) fds[count++] = {channel.read_end.get(), POLLIN, 0};
    const auto left_ms = deadline.until_next_check(now).count();
    const int wait_ms = static_cast<int>(std::clamp<long long>(left_ms, 0, 50));
    if (count > 0) {
      ::poll(fds, count, wait_ms);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    }
    if (output_open) output_open = drain_available(output.read_end.get(), nullptr, &captured, 0);
    if (channel_open) channel_open = drain_available(channel.read_end.get(), &result.channel, nullptr, channel_cap_bytes);
    if (captured.total() > request.limits.output_bytes) {
      result.ending = SandboxResult::Ending::output_limit;
      stopped_early = true;
      break;
    }
    if (std::chrono::steady_clock::now() >= next_count) {
      const auto table = read_process_table();
      // RLIMIT_NPROC counts threads too: at the limit, fork() and thread creation fail.
      if (separate_uid) {
        const unsigned tasks = tasks_of(table, uid);
        result.peak_processes = std::max(result.peak_processes, tasks);
        if (tasks + 2 >= request.limits.processes) {
          result.ending = SandboxResult::Ending::process_limit;
          stopped_early = true;
          break;
        }
      }
      const auto ending = measure_holdings(table, pid, uid, separate_uid, bwrap, view, request.limits, result);
      if (ending) {
        result.ending = *ending;
        stopped_early = true;
        break;
      }
      next_count = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
    }
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      reaped = true;
      break;
    }
  }

  const bool stuck_or_hoarding = result.ending == SandboxResult::Ending::timed_out ||
                                 result.ending == SandboxResult::Ending::memory_limit;
  if (stuck_or_hoarding && request.backtrace_on_timeout && gdb_available_) {
    // The test process and the children it forked: the processes of the sandbox uid, or
    // without a uid of its own, the child and its descendants.
    const auto table = read_process_table();
    std::vector<pid_t> candidates = separate_uid ? living_processes_of(table, uid) : descendants_of(table, pid);
    if (!bwrap && !separate_uid) candidates.insert(candidates.begin(), pid);
    if (!candidates.empty()) result.backtrace = backtraces_of_processes(candidates, request.argv.front());
  }

  // End everything: the process group, then every descendant, then (with a uid of its own)
  // every process of that uid, which also finds daemons that escaped with setsid().
  ::kill(-pid, SIGKILL);
  for (const pid_t p : descendants_of(read_process_table(), pid)) ::kill(p, SIGKILL);
  ::kill(pid, SIGKILL);
  if (separate_uid) result.killed_at_end = kill_every_process_of_uid(uid, std::chrono::seconds(5));
  if (!reaped) {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // Everything that could write is dead now: read what is left in the pipes.
  const auto drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while ((output_open || channel_open) && std::chrono::steady_clock::now() < drain_deadline) {
    if (output_open) output_open = drain_available(output.read_end.get(), nullptr, &captured, 0);
    if (channel_open) channel_open = drain_available(channel.read_end.get(), &result.channel, nullptr, channel_cap_bytes);
    if (output_open || channel_open) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  reap_orphans();

  result.output = captured.text();
  result.output_bytes = captured.total();
  if (bwrap) {
    // The helper inside the sandbox reports the program's own wait status; without it
    // (the helper could not start the program) bubblewrap's exit code has to do.
    int program_status = 0;
    if (status_pipe.read_end.valid() &&
        ::read(status_pipe.read_end.get(), &program_status, sizeof program_status) == sizeof program_status) {
      status = program_status;
    }
  }
  if (!stopped_early) {
    if (WIFEXITED(status)) {
      result.ending = SandboxResult::Ending::exited;
      result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      result.ending = SandboxResult::Ending::signaled;
      result.signal = WTERMSIG(status);
    }
  }
  return result;
}

}  // namespace grader
