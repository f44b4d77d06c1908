#pragma once
// How many hint layers the student has revealed per task, kept in <source>/.parlab/hints.json
// so that it survives rebuilds and a fresh build directory.

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace parlab::student {

class HintState {
 public:
  explicit HintState(std::filesystem::path file);
  [[nodiscard]] int revealed(const std::string& lab, const std::string& task) const;
  // Records one more revealed layer and saves at once (atomically: temporary file + rename).
  void reveal_next(const std::string& lab, const std::string& task);

 private:
  std::filesystem::path file_;
  nlohmann::json state_ = nlohmann::json::object();
};

}  // namespace parlab::student
