// Given support code for lab 03: the shared mapping and the scratch directory.
#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include "parlab/lab03/scratch_dir.hpp"
#include "parlab/lab03/shared_memory.hpp"

namespace parlab::lab03 {

SharedMapping::SharedMapping(std::size_t bytes) {
  if (bytes == 0) throw std::invalid_argument("SharedMapping: size must be at least one byte");
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    throw std::system_error(errno, std::generic_category(),
                            "mmap(MAP_SHARED | MAP_ANONYMOUS) of " + std::to_string(bytes) + " bytes");
  }
  data_ = p;
  size_ = bytes;
}

SharedMapping::~SharedMapping() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

SharedMapping& SharedMapping::operator=(SharedMapping&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

namespace {

// Where scratch directories go, best first: $PARLAB_SCRATCH_DIR, then /dev/shm (a tmpfs: in
// memory, so a test measures locks rather than the disk's journal; a rename on ext4 costs
// 0.3-1 ms), then $TMPDIR when set, then the system's temporary directory. A base that
// cannot be written (a sandbox's /dev/shm) is skipped.
std::vector<std::filesystem::path> scratch_bases() {
  std::vector<std::filesystem::path> bases;
  auto add_variable = [&](const char* var) {
    const char* value = std::getenv(var);
    if (value != nullptr && *value != '\0') bases.emplace_back(value);
  };
  add_variable("PARLAB_SCRATCH_DIR");
  bases.emplace_back("/dev/shm");
  add_variable("TMPDIR");
  std::error_code ec;
  const auto tmp = std::filesystem::temp_directory_path(ec);
  bases.push_back(ec ? std::filesystem::path("/tmp") : tmp);
  return bases;
}

}  // namespace

ScratchDir::ScratchDir(std::string_view prefix) : owner_(::getpid()) {
  int last_error = 0;
  std::string tried;
  for (const auto& base : scratch_bases()) {
    const std::string pattern = (base / (std::string(prefix) + "-XXXXXX")).string();
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    if (::mkdtemp(name.data()) != nullptr) {
      path_ = name.data();
      return;
    }
    last_error = errno;
    tried += (tried.empty() ? "" : ", ") + pattern;
  }
  throw std::system_error(last_error, std::generic_category(), "mkdtemp (tried " + tried + ")");
}

ScratchDir::~ScratchDir() {
  if (::getpid() != owner_ || path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace parlab::lab03
