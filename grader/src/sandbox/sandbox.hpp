#pragma once
// Runs one untrusted program (a test case, a benchmark) the way the architecture asks:
// own session and process group, CPU / wall / address-space / file-size / open-file /
// process limits, memory and disk measured from /proc and stopped at their limits, its
// own uid when the grader is root, capped output, a fresh scratch folder as working
// directory, bubblewrap (with a view built from an allow-list, see view.hpp) or a network
// namespace when available, and every process it started killed at the end, daemons included.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "sandbox/isolation.hpp"

namespace grader {

struct SandboxLimits {
  std::chrono::milliseconds wall{10'000};
  unsigned cpu_seconds = 30;                    // per process (RLIMIT_CPU)
  std::uint64_t address_space = 2ULL << 30;     // 0: none (sanitizers reserve terabytes)
  std::uint64_t memory = 2ULL << 30;            // measured: resident memory of all its processes + memfd + tmpfs; 0: none
  std::uint64_t disk = 256ULL << 20;            // all it writes to its scratch, /tmp and /dev/shm together
  std::uint64_t file_size = 64ULL << 20;        // largest file it may write
  unsigned open_files = 256;
  unsigned processes = 512;                     // counted per uid: bites only with a uid of its own; lab 04 runs 256 threads
  std::uint64_t output_bytes = 8ULL << 20;      // stdout + stderr; beyond this it is stopped
  int nice = 0;                                 // 0-19: how far below the grader its processes run
};

struct SandboxRequest {
  std::vector<std::string> argv;                  // argv[0]: absolute path of the program
  std::vector<std::string> environment;           // "NAME=value", on top of a minimal clean one
  SandboxLimits limits;
  bool result_channel = false;                    // pass PARLAB_RESULT_FD / PARLAB_RESULT_NONCE
  bool backtrace_on_timeout = false;              // attach gdb before killing a program that hangs, hoards memory or forks too much
  std::vector<std::filesystem::path> read_only;   // bubblewrap: besides the system and argv[0], what it may read
  bool scratch_in_memory = true;                  // bubblewrap: scratch is a private tmpfs (else the real folder)
  std::filesystem::path scratch;                  // empty: a fresh folder, removed at the end; else this one, kept
  bool loopback_tcp = false;                      // it runs its own server on 127.0.0.1: without bubblewrap TCP
                                                  // stays allowed (Landlock and seccomp cannot tell loopback apart)
};

struct SandboxResult {
  enum class Ending { exited, signaled, timed_out, output_limit, process_limit, memory_limit, disk_quota };
  Ending ending = Ending::exited;
  int exit_code = 0;         // when ending == exited
  int signal = 0;            // when ending == signaled
  std::string output;        // the start and the end of what it printed (stdout + stderr)
  std::uint64_t output_bytes = 0;
  std::string channel;       // the result channel's JSON lines
  std::string nonce;         // what the channel's closing records must echo
  unsigned peak_processes = 0;
  std::uint64_t peak_memory = 0;  // the most memory_held + tmpfs use seen
  std::uint64_t peak_disk = 0;    // the most scratch / tmpfs use seen
  double seconds = 0;
  std::string backtrace;     // gdb's "thread apply all bt" of its processes (hang_backtrace.hpp), when it timed out or hit the memory limit
  std::size_t killed_at_end = 0;  // processes still alive after the program ended
  std::string setup_failure;  // the set-up call that failed before the program could start, and why
                              // ("setrlimit RLIMIT_NPROC: Operation not permitted"); then it exited with 127
};

struct SandboxPaths {
  std::filesystem::path scratch_root;   // per-run scratch folders are made here
  std::filesystem::path grader_executable;
};

class Sandbox {
 public:
  Sandbox(Isolation isolation, SandboxPaths paths, unsigned concurrent_runs);
  [[nodiscard]] SandboxResult run(const SandboxRequest& request);
  [[nodiscard]] const Isolation& isolation() const { return isolation_; }
  [[nodiscard]] bool gdb_available() const { return gdb_available_; }

 private:
  class UidLease;
  uid_t acquire_uid();
  void release_uid(uid_t uid);

  Isolation isolation_;
  SandboxPaths paths_;
  bool gdb_available_ = false;
  uid_t first_uid_ = 0;
  std::mutex mutex_;
  std::vector<bool> uid_in_use_;
  std::size_t next_uid_index_ = 0;  // where acquire_uid() starts looking (guarded by mutex_)
};

// The grader adopts orphaned descendants of its tests (PR_SET_CHILD_SUBREAPER) so that a
// double-forked daemon can be found and reaped. Call once at start-up.
void become_child_subreaper();

// Kills (and reaps) every process the grader adopted that no sandbox run is waiting for, with
// everything below it: what a killed build left behind (without bubblewrap, a compiler whose
// launcher was killed keeps running as an orphan). Call when no command of the grader's own
// is running besides sandbox runs, e.g. after a build.
void end_adopted_orphans();

}  // namespace grader
