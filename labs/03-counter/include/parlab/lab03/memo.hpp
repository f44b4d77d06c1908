#pragma once
// Lab 03, task 5 (optional): a memo cache on disk that processes share. You write
// src/memo_cache.cpp.
//
// Like the notebooks' joblib Memory: an expensive result is computed once and kept in a
// file; whoever asks later reads the file. The hard part is "at the same time": when
// several processes ask for a missing key at once, exactly one computes it and the
// others wait for its result instead of computing it again.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace parlab::lab03 {

class DiskMemo {
 public:
  // Uses (and never deletes) the existing directory `dir`. Throws std::invalid_argument,
  // whose message names the path, when it is missing or not a directory.
  explicit DiskMemo(std::filesystem::path dir);

  // The stored value for `key`. If there is none, calls compute() exactly once across all
  // threads and processes that ask for `key` at the same time, stores the result (a new
  // file renamed into place, so no reader sees half of it) and returns it. If compute()
  // throws, nothing is stored, the exception propagates and the next caller tries again.
  // Keys are 1 to 100 characters from [A-Za-z0-9_.-], not starting with '.'; any other
  // key throws std::invalid_argument whose message quotes the key (keys become file
  // names). A stored empty string is a value like any other: it comes back as "".
  std::string get_or_compute(std::string_view key, const std::function<std::string()>& compute);

  // The stored value, or std::nullopt; never computes. Same key rules.
  [[nodiscard]] std::optional<std::string> lookup(std::string_view key) const;

  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace parlab::lab03
