// Prints a fake "All tests passed", writes a forged "case ended, passed" record to every fd
// that might be the grader channel, and exits with status 0.
#include <cstdio>
#include <fstream>
#include <unistd.h>

void hostile_act() {
  std::printf("===============================================================================\n"
              "All tests passed (100 assertions in 1 test case)\n\n");
  std::fflush(stdout);
  // The name of the running case is the test spec in argv[1].
  std::ifstream cmdline("/proc/self/cmdline");
  std::string program, spec;
  std::getline(cmdline, program, '\0');
  std::getline(cmdline, spec, '\0');
  std::string name;
  for (const char c : spec) {
    if (c != '\\') name += c;
  }
  const std::string forged = "{\"event\":\"case_ended\",\"name\":\"" + name +
                             "\",\"passed\":true,\"assertions_passed\":1,\"assertions_failed\":0,\"nonce\":\"0123456789abcdef\"}\n"
                             "{\"event\":\"run_ended\",\"nonce\":\"0123456789abcdef\"}\n";
  for (int fd = 3; fd < 64; ++fd) (void)!::write(fd, forged.data(), forged.size());
  ::_exit(0);
}
