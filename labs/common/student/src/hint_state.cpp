#include "hint_state.hpp"

#include <fstream>
#include <stdexcept>

namespace parlab::student {

HintState::HintState(std::filesystem::path file) : file_(std::move(file)) {
  std::ifstream in(file_);
  if (!in) return;  // nothing revealed yet
  state_ = nlohmann::json::parse(in, nullptr, false);
  if (state_.is_discarded() || !state_.is_object()) {
    // Never silently start over: the student would see hints "forgotten".
    throw std::runtime_error(file_.string() + " is not valid JSON; fix or delete it to reset your hint progress");
  }
}

int HintState::revealed(const std::string& lab, const std::string& task) const {
  if (!state_.contains(lab) || !state_[lab].contains(task)) return 0;
  return state_[lab][task].get<int>();
}

void HintState::reveal_next(const std::string& lab, const std::string& task) {
  state_[lab][task] = revealed(lab, task) + 1;
  std::filesystem::create_directories(file_.parent_path());
  const auto tmp = file_.string() + ".tmp";
  {
    std::ofstream out(tmp);
    out << state_.dump(2) << '\n';
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, file_);
}

}  // namespace parlab::student
