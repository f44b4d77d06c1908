// Lab 03, tasks 1 and 2 (reference): a text counter in a file, under flock or OFD locks.
#include "parlab/lab03/counter_file.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <unistd.h>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"

namespace parlab::lab03 {
namespace {

constexpr unsigned max_workers = 256;

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// The start of `text`, printable: corrupt files can hold anything, binary included.
std::string quote(std::string_view text) {
  std::string out = "\"";
  const std::size_t shown = std::min<std::size_t>(text.size(), 40);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  if (shown < text.size()) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

UniqueFd open_lock_file(const std::filesystem::path& counter) {
  // Locks the counter file itself, which write_counter replaces with rename(): a waiter
  // wakes up holding the lock of the old file, while the next worker locks the new one.
  UniqueFd fd(::open(counter.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666));
  if (!fd) throw_errno("open counter " + counter.string());
  return fd;
}

// Takes the lock on `fd`. Returns false only when !wait and someone else holds it.
bool lock_fd(int fd, LockMode mode, bool wait) {
  while (true) {
    int rc = 0;
    if (mode == LockMode::flock) {
      rc = ::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB));
    } else {
#ifdef F_OFD_SETLKW
      struct flock fl {};
      fl.l_type = F_WRLCK;
      fl.l_whence = SEEK_SET;
      fl.l_start = 0;
      fl.l_len = 0;  // the whole file, however long it gets
      fl.l_pid = 0;  // must be 0 for OFD locks
      rc = ::fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl);
#else
      errno = ENOTSUP;
      rc = -1;
#endif
    }
    if (rc == 0) return true;
    if (errno == EINTR) continue;
    if (!wait && (errno == EWOULDBLOCK || errno == EAGAIN || errno == EACCES)) return false;
    throw_errno(std::string(name(mode)) + " lock");
  }
}

