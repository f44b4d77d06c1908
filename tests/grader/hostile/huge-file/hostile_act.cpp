// Writes one file without end in its scratch folder.
#include <cstdio>

void hostile_act() {
  std::FILE* out = std::fopen("huge.bin", "wb");
  if (out == nullptr) return;
  const std::vector<char> block(1 << 20, 'x');
  while (true) std::fwrite(block.data(), 1, block.size(), out);
}
