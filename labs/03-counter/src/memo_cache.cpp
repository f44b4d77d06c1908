// Lab 03, task 5 (optional): a disk memo cache that computes each key once.
// Read the handout and include/parlab/lab03/memo.hpp.
#include "parlab/lab03/memo.hpp"

#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "parlab/fd.hpp"
#include "parlab/todo.hpp"

namespace parlab::lab03 {

DiskMemo::DiskMemo(std::filesystem::path dir) : dir_(std::move(dir)) {
  // TODO (task 5): throw std::invalid_argument unless dir_ is an existing directory.
  todo("DiskMemo (lab 03, task 5)");
}

std::optional<std::string> DiskMemo::lookup(std::string_view key) const {
  // TODO (task 5): check the key; read <dir>/<key>.value if it exists.
  (void)key;
  todo("DiskMemo::lookup (lab 03, task 5)");
}

std::string DiskMemo::get_or_compute(std::string_view key, const std::function<std::string()>& compute) {
  // TODO (task 5): check the key; return the stored value if there is one; otherwise take
  // a per-key lock, look again, compute, store with a temporary file + rename.
  (void)key, (void)compute;
  todo("DiskMemo::get_or_compute (lab 03, task 5)");
}

}  // namespace parlab::lab03
