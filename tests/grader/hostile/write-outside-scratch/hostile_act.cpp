// Tries to write next to its own source, in /tmp, above its scratch folder and in /etc; then
// works correctly.
#include <cstdlib>
#include <fstream>

void hostile_act() {
  const char* home = std::getenv("HOME");
  const std::string targets[] = {std::string(__FILE__) + ".pwned", "/tmp/parlab-hostile-outside.pwned",
                                 std::string(home != nullptr ? home : "/nonexistent") + "/../parlab-hostile-outside.pwned",
                                 "/etc/parlab-hostile.pwned"};
  for (const auto& path : targets) {
    std::ofstream out(path);
    out << "written from inside a test\n";
  }
}
