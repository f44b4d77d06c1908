#include "parlab/gnuplot.hpp"

#include <cerrno>
#include <cstdio>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace parlab::bench {

bool run_gnuplot(const std::string& script) {
  char path[] = "/tmp/parlab-plot-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) {
    std::fprintf(stderr, "plot skipped: cannot create a temporary file\n");
    return false;
  }
  const bool written = ::write(fd, script.data(), script.size()) == static_cast<ssize_t>(script.size());
  ::close(fd);
  bool ok = false;
  if (written) {
    char prog[] = "gnuplot";
    char* argv[] = {prog, path, nullptr};
    pid_t pid = 0;
    if (::posix_spawnp(&pid, "gnuplot", nullptr, nullptr, argv, environ) == 0) {
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      if (!ok) std::fprintf(stderr, "plot skipped: gnuplot failed on %s\n", path);
    } else {
      std::fprintf(stderr, "plot skipped: gnuplot is not installed (apt-get install gnuplot-nox)\n");
    }
  }
  if (ok) ::unlink(path);
  return ok;
}

}  // namespace parlab::bench
