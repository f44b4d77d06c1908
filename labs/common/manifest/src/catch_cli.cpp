#include "parlab/manifest/catch_cli.hpp"

#include <sstream>

namespace parlab::manifest {

std::vector<std::string> catch_list_arguments() {
#if PARLAB_MANIFEST_CATCH_MAJOR >= 3
  return {"--list-tests", "--verbosity", "quiet"};
#else
  return {"--list-test-names-only"};
#endif
}

std::vector<std::string> catch_listed_names(const std::string& listing) {
  std::vector<std::string> names;
  std::istringstream in(listing);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Catch2 2.x adds this line when a filter matched nothing; no real name starts so.
    if (line.empty() || line.starts_with("No test cases matched")) continue;
    names.push_back(line);
  }
  return names;
}

std::string catch_test_spec(const std::string& name) {
  std::string spec;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '\\' || c == '[' || c == ']' || c == ',' || c == '*' || c == '"' || (i == 0 && (c == '~' || c == '#'))) {
      spec += '\\';
    }
    spec += c;
  }
  return spec;
}

std::vector<std::string> catch_no_colour_arguments() {
#if PARLAB_MANIFEST_CATCH_MAJOR >= 3
  return {"--colour-mode", "none"};
#else
  return {"--use-colour", "no"};
#endif
}

}  // namespace parlab::manifest
