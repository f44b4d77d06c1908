#include "parlab/fd.hpp"

#include "parlab/trace.hpp"

#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

namespace parlab {

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) {
    // close() may report EINTR, but on Linux the fd is released regardless; retrying
    // could close an fd another thread just received.
    ::close(fd_);
  }
  fd_ = fd;
}

Pipe Pipe::create(int extra_flags) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | extra_flags) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void write_all(int fd, std::span<const std::byte> bytes) {
  // Includes the time blocked on a full pipe.
  const trace::Span span("pipe write", "io", {"fd", static_cast<std::uint64_t>(fd)}, {"bytes", bytes.size()});
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "write to fd " + std::to_string(fd));
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
}

bool read_exact(int fd, std::span<std::byte> bytes) {
  // Includes the time blocked on an empty pipe: a worker waiting for work shows up here.
  const trace::Span span("pipe read", "io", {"fd", static_cast<std::uint64_t>(fd)}, {"bytes", bytes.size()});
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "read from fd " + std::to_string(fd));
    }
    if (n == 0) {
      if (done == 0) return false;
      throw std::runtime_error("read from fd " + std::to_string(fd) + ": end of file after " +
                               std::to_string(done) + " of " + std::to_string(bytes.size()) +
                               " bytes (the writer died mid-message?)");
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

SigpipeBlocker::SigpipeBlocker() {
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGPIPE);
  sigset_t pending;
  sigpending(&pending);
  was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &block, &old_mask_);
}

SigpipeBlocker::~SigpipeBlocker() {
  if (!was_pending_) {
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) == 1) {
      sigset_t only_pipe;
      sigemptyset(&only_pipe);
      sigaddset(&only_pipe, SIGPIPE);
      const timespec zero{0, 0};
      while (sigtimedwait(&only_pipe, nullptr, &zero) == -1 && errno == EINTR) {
      }
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

}  // namespace parlab
