#include "course.hpp"

#include <stdexcept>

namespace parlab::student {
namespace fs = std::filesystem;

Course Course::load(const fs::path& source_dir, const fs::path& build_dir) {
  const fs::path labs_dir = source_dir / "labs";
  if (!fs::is_directory(labs_dir)) {
    throw std::runtime_error(labs_dir.string() + " does not exist: run parlab from a parlab checkout, or pass --source DIR");
  }
  manifest::Catalog catalog = manifest::discover_labs(source_dir);
  // A student's broken manifest is an edit gone wrong in a given file: say so at once.
  if (!catalog.broken.empty()) throw std::runtime_error("cannot read a lab manifest: " + catalog.broken.front().error);
  if (catalog.labs.empty()) throw std::runtime_error("no lab manifests found under " + labs_dir.string());
  return Course{source_dir, build_dir, std::move(catalog.labs)};
}

const Lab& Course::lab(const std::string& name) const {
  if (const Lab* found = manifest::find_lab(labs, name)) return *found;
  std::string known;
  for (const auto& lab : labs) known += "\n  " + lab.id + "  " + lab.slug + "  " + lab.title;
  throw std::invalid_argument("no lab called '" + name + "'. The labs are:" + known);
}

}  // namespace parlab::student