// Unique among the threads and processes that may write next to the same counter.
std::string temp_name(const std::filesystem::path& counter) {
  static std::atomic<std::uint64_t> sequence{0};
  return counter.string() + ".tmp." + std::to_string(::getpid()) + "." +
         std::to_string(sequence.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace

std::uint64_t parse_counter(std::string_view text) {
  std::string_view digits = text;
  if (!digits.empty() && digits.back() == '\n') digits.remove_suffix(1);
  if (text.empty()) return 0;
  if (digits.empty()) throw CounterCorrupt("counter is corrupt: a newline without a number");
  std::uint64_t value = 0;
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  for (const char c : digits) {
    if (c < '0' || c > '9') {
      throw CounterCorrupt("counter is corrupt: " + quote(text) + " is not a decimal count");
    }
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (value > (max - d) / 10) {
      throw CounterCorrupt("counter is corrupt: " + quote(text) + " is out of range (above 2^64 - 1)");
    }
    value = value * 10 + d;
  }
  return value;
}

std::uint64_t read_counter(const std::filesystem::path& counter) {
  UniqueFd fd(::open(counter.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return 0;
    throw_errno("open counter " + counter.string());
  }
  // A valid count needs at most 21 bytes; read a little more so a corrupt file is quoted.
  std::string text;
  char buf[256];
  while (text.size() < 256) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("read counter " + counter.string());
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  try {
    return parse_counter(text);
  } catch (const CounterCorrupt& e) {
    throw CounterCorrupt(counter.string() + ": " + e.what());
  }
}

void write_counter(const std::filesystem::path& counter, std::uint64_t value) {
  const std::string tmp = temp_name(counter);
  const std::string text = std::to_string(value) + "\n";
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) throw_errno("create " + tmp);
    try {
      write_all(fd.get(), std::as_bytes(std::span(text.data(), text.size())));
    } catch (...) {
      ::unlink(tmp.c_str());
      throw;
    }
    if (::close(fd.release()) != 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      throw std::system_error(err, std::generic_category(), "close " + tmp);
    }
  }
  if (::rename(tmp.c_str(), counter.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw std::system_error(err, std::generic_category(), "rename " + tmp + " to " + counter.string());
  }
}

CounterLock::CounterLock(const std::filesystem::path& counter, LockMode mode) : mode_(mode) {
  if (mode == LockMode::none) return;
  UniqueFd fd = open_lock_file(counter);
  lock_fd(fd.get(), mode, true);
  fd_ = std::move(fd);
}

std::optional<CounterLock> CounterLock::try_acquire(const std::filesystem::path& counter, LockMode mode) {
  if (mode == LockMode::none) return CounterLock(UniqueFd{}, mode);
  UniqueFd fd = open_lock_file(counter);
  if (!lock_fd(fd.get(), mode, false)) return std::nullopt;
  return CounterLock(std::move(fd), mode);
}

std::uint64_t increment(const std::filesystem::path& counter, LockMode mode) {
  const CounterLock lock(counter, mode);
  const std::uint64_t value = read_counter(counter);
  if (value == std::numeric_limits<std::uint64_t>::max()) {
    throw std::overflow_error(counter.string() + ": the count would overflow 2^64 - 1");
  }
  write_counter(counter, value + 1);
  return value + 1;
}

void run_workers(Backend backend, unsigned workers, const std::function<void(unsigned)>& body) {
  if (workers == 0 || workers > max_workers) {
    throw std::invalid_argument("run_workers: workers must be between 1 and " + std::to_string(max_workers) +
                                ", got " + std::to_string(workers));
  }
  if (backend == Backend::threads) {
    std::vector<std::exception_ptr> errors(workers);
    {
      std::vector<std::jthread> threads;
      threads.reserve(workers);
      for (unsigned w = 0; w < workers; ++w) {
        threads.emplace_back([&errors, &body, w] {
          try {
            body(w);
          } catch (...) {
            errors[w] = std::current_exception();
          }
        });
      }
    }  // every thread joined here, also when emplace_back threw
    for (const auto& e : errors) {
      if (e) std::rethrow_exception(e);
    }
    return;
  }

  // Processes: one pipe carries error messages back. Each message is one write() of at
  // most PIPE_BUF bytes, so messages of different children never interleave.
  Pipe errors = Pipe::create();
  std::vector<ChildProcess> children;
  children.reserve(workers);
  for (unsigned w = 0; w < workers; ++w) {
    children.push_back(ChildProcess::fork([&errors, &body, w]() -> int {
      errors.read_end.reset();
      try {
        body(w);
        return 0;
      } catch (const std::exception& e) {
        std::string msg = std::to_string(w) + " " + e.what();
        if (msg.size() > PIPE_BUF - 1) msg.resize(PIPE_BUF - 1);
        msg += '\n';
        (void)!::write(errors.write_end.get(), msg.data(), msg.size());
        return 1;
      }
    }));
  }
  errors.write_end.reset();

  // Read every message first (a child blocked on a full pipe would never exit), then reap.
  std::string messages;
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(errors.read_end.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    messages.append(buf, static_cast<std::size_t>(n));
  }
  std::string failure;
  for (unsigned w = 0; w < workers; ++w) {
    const ExitStatus status = children[w].wait();
    if (status.success() || !failure.empty()) continue;
    failure = "worker " + std::to_string(w) + " of " + std::to_string(workers) + " " + status.describe();
    const std::string tag = std::to_string(w) + " ";
    for (std::size_t pos = 0; pos < messages.size();) {
      const std::size_t end = std::min(messages.find('\n', pos), messages.size());
      const std::string_view line(messages.data() + pos, end - pos);
      if (line.starts_with(tag)) {
        failure += ": " + std::string(line.substr(tag.size()));
        break;
      }
      pos = end + 1;
    }
  }
  if (!failure.empty()) throw WorkerFailed(failure);
}

std::uint64_t run_file_counter(const std::filesystem::path& counter, LockMode mode, Backend backend,
                               unsigned workers, std::uint64_t increments) {
  run_workers(backend, workers, [&](unsigned) {
    for (std::uint64_t i = 0; i < increments; ++i) (void)increment(counter, mode);
  });
  return read_counter(counter);
}

}  // namespace parlab::lab03
