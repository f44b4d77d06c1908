#include "sandbox/landlock.hpp"

#include <cerrno>
#include <cstdint>
#include <system_error>

#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

namespace grader {

namespace {

namespace fs = std::filesystem;

// Rights by the ABI that introduced them (linux/landlock.h): a ruleset may only handle the
// rights the running kernel knows, and every right it handles is denied unless a rule allows it.
constexpr std::uint64_t fs_rights_v1 = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;  // EXECUTE .. MAKE_SYM
constexpr std::uint64_t fs_refer = 1ULL << 13;                                    // ABI 2
constexpr std::uint64_t fs_truncate = 1ULL << 14;                                 // ABI 3
constexpr std::uint64_t fs_ioctl_dev = 1ULL << 15;                                // ABI 5
constexpr std::uint64_t net_bind_tcp = 1ULL << 0;                                 // ABI 4
constexpr std::uint64_t net_connect_tcp = 1ULL << 1;
constexpr std::uint64_t scope_abstract_unix = 1ULL << 0;                          // ABI 6
constexpr std::uint64_t scope_signal = 1ULL << 1;

// Only these rights may be given on a file (the rest concern folders).
constexpr std::uint64_t file_rights = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                                      LANDLOCK_ACCESS_FS_READ_FILE | fs_truncate | fs_ioctl_dev;

// The ruleset attributes of ABI 6 (linux/landlock.h on Debian 12 is older): the kernel reads
// as many bytes as it is given, so a shorter struct on an older kernel is the older layout.
struct RulesetAttributes {
  std::uint64_t handled_access_fs = 0;
  std::uint64_t handled_access_net = 0;
  std::uint64_t scoped = 0;
};
struct PathBeneath {
  std::uint64_t allowed_access;
  std::int32_t parent_fd;
} __attribute__((packed));

constexpr int rule_path_beneath = 1;

std::uint64_t handled_fs(int abi) {
  std::uint64_t rights = fs_rights_v1;
  if (abi >= 2) rights |= fs_refer;
  if (abi >= 3) rights |= fs_truncate;
  if (abi >= 5) rights |= fs_ioctl_dev;
  return rights;
}

// Allows `rights` beneath `path` (or on it, for a file). A path that does not exist here is
// skipped: /lib32 and friends exist on some systems only.
void allow(int ruleset, const fs::path& path, std::uint64_t rights, std::uint64_t handled) {
  const UniqueFd fd(::open(path.c_str(), O_PATH | O_CLOEXEC));
  if (!fd.valid()) return;
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) return;
  PathBeneath rule{rights & handled & (S_ISDIR(st.st_mode) ? ~0ULL : file_rights), fd.get()};
  if (rule.allowed_access == 0) return;
  if (::syscall(SYS_landlock_add_rule, ruleset, rule_path_beneath, &rule, 0) != 0) {
    throw std::system_error(errno, std::generic_category(), "landlock_add_rule " + path.string());
  }
}

}  // namespace

int landlock_abi() {
  const long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return abi > 0 ? static_cast<int>(abi) : 0;
}

UniqueFd landlock_ruleset_for(const ViewSpec& view, bool allow_tcp) {
  const int abi = landlock_abi();
  if (abi == 0) return {};
  RulesetAttributes attributes;
  attributes.handled_access_fs = handled_fs(abi);
  if (abi >= 4 && !allow_tcp) attributes.handled_access_net = net_bind_tcp | net_connect_tcp;
  if (abi >= 6) attributes.scoped = scope_abstract_unix | scope_signal;
  const std::size_t size = abi >= 6 ? sizeof attributes : abi >= 4 ? 2 * sizeof(std::uint64_t) : sizeof(std::uint64_t);
  UniqueFd ruleset(static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attributes, size, 0)));
  if (!ruleset.valid()) throw std::system_error(errno, std::generic_category(), "landlock_create_ruleset");

  const std::uint64_t handled = attributes.handled_access_fs;
  const std::uint64_t read = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
  const std::uint64_t everything = handled;
  for (const auto& path : system_paths()) allow(ruleset.get(), path, read, handled);
  for (const auto& path : view.read_only) allow(ruleset.get(), path, read, handled);
  // /proc/self/maps (ThreadSanitizer, the tests' own leak checks) and the CPU count glibc reads.
  allow(ruleset.get(), "/proc", read, handled);
  allow(ruleset.get(), "/sys/devices/system/cpu", read, handled);
  // /dev/null, /dev/urandom and the like; shm_open and sem_open create files in /dev/shm.
  allow(ruleset.get(), "/dev", read | LANDLOCK_ACCESS_FS_WRITE_FILE | fs_truncate | fs_ioctl_dev, handled);
  allow(ruleset.get(), "/dev/shm", everything, handled);
  allow(ruleset.get(), view.scratch, everything, handled);
  return ruleset;
}

const char* enter_landlock(int ruleset_fd) noexcept {
  if (ruleset_fd < 0) return nullptr;
  if (::syscall(SYS_landlock_restrict_self, ruleset_fd, 0) != 0) return "landlock_restrict_self";
  ::close(ruleset_fd);
  return nullptr;
}

std::string landlock_description(int abi) {
  if (abi == 0) return "no Landlock in this kernel: the file system and the network are open to tests";
  return fmt::format("Landlock ABI {}: file-system allow-list{}{}", abi,
                     abi >= 4 ? ", TCP refused except where a lab's task needs its own server on 127.0.0.1" : ", TCP open (Linux 6.7+ can refuse it)",
                     abi >= 6 ? ", no signals to processes outside the test" : "");
}

}  // namespace grader
