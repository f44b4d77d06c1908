#include "build_folder.hpp"

#include <fstream>
#include <sstream>

namespace parlab::student {

BuildFolder BuildFolder::read(const std::filesystem::path& build_dir) {
  BuildFolder folder;
  std::ifstream cache(build_dir / "CMakeCache.txt");
  folder.configured = cache.is_open();
  // Cache entries are lines NAME:TYPE=VALUE.
  const std::string entry = "PARLAB_LABS:";
  for (std::string line; std::getline(cache, line);) {
    const auto equals = line.find('=');
    if (line.starts_with(entry) && equals != std::string::npos) folder.only_labs = line.substr(equals + 1);
  }
  return folder;
}

bool BuildFolder::builds(const Lab& lab) const {
  if (only_labs.empty()) return true;
  std::istringstream ids(only_labs);
  for (std::string id; std::getline(ids, id, ';');) {
    if (id == lab.id) return true;
  }
  return false;
}

}  // namespace parlab::student
