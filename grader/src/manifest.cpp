#include "manifest.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace grader {

LabCatalog discover_labs(const std::filesystem::path& source_root) {
  if (!std::filesystem::is_directory(source_root / "labs")) {
    throw std::runtime_error((source_root / "labs").string() + " does not exist: is --source-dir a parlab tree?");
  }
  return parlab::manifest::discover_labs(source_root);
}

std::vector<LabManifest> select_labs(const LabCatalog& catalog, const std::vector<std::string>& ids) {
  const auto& all = catalog.labs;
  if (ids.empty()) return all;
  std::vector<LabManifest> chosen;
  for (const auto& id : ids) {
    const LabManifest* found = parlab::manifest::find_lab(all, id);
    if (found == nullptr) {
      for (const auto& broken : catalog.broken) {
        if (parlab::manifest::names_lab(broken.folder, id)) throw std::runtime_error("lab " + id + ": " + broken.error);
      }
      std::string known;
      for (const auto& lab : all) known += (known.empty() ? "" : ", ") + lab.id;
      throw std::invalid_argument(fmt::format("unknown lab '{}'; this tree has labs {}", id, known));
    }
    if (std::none_of(chosen.begin(), chosen.end(), [&](const auto& lab) { return lab.id == found->id; })) {
      chosen.push_back(*found);
    }
  }
  std::sort(chosen.begin(), chosen.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return chosen;
}

}  // namespace grader
