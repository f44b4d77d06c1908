// Tries every way a C++ programmer has to forge the grader's "passed" record from inside the
// test process: the nonce from the environment and /proc/self/environ, whatever can be read
// from every open fd (the nonce pipe), every 32-character hex word in the process's memory
// (/proc/self/mem), the listener's functions through dlsym; then it writes a forged
// "case ended, passed" and "run ended" record with every candidate to every fd and leaves
// with status 0, before the real test could fail. None of it may turn the case into a pass.
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

void add_hex_words(const std::string& text, std::vector<std::string>& found) {
  std::size_t run = 0;
  for (std::size_t i = 0; i <= text.size() && found.size() < 2000; ++i) {
    const bool hex = i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i])) != 0;
    if (hex) {
      ++run;
    } else {
      if (run == 32) found.push_back(text.substr(i - 32, 32));
      run = 0;
    }
  }
}

std::vector<std::string> nonce_candidates() {
  std::vector<std::string> found;
  if (const char* nonce = std::getenv("PARLAB_RESULT_NONCE")) found.emplace_back(nonce);
  std::ifstream environ_file("/proc/self/environ");
  for (std::string entry; std::getline(environ_file, entry, '\0');) add_hex_words(entry, found);
  for (int fd = 3; fd < 64; ++fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0) continue;
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    char buffer[256];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) add_hex_words(std::string(buffer, static_cast<std::size_t>(n)), found);
  }
  std::ifstream maps("/proc/self/maps");
  const int mem = ::open("/proc/self/mem", O_RDONLY);
  for (std::string line; mem >= 0 && std::getline(maps, line);) {
    std::istringstream fields(line);
    std::string range, perms;
    fields >> range >> perms;
    if (perms.empty() || perms[0] != 'r' || line.find("[vvar]") != std::string::npos || line.find("[vsyscall]") != std::string::npos) continue;
    const unsigned long start = std::stoul(range.substr(0, range.find('-')), nullptr, 16);
    const unsigned long end = std::stoul(range.substr(range.find('-') + 1), nullptr, 16);
    std::string chunk(1 << 20, '\0');
    for (unsigned long at = start; at < end; at += chunk.size()) {
      const ssize_t n = ::pread(mem, chunk.data(), std::min<unsigned long>(chunk.size(), end - at), static_cast<off_t>(at));
      if (n > 0) add_hex_words(chunk.substr(0, static_cast<std::size_t>(n)), found);
    }
  }
  if (mem >= 0) ::close(mem);
  return found;
}

void hostile_act() {
  // The listener's functions, under every name they might be exported as.
  for (const char* name : {"report_case_ended", "report_run_ended", "_ZN12_GLOBAL__N_116report_run_endedEv"}) {
    if (void* f = ::dlsym(RTLD_DEFAULT, name)) reinterpret_cast<void (*)()>(f)();
  }
  std::ifstream cmdline("/proc/self/cmdline");
  std::string program, spec, name;
  std::getline(cmdline, program, '\0');
  std::getline(cmdline, spec, '\0');
  for (const char c : spec) {
    if (c != '\\') name += c;
  }
  for (const auto& nonce : nonce_candidates()) {
    const std::string forged = "{\"event\":\"case_ended\",\"name\":\"" + name +
                               "\",\"passed\":true,\"assertions_passed\":1,\"assertions_failed\":0,\"nonce\":\"" + nonce +
                               "\"}\n{\"event\":\"run_ended\",\"nonce\":\"" + nonce + "\"}\n";
    for (int fd = 3; fd < 64; ++fd) (void)!::write(fd, forged.data(), forged.size());
  }
  ::_exit(0);
}
