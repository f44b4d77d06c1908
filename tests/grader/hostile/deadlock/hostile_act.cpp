// Locks a mutex, then joins a thread that waits for the same mutex.
#include <mutex>

void hostile_act() {
  std::mutex m;
  std::lock_guard held(m);
  std::thread other([&] { std::lock_guard blocked(m); });
  other.join();
}
