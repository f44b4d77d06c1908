#include "sandbox/socket_filter.hpp"

#include <cerrno>
#include <cstddef>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

namespace grader {

namespace {

#if defined(__x86_64__)
constexpr unsigned native_arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr unsigned native_arch = AUDIT_ARCH_AARCH64;
#else
constexpr unsigned native_arch = 0;  // no filter: the system call numbers below are not checked here
#endif

constexpr unsigned field(std::size_t offset) { return static_cast<unsigned>(offset); }
constexpr unsigned nr_at = field(offsetof(seccomp_data, nr));
constexpr unsigned arch_at = field(offsetof(seccomp_data, arch));
// The low 32 bits of an argument (little-endian): a family or a type is an int.
constexpr unsigned arg_at(unsigned i) { return field(offsetof(seccomp_data, args)) + 8 * i; }

constexpr unsigned allow = SECCOMP_RET_ALLOW;
constexpr unsigned refuse = SECCOMP_RET_ERRNO | (EACCES & SECCOMP_RET_DATA);
constexpr unsigned no_such_call = SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA);

}  // namespace

const char* install_socket_filter(bool allow_tcp) noexcept {
  if (native_arch == 0) return nullptr;
  // A jump's offsets count the instructions after it; the last three are the answers
  // (15 allow, 16 refuse, 17 no such call). The program, in order:
  //  1 arch != native (a 32-bit system call from a 64-bit process): no such call
  //  4 nr >= the x32 bit: no such call (the x32 ABI would be a second way in)
  //  5 io_uring_setup: no such call
  //  6 nr != socket: allow
  //  9 family AF_UNIX: allow
  // 10 family AF_INET / AF_INET6, with allow_tcp only: stream sockets only
  const unsigned tcp = allow_tcp ? 1U : 0U;
  sock_filter program[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arch_at),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, native_arch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, no_such_call),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, nr_at),
#if defined(__x86_64__)
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000U, 12, 0),
#else
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0xFFFFFFFFU, 12, 0),
#endif
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_setup, 11, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, allow),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arg_at(0)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 5, 0),
      // Without allow_tcp both tests below compare with -1, which no family is.
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, tcp ? AF_INET : 0xFFFFFFFFU, 1, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, tcp ? AF_INET6 : 0xFFFFFFFFU, 0, 4),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arg_at(1)),
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xF),  // the type without SOCK_CLOEXEC / SOCK_NONBLOCK
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOCK_STREAM, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, allow),
      BPF_STMT(BPF_RET | BPF_K, refuse),
      BPF_STMT(BPF_RET | BPF_K, no_such_call),
  };
  sock_fprog filter{static_cast<unsigned short>(sizeof program / sizeof program[0]), program};
  if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter) != 0) return "prctl PR_SET_SECCOMP (the socket filter)";
  return nullptr;
}

}  // namespace grader
