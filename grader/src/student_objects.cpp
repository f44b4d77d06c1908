#include "student_objects.hpp"

#include <array>
#include <sstream>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "util/command.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

bool starts_with_any(std::string_view name, std::initializer_list<std::string_view> prefixes) {
  for (const auto p : prefixes) {
    if (name.starts_with(p)) return true;
  }
  return false;
}

std::string refused_section(std::string_view name, bool sanitized) {
  if (sanitized && (name == ".init_array.00099" || name == ".rela.init_array.00099")) return {};
  if (name == ".init" || name.starts_with(".preinit_array") || name.starts_with(".init_array.") || name.starts_with(".ctors")) {
    return fmt::format("the code has a section {} that would run before the test framework starts (an initialiser "
                       "with a priority, or a pre-initialiser); use plain static objects or functions instead",
                       name);
  }
  return {};
}

bool allowed_symbol(std::string_view name, bool weak) {
  // Everything of namespace parlab: functions, variables, vtables, typeinfo, guards, thunks.
  if (starts_with_any(name, {"_ZN6parlab", "_ZNK6parlab", "_ZZN6parlab", "_ZZNK6parlab", "_ZTVN6parlab", "_ZTIN6parlab",
                             "_ZTSN6parlab", "_ZTTN6parlab", "_ZGVN6parlab", "_ZGVZN6parlab", "_ZGVZNK6parlab"})) {
    return true;
  }
  if (starts_with_any(name, {"_ZTh", "_ZTv", "_ZTc"}) && name.find("N6parlab") != std::string_view::npos) return true;
  // Weak instantiations of the standard library's templates (and their typeinfo), which
  // every translation unit that uses std::vector or std::thread emits.
  return weak && starts_with_any(name, {"_ZNSt", "_ZNKSt", "_ZSt", "_ZNSa", "_ZNKSa", "_ZN9__gnu_cxx", "_ZNK9__gnu_cxx",
                                        "_ZZNSt", "_ZZNKSt", "_ZTS", "_ZTI", "_ZTV", "_ZGV", "_ZN5fmt", "_ZNK5fmt", "_ZN8nlohmann",
                                        "_ZNK8nlohmann", "_ZZN8nlohmann", "DW.ref."});
}

}  // namespace

std::string why_readelf_refused(const std::string& output, bool sanitized) {
  for (const auto& line : split_lines(output)) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    // Section headers: "[ 7] .init_array.00101 INIT_ARRAY ..." (readelf prints "[Nr]" as one or two words).
    if (!w.empty() && w[0].starts_with("[") && w[0] != "[Nr]") {
      const std::size_t at = w[0].ends_with("]") ? 1 : 2;
      if (w.size() > at) {
        if (auto why = refused_section(w[at], sanitized); !why.empty()) return why;
      }
      continue;
    }
    // Symbols: "Num: Value Size Type Bind Vis Ndx Name".
    if (w.size() >= 8 && w[0].ends_with(":") && w[0] != "Num:") {
      const std::string& type = w[3];
      const std::string& bind = w[4];
      const std::string& ndx = w[6];
      const std::string& name = w[7];
      if (type == "IFUNC") return fmt::format("the code defines {} as an ifunc, whose resolver runs before the program starts", name);
      if (ndx == "UND" || bind == "LOCAL") continue;
      if (!allowed_symbol(name, bind == "WEAK" || bind == "UNIQUE")) {
        return fmt::format("the code defines the global symbol {} outside namespace parlab; put every function and "
                           "variable in namespace parlab::labNN (or in an anonymous namespace inside it)",
                           name);
      }
    }
  }
  return {};
}

std::string why_object_refused(const std::filesystem::path& object, bool sanitized) {
  const CommandResult r = run_command({"readelf", "-S", "-s", "-W", object.string()}, command_options(std::chrono::seconds(60), 64 << 20));
  if (!r.ok()) return "the compiled object could not be read (readelf failed): " + first_lines(r.output, 3);
  return why_readelf_refused(r.output, sanitized);
}

}  // namespace grader
