// Fills the disk through its scratch folder, /tmp and /dev/shm with files of 32 MiB, each
// under the file-size limit, up to 1.5 GiB; then it waits. Only a quota on what the case
// writes in all stops it.
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

void hostile_act() {
  const std::vector<char> block(1 << 20, 'x');
  int written_mib = 0;
  for (const std::string folder : {".", "/tmp", "/dev/shm"}) {
    for (int file = 0; file < 16 && written_mib < 1536; ++file) {
      std::ofstream out(folder + "/fill-" + std::to_string(file));
      for (int mib = 0; mib < 32 && out; ++mib, ++written_mib) out.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
  }
  std::this_thread::sleep_for(std::chrono::minutes(10));
}
