#pragma once
// File descriptors with an owner. Every fd a lab opens lives in a UniqueFd, so it is
// closed on every path out of a function, exceptions included.

#include <cstddef>
#include <span>
#include <type_traits>

#include <signal.h>

namespace parlab {

class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }
  // Gives up ownership without closing.
  [[nodiscard]] int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes the current fd (if any) and owns `fd` instead.
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

// A pipe's two ends. Created close-on-exec so that a program started with exec never
// inherits a pipe end it does not know about (which would keep the pipe open forever).
struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
  // `extra_flags` may add O_NONBLOCK; O_CLOEXEC is always set.
  [[nodiscard]] static Pipe create(int extra_flags = 0);
};

// Writes every byte, retrying after EINTR and short writes. Throws std::system_error
// (EPIPE when the reading end is closed: wrap the call in a SigpipeBlocker).
void write_all(int fd, std::span<const std::byte> bytes);

// Reads exactly bytes.size() bytes. Returns false on end-of-file before the first byte
// (a clean end of stream); throws std::runtime_error on end-of-file in the middle
// (a torn message) and std::system_error on read errors.
[[nodiscard]] bool read_exact(int fd, std::span<std::byte> bytes);

template <class T>
  requires std::is_trivially_copyable_v<T>
void write_value(int fd, const T& value) {
  write_all(fd, std::as_bytes(std::span(&value, 1)));
}

template <class T>
  requires std::is_trivially_copyable_v<T>
[[nodiscard]] bool read_value(int fd, T& value) {
  return read_exact(fd, std::as_writable_bytes(std::span(&value, 1)));
}

// Blocks SIGPIPE in the calling thread for its lifetime, so that writing to a pipe
// whose readers are gone fails with EPIPE instead of killing the whole process. A
// SIGPIPE raised meanwhile is consumed before the old mask comes back.
class SigpipeBlocker {
 public:
  SigpipeBlocker();
  ~SigpipeBlocker();
  SigpipeBlocker(const SigpipeBlocker&) = delete;
  SigpipeBlocker& operator=(const SigpipeBlocker&) = delete;

 private:
  sigset_t old_mask_{};
  bool was_pending_ = false;
};

}  // namespace parlab
