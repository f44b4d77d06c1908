// Lab 05, task 2: the cost probes (reference solution).
#include "parlab/lab05/probes.hpp"

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"

extern char** environ;

namespace parlab::lab05 {
namespace {

// Runs a function when the scope ends, however it ends.
template <class F>
class OnExit {
 public:
  explicit OnExit(F f) : f_(std::move(f)) {}
  ~OnExit() { f_(); }
  OnExit(const OnExit&) = delete;
  OnExit& operator=(const OnExit&) = delete;

 private:
  F f_;
};

void expect_success(ChildProcess& child, const char* what) {
  const ExitStatus status = child.wait();
  if (!status.success()) throw std::runtime_error(std::string(what) + ": the partner process " + status.describe());
}

// Waits until `ready()` holds: spins a little (the partner is usually on another core and
// answers within a few hundred nanoseconds), then yields the core on every further try, so
// that a partner sharing our core gets to run. `check` runs now and then while waiting.
template <class Ready, class Check>
void spin_until(Ready ready, Check check) {
  for (unsigned tries = 0; !ready(); ++tries) {
    if (tries >= 128) {
      std::this_thread::yield();
      if (tries % 1024 == 0) check();
    }
  }
}

// A process that echoes every byte it reads from `in` back to `out` until end-of-file.
int echo_loop(int in, int out) {
  std::byte b{};
  while (read_value(in, b)) write_value(out, b);
  return 0;
}

void ping(int out, int in, const char* what) {
  std::byte b{42};
  write_value(out, b);
  if (!read_value(in, b)) throw std::runtime_error(std::string(what) + ": the partner process closed its end");
}

// A posix_spawn()ed child that is always reaped.
class Spawned {
 public:
  explicit Spawned(const std::string& program) {
    std::string arg0 = program;
    char* argv[] = {arg0.data(), nullptr};
    const int err = ::posix_spawn(&pid_, program.c_str(), nullptr, nullptr, argv, environ);
    if (err != 0) {
      pid_ = -1;
      throw std::system_error(err, std::generic_category(), "probe_spawn_wait: cannot start " + program);
    }
  }
  Spawned(const Spawned&) = delete;
  Spawned& operator=(const Spawned&) = delete;
  ~Spawned() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      static_cast<void>(reap());
    }
  }
  ExitStatus wait() {
    const int status = reap();
    pid_ = -1;
    return ExitStatus::from_wait_status(status);
  }

 private:
  int reap() noexcept {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
  }
  pid_t pid_ = -1;
};

// An anonymous shared mapping, unmapped on every path out.
class SharedMapping {
 public:
  explicit SharedMapping(std::size_t size) : size_(size) {
    addr_ = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (addr_ == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
  }
  SharedMapping(const SharedMapping&) = delete;
  SharedMapping& operator=(const SharedMapping&) = delete;
  ~SharedMapping() { ::munmap(addr_, size_); }
  [[nodiscard]] void* get() const noexcept { return addr_; }

 private:
  void* addr_ = nullptr;
  std::size_t size_ = 0;
};

struct Turn {
  std::atomic<std::uint64_t> value{0};  // odd: the partner's turn; even: ours
  std::atomic<bool> stop{false};
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "a process-shared atomic must be lock-free (a lock would live in one process only)");

// Our half of an atomic ping-pong: hand the turn over, wait until it comes back.
template <class Check>
void atomic_ping(Turn& turn, Check check) {
  const std::uint64_t mine = turn.value.load(std::memory_order_relaxed);
  turn.value.store(mine + 1, std::memory_order_release);
  spin_until([&] { return turn.value.load(std::memory_order_acquire) == mine + 2; }, check);
}

// The partner's half: answer every odd value until told to stop.
template <class Check>
void atomic_pong(Turn& turn, Check check) {
  for (;;) {
    std::uint64_t seen = 0;
    spin_until(
        [&] {
          seen = turn.value.load(std::memory_order_acquire);
          return seen % 2 == 1 || turn.stop.load(std::memory_order_acquire);
        },
        check);
    if (seen % 2 == 0) return;  // stop, and no ping pending
    turn.value.store(seen + 1, std::memory_order_release);
  }
}

}  // namespace

std::vector<double> probe_thread_start(const MeasureOptions& options) {
  return measure(
      [] {
        std::jthread t([] {});
        t.join();
      },
      options);
}

