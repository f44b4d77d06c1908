// Under ThreadSanitizer only (there is no address-space limit there), allocates and touches
// memory without bound; in the normal run it does nothing, so the case passes there. It stops
// by itself at 6 GiB so that a grader that fails to stop it does not take the machine down.
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

void hostile_act() {
#if defined(__SANITIZE_THREAD__)
  std::vector<std::unique_ptr<char[]>> hoard;
  for (int block = 0; block < 96; ++block) {
    hoard.emplace_back(new char[64 << 20]);
    std::memset(hoard.back().get(), 1, 64 << 20);
  }
  std::this_thread::sleep_for(std::chrono::minutes(10));
#endif
}
