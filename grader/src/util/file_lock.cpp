#include "util/file_lock.hpp"

#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/file.h>

namespace grader {

namespace {

UniqueFd open_lock_file(const std::filesystem::path& path) {
  std::filesystem::create_directories(path.parent_path());
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  // A lock file another user created: flock() works on a read-only fd too.
  if (!fd.valid() && errno == EACCES) fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw std::system_error(errno, std::generic_category(), "open " + path.string());
  return fd;
}

int flock_operation(FileLock::Mode mode) { return mode == FileLock::Mode::shared ? LOCK_SH : LOCK_EX; }

}  // namespace

FileLock::FileLock(const std::filesystem::path& path, Mode mode) : fd_(open_lock_file(path)) {
  while (::flock(fd_.get(), flock_operation(mode)) != 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "flock " + path.string());
  }
}

std::optional<FileLock> FileLock::try_lock(const std::filesystem::path& path, Mode mode) {
  FileLock lock;
  lock.fd_ = open_lock_file(path);
  if (::flock(lock.fd_.get(), flock_operation(mode) | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return std::nullopt;
    throw std::system_error(errno, std::generic_category(), "flock " + path.string());
  }
  return lock;
}

}  // namespace grader
