// Leaves a daemon behind (double fork + setsid) that would run forever; then works correctly.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void hostile_act() {
  // One daemon per test case: each call runs in a fresh child of the test process, so a
  // static flag would start one per call; a folder in the case's scratch space is shared.
  if (::mkdir("parlab-hostile-daemon-started", 0700) != 0) return;  // (the case's working folder)
  const pid_t child = ::fork();
  if (child == 0) {
    if (::fork() == 0) {
      ::setsid();
      while (true) ::sleep(1);
    }
    ::_exit(0);
  }
  if (child > 0) ::waitpid(child, nullptr, 0);
}