std::vector<double> probe_fork_wait(const MeasureOptions& options) {
  return measure(
      [] {
        ChildProcess child = ChildProcess::fork([] { return 0; });
        expect_success(child, "probe_fork_wait");
      },
      options);
}

std::vector<double> probe_spawn_wait(const MeasureOptions& options, const std::string& program) {
  if (::access(program.c_str(), X_OK) != 0) {
    throw std::system_error(errno, std::generic_category(),
                            "probe_spawn_wait: cannot execute " + program + " (is it installed?)");
  }
  return measure(
      [&] {
        Spawned child(program);
        const ExitStatus status = child.wait();
        if (!status.success()) throw std::runtime_error("probe_spawn_wait: " + program + " " + status.describe());
      },
      options);
}

std::vector<double> probe_pipe_round_trip(const MeasureOptions& options) {
  Pipe to_child = Pipe::create();
  Pipe to_parent = Pipe::create();
  ChildProcess child = ChildProcess::fork([&] {
    to_child.write_end.reset();
    to_parent.read_end.reset();
    return echo_loop(to_child.read_end.get(), to_parent.write_end.get());
  });
  to_child.read_end.reset();
  to_parent.write_end.reset();
  const SigpipeBlocker no_sigpipe;
  auto samples = measure([&] { ping(to_child.write_end.get(), to_parent.read_end.get(), "probe_pipe_round_trip"); },
                         options);
  to_child.write_end.reset();  // end-of-file ends the child's loop
  expect_success(child, "probe_pipe_round_trip");
  return samples;
}

std::vector<double> probe_socketpair_round_trip(const MeasureOptions& options) {
  int sv[2] = {-1, -1};
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    throw std::system_error(errno, std::generic_category(), "socketpair");
  }
  UniqueFd ours(sv[0]);
  UniqueFd theirs(sv[1]);
  ChildProcess child = ChildProcess::fork([&] {
    ours.reset();
    return echo_loop(theirs.get(), theirs.get());
  });
  theirs.reset();
  const SigpipeBlocker no_sigpipe;
  auto samples = measure([&] { ping(ours.get(), ours.get(), "probe_socketpair_round_trip"); }, options);
  ours.reset();
  expect_success(child, "probe_socketpair_round_trip");
  return samples;
}

std::vector<double> probe_condvar_round_trip(const MeasureOptions& options) {
  std::mutex mutex;
  std::condition_variable cv;
  std::uint64_t turn = 0;  // odd: the partner's turn
  bool stop = false;

  std::jthread partner([&] {
    std::unique_lock lock(mutex);
    for (;;) {
      cv.wait(lock, [&] { return stop || turn % 2 == 1; });
      if (turn % 2 == 0) return;  // stop
      ++turn;
      cv.notify_one();
    }
  });
  const OnExit stop_partner([&] {
    {
      const std::lock_guard lock(mutex);
      stop = true;
    }
    cv.notify_one();
  });  // destroyed before `partner`, which then joins

  return measure(
      [&] {
        std::unique_lock lock(mutex);
        const std::uint64_t want = turn + 2;
        ++turn;
        cv.notify_one();
        cv.wait(lock, [&] { return turn == want; });
      },
      options);
}

std::vector<double> probe_atomic_round_trip(const MeasureOptions& options) {
  Turn turn;
  std::jthread partner([&] { atomic_pong(turn, [] {}); });
  const OnExit stop_partner([&] { turn.stop.store(true, std::memory_order_release); });
  return measure([&] { atomic_ping(turn, [] {}); }, options);
}

std::vector<double> probe_shared_memory_round_trip(const MeasureOptions& options) {
  const SharedMapping mapping(sizeof(Turn));
  Turn& turn = *new (mapping.get()) Turn{};
  const pid_t parent = ::getpid();
  ChildProcess child = ChildProcess::fork([&] {
    // If the parent vanishes, stop spinning instead of living on as an orphan.
    atomic_pong(turn, [&] {
      if (::getppid() != parent) ::_exit(1);
    });
    return 0;
  });
  auto samples = measure(
      [&] {
        atomic_ping(turn, [&] {
          if (child.try_wait()) throw std::runtime_error("probe_shared_memory_round_trip: the partner process died");
        });
      },
      options);
  turn.stop.store(true, std::memory_order_release);
  expect_success(child, "probe_shared_memory_round_trip");
  return samples;
}

}  // namespace parlab::lab05
