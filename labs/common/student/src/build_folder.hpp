#pragma once
// The build folder as the configure step left it: whether it is configured at all, and which
// labs it builds, so that a lab left out of the build is not mistaken for one that does not
// compile (both fail to build its targets).

#include <filesystem>
#include <string>

#include "course.hpp"

namespace parlab::student {

struct BuildFolder {
  bool configured = false;  // it holds a CMakeCache.txt
  std::string only_labs;    // PARLAB_LABS as configured, e.g. "01;03"; empty: every lab

  // Reads <build_dir>/CMakeCache.txt, where CMake keeps the options the folder was configured with.
  [[nodiscard]] static BuildFolder read(const std::filesystem::path& build_dir);
  // Whether the configure step added the lab's targets (the rule of the top-level CMakeLists.txt).
  [[nodiscard]] bool builds(const Lab& lab) const;
};

}  // namespace parlab::student
