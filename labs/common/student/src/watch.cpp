#include "watch.hpp"

#include <array>
#include <cerrno>
#include <system_error>

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "parlab/fd.hpp"

namespace parlab::student {
namespace {

// Waits up to `timeout_ms` for inotify events and discards them; true if any arrived.
bool drain_events(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  const int ready = ::poll(&p, 1, timeout_ms);
  if (ready < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll(inotify)");
  if (ready <= 0) return false;
  std::array<char, 16 * 1024> buffer{};
  const ssize_t n = ::read(fd, buffer.data(), buffer.size());
  if (n < 0 && errno != EINTR && errno != EAGAIN) {
    throw std::system_error(errno, std::generic_category(), "read(inotify)");
  }
  return n > 0;
}

}  // namespace

void watch_directory(const std::filesystem::path& dir, const std::function<void()>& on_change, unsigned max_runs) {
  UniqueFd fd(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (!fd) throw std::system_error(errno, std::generic_category(), "inotify_init1");
  if (::inotify_add_watch(fd.get(), dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
    throw std::system_error(errno, std::generic_category(), "cannot watch " + dir.string());
  }
  for (unsigned runs = 0; max_runs == 0 || runs < max_runs; ++runs) {
    while (!drain_events(fd.get(), -1)) {
    }
    // Let a burst of writes settle so that one save triggers one rebuild.
    while (drain_events(fd.get(), 100)) {
    }
    on_change();
  }
}

}  // namespace parlab::student
