// Leaves a daemon behind (double fork + setsid) that would run forever; then works correctly.
#include <unistd.h>
#include <sys/wait.h>

void hostile_act() {
  static bool started = false;  // one daemon per test process
  if (started) return;
  started = true;
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
