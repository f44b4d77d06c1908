// Holds 3 GiB in 48 memfd files of 64 MiB, written but never mapped: no address space is
// used, so only a limit that counts what the case holds stops it. Then it waits.
#include <sys/mman.h>
#include <unistd.h>

#include <thread>
#include <vector>

void hostile_act() {
  const std::vector<char> block(1 << 20, 'x');
  for (int file = 0; file < 48; ++file) {
    const int fd = ::memfd_create("hoard", 0);
    if (fd < 0) break;
    for (int mib = 0; mib < 64; ++mib) {
      if (::write(fd, block.data(), block.size()) < 0) break;
    }
  }
  std::this_thread::sleep_for(std::chrono::minutes(10));
}
