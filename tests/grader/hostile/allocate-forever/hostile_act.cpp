// Allocates and touches memory without bound.
#include <cstring>
#include <memory>

void hostile_act() {
  std::vector<std::unique_ptr<char[]>> hoard;
  while (true) {
    hoard.emplace_back(new char[64 << 20]);
    std::memset(hoard.back().get(), 1, 64 << 20);
  }
}
