#include "watch.hpp"

#include <array>
#include <cerrno>
#include <system_error>

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace parlab::student {

FileWatch::FileWatch(const std::filesystem::path& dir) : fd_(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) {
  if (!fd_) throw std::system_error(errno, std::generic_category(), "inotify_init1");
  if (::inotify_add_watch(fd_.get(), dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
    throw std::system_error(errno, std::generic_category(), "cannot watch " + dir.string());
  }
}

bool FileWatch::saved(int timeout_ms) {
  pollfd p{fd_.get(), POLLIN, 0};
  const int ready = ::poll(&p, 1, timeout_ms);
  if (ready < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll(inotify)");
  if (ready <= 0) return false;
  bool any = false;
  std::array<char, 16 * 1024> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd_.get(), buffer.data(), buffer.size());
    if (n > 0) {
      any = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) throw std::system_error(errno, std::generic_category(), "read(inotify)");
    return any;
  }
}

void FileWatch::settle() {
  while (saved(100)) {
  }
}

}  // namespace parlab::student
