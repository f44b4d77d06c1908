// Lab 03, task 4 (reference): writers that take turns, waiting on a process-shared
// condition variable.
#include "parlab/lab03/turns.hpp"

#include <cerrno>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"

namespace parlab::lab03 {

struct TurnGate::State {
  pthread_mutex_t mutex;
  pthread_cond_t changed;
  std::uint64_t turn = 0;
};

namespace {

void check(int rc, const char* what) {
  if (rc != 0) throw std::system_error(rc, std::generic_category(), what);
}

class Locked {
 public:
  explicit Locked(pthread_mutex_t& m) : m_(m) { check(pthread_mutex_lock(&m_), "pthread_mutex_lock"); }
  ~Locked() { pthread_mutex_unlock(&m_); }
  Locked(const Locked&) = delete;
  Locked& operator=(const Locked&) = delete;

 private:
  pthread_mutex_t& m_;
};

}  // namespace

TurnGate::TurnGate() : mapping_(sizeof(State)), state_(::new (mapping_.data()) State{}) {
  pthread_mutexattr_t mattr;
  check(pthread_mutexattr_init(&mattr), "pthread_mutexattr_init");
  int rc = pthread_mutexattr_setpshared(&mattr, PTHREAD_PROCESS_SHARED);
  if (rc == 0) rc = pthread_mutex_init(&state_->mutex, &mattr);
  pthread_mutexattr_destroy(&mattr);
  check(rc, "pthread_mutex_init (process-shared)");

  pthread_condattr_t cattr;
  rc = pthread_condattr_init(&cattr);
  if (rc == 0) {
    rc = pthread_condattr_setpshared(&cattr, PTHREAD_PROCESS_SHARED);
    if (rc == 0) rc = pthread_cond_init(&state_->changed, &cattr);
    pthread_condattr_destroy(&cattr);
  }
  if (rc != 0) {
    pthread_mutex_destroy(&state_->mutex);
    check(rc, "pthread_cond_init (process-shared)");
  }
}

TurnGate::~TurnGate() {
  // No pthread_cond_destroy here, on purpose. When a writer fails, the others are killed
  // while they wait on `changed`, and glibc's pthread_cond_destroy waits for every waiter
  // to leave the condition variable: killed waiters never leave, so it would block
  // forever. A process-shared condition variable holds no resource outside its bytes, so
  // unmapping the memory (SharedMapping's destructor) is all the cleanup it needs.
  pthread_mutex_destroy(&state_->mutex);
}

void TurnGate::wait_for(std::uint64_t ticket) {
  const Locked lock(state_->mutex);
  if (state_->turn > ticket) {
    throw std::logic_error("TurnGate::wait_for(" + std::to_string(ticket) + "): that turn has passed (now " +
                           std::to_string(state_->turn) + ")");
  }
  // The loop is for spurious wake-ups and for wake-ups meant for other tickets; the thread
  // sleeps in the kernel between them, it never polls.
  while (state_->turn != ticket) check(pthread_cond_wait(&state_->changed, &state_->mutex), "pthread_cond_wait");
}

void TurnGate::advance() {
  {
    const Locked lock(state_->mutex);
    ++state_->turn;
  }
  // Every waiter holds a different ticket, so only broadcast reaches the right one.
  check(pthread_cond_broadcast(&state_->changed), "pthread_cond_broadcast");
}

std::uint64_t TurnGate::current() const {
  const Locked lock(state_->mutex);
  return state_->turn;
}

void ordered_writes(const std::filesystem::path& out, unsigned writers, unsigned rounds, const LineMaker& line) {
  if (writers == 0 || writers > 256) {
    throw std::invalid_argument("ordered_writes: writers must be between 1 and 256, got " + std::to_string(writers));
  }
  {
    const UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) throw std::system_error(errno, std::generic_category(), "create " + out.string());
  }
  TurnGate gate;
  // One pipe per writer: the writer sends its error message (if any) and the parent sees
  // end-of-file when the writer is gone, however it ended. That lets the parent wait for
  // "any writer" with poll() and stop everything at the first failure.
  std::vector<UniqueFd> status_pipes;
  std::vector<ChildProcess> children;
  status_pipes.reserve(writers);
  children.reserve(writers);
  for (unsigned w = 0; w < writers; ++w) {
    Pipe pipe = Pipe::create();
    children.push_back(ChildProcess::fork([&, w]() -> int {
      for (auto& fd : status_pipes) fd.reset();
      pipe.read_end.reset();
      try {
        const UniqueFd fd(::open(out.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
        if (!fd) throw std::system_error(errno, std::generic_category(), "open " + out.string());
        for (unsigned r = 0; r < rounds; ++r) {
          const std::string text = line(w, r) + '\n';
          gate.wait_for(std::uint64_t{r} * writers + w);
          for (const char c : text) write_all(fd.get(), std::as_bytes(std::span(&c, 1)));
          gate.advance();
        }
        return 0;
      } catch (const std::exception& e) {
        std::string msg = e.what();
        if (msg.size() > PIPE_BUF) msg.resize(PIPE_BUF);
        (void)!::write(pipe.write_end.get(), msg.data(), msg.size());
        return 1;
      }
    }));
    pipe.write_end.reset();
    status_pipes.push_back(std::move(pipe.read_end));
  }

  std::vector<std::string> messages(writers);
  std::vector<bool> alive(writers, true);
  unsigned running = writers;
  while (running > 0) {
    std::vector<pollfd> fds;
    std::vector<unsigned> who;
    for (unsigned w = 0; w < writers; ++w) {
      if (!alive[w]) continue;
      fds.push_back({status_pipes[w].get(), POLLIN, 0});
      who.push_back(w);
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "poll");
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      const unsigned w = who[i];
      char buf[512];
      const ssize_t n = ::read(status_pipes[w].get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        messages[w].append(buf, static_cast<std::size_t>(n));
        continue;
      }
      // End of file: writer w is gone. Anything but a clean exit stops the others, whose
      // turns can now never come (the ChildProcess destructors kill and reap them).
      alive[w] = false;
      --running;
      status_pipes[w].reset();
      const ExitStatus status = children[w].wait();
      if (!status.success()) {
        std::string what = "writer " + std::to_string(w) + " of " + std::to_string(writers) + " " + status.describe();
        if (!messages[w].empty()) what += ": " + messages[w];
        throw WorkerFailed(what);
      }
    }
  }
}

}  // namespace parlab::lab03
