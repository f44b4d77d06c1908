// Lab 03, task 5 (reference): a disk memo cache that computes each key once.
#include "parlab/lab03/memo.hpp"

#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "parlab/fd.hpp"

namespace parlab::lab03 {
namespace {

void check_key(std::string_view key) {
  const auto ok_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
  };
  bool ok = !key.empty() && key.size() <= 100 && key.front() != '.';
  for (const char c : key) ok = ok && ok_char(c);
  if (!ok) {
    throw std::invalid_argument("DiskMemo: bad key '" + std::string(key.substr(0, 120)) +
                                "': use 1 to 100 characters from [A-Za-z0-9_.-], not starting with '.'");
  }
}

std::filesystem::path file_for(const std::filesystem::path& dir, std::string_view key, const char* suffix) {
  return dir / (std::string(key) + suffix);
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return std::nullopt;
    throw std::system_error(errno, std::generic_category(), "open " + path.string());
  }
  std::string text;
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "read " + path.string());
    }
    if (n == 0) return text;
    text.append(buf, static_cast<std::size_t>(n));
  }
}

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  static std::atomic<std::uint64_t> sequence{0};
  const std::string tmp = path.string() + ".tmp." + std::to_string(::getpid()) + "." +
                          std::to_string(sequence.fetch_add(1, std::memory_order_relaxed));
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd) throw std::system_error(errno, std::generic_category(), "create " + tmp);
  try {
    write_all(fd.get(), std::as_bytes(std::span(text.data(), text.size())));
    if (::close(fd.release()) != 0) throw std::system_error(errno, std::generic_category(), "close " + tmp);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      throw std::system_error(errno, std::generic_category(), "rename " + tmp);
    }
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

}  // namespace

DiskMemo::DiskMemo(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_, ec)) {
    throw std::invalid_argument("DiskMemo: '" + dir_.string() + "' is not an existing directory");
  }
}

std::optional<std::string> DiskMemo::lookup(std::string_view key) const {
  check_key(key);
  return read_file(file_for(dir_, key, ".value"));
}

std::string DiskMemo::get_or_compute(std::string_view key, const std::function<std::string()>& compute) {
  check_key(key);
  const auto value_path = file_for(dir_, key, ".value");
  // Fast path: already computed. The value file only ever appears whole (rename).
  if (auto hit = read_file(value_path)) return *hit;

  // Slow path: one lock per key. Whoever gets it first computes; the others wait on the
  // lock, then find the value that the first one stored.
  const auto lock_file = file_for(dir_, key, ".lock");
  const UniqueFd lock(::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666));
  if (!lock) throw std::system_error(errno, std::generic_category(), "open " + lock_file.string());
  while (::flock(lock.get(), LOCK_EX) != 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "flock " + lock_file.string());
  }
  if (auto hit = read_file(value_path)) return *hit;  // computed while we waited
  std::string value = compute();
  write_file_atomically(value_path, value);
  return value;
}  // closing `lock` releases it, on the exception path too

}  // namespace parlab::lab03
