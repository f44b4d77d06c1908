#include "student_objects.hpp"

#include <algorithm>
#include <array>
#include <sstream>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "util/command.hpp"
#include "util/files.hpp"
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
  if (sanitized && (name == ".init_array.00099" || name == ".rela.init_array.00099" || name == ".fini_array.00099" ||
                    name == ".rela.fini_array.00099")) {
    return {};
  }
  if (name.starts_with(".fini_array") || name.starts_with(".dtors") || name == ".fini") {
    return fmt::format("the code has a section {} (a destructor function, e.g. __attribute__((destructor))) that would "
                       "run in the test process when it exits; put that clean-up into the function that needs it",
                       name);
  }
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

bool parlab_symbol(std::string_view name) { return allowed_symbol(name, false); }

// The words of a readelf line.
std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  for (std::string word; in >> word;) w.push_back(word);
  return w;
}

}  // namespace

ObjectRewrite plan_object_rewrite(const std::string& output) {
  ObjectRewrite plan;
  for (const auto& line : split_lines(output)) {
    const std::vector<std::string> w = words_of(line);
    if (!w.empty() && w[0].starts_with("[") && w[0] != "[Nr]") {
      const std::size_t at = w[0].ends_with("]") ? 1 : 2;
      if (w.size() <= at) continue;
      const std::string& name = w[at];
      // (objcopy renames each section's relocations, .rela<name>, with it)
      if (name == ".init_array") plan.sections.emplace_back(name, "parlab_student_init");
      if (name == ".init_array.00099") plan.sections.emplace_back(name, "parlab_student_preinit");
      if (name == ".fini_array.00099") plan.sections.emplace_back(name, "parlab_student_fini");
      continue;
    }
    if (w.size() >= 8 && w[0].ends_with(":") && w[0] != "Num:") {
      const std::string& bind = w[4];
      const std::string& ndx = w[6];
      const std::string& name = w[7];
      if (ndx == "UND" || parlab_symbol(name)) continue;
      // Local symbols too, for the names of COMDAT groups (e.g. a destructor's ...D5Ev):
      // a group that kept its name would still be merged with the test program's copy, and
      // the student's renamed symbols in it would be left pointing at a discarded section.
      if (bind == "LOCAL" && !name.starts_with("_Z") && !name.starts_with("DW.ref.")) continue;
      if (std::find(plan.private_symbols.begin(), plan.private_symbols.end(), name) == plan.private_symbols.end()) {
        plan.private_symbols.push_back(name);
      }
    }
  }
  return plan;
}

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

namespace {

CommandResult read_object(const std::filesystem::path& object) {
  return run_command({"readelf", "-S", "-s", "-W", object.string()}, command_options(std::chrono::seconds(60), 64 << 20));
}

}  // namespace

std::string why_object_refused(const std::filesystem::path& object, bool sanitized) {
  const CommandResult r = read_object(object);
  if (!r.ok()) return "the compiled object could not be read (readelf failed): " + first_lines(r.output, 3);
  return why_readelf_refused(r.output, sanitized);
}

std::string check_and_move_student_code_aside(const std::filesystem::path& object, bool sanitized,
                                              const std::filesystem::path& work) {
  const CommandResult r = read_object(object);
  if (!r.ok()) return "the compiled object could not be read (readelf failed): " + first_lines(r.output, 3);
  if (std::string why = why_readelf_refused(r.output, sanitized); !why.empty()) return why;
  const ObjectRewrite plan = plan_object_rewrite(r.output);
  std::vector<std::string> command = {"objcopy"};
  for (const auto& [from, to] : plan.sections) command.push_back("--rename-section=" + from + "=" + to);
  if (!plan.private_symbols.empty()) {
    std::string renames;
    for (const auto& name : plan.private_symbols) renames += name + " " + name + ".parlab_student\n";
    const std::filesystem::path list = work / "private-symbols.txt";
    write_file_atomically(list, renames);
    command.push_back("--redefine-syms=" + list.string());
  }
  if (command.size() == 1) return {};
  command.push_back(object.string());
  const CommandResult done = run_command(command, command_options(std::chrono::seconds(60), 256 << 20));
  if (!done.ok()) return "the compiled object could not be prepared for linking (objcopy failed): " + first_lines(done.output, 3);
  return {};
}

}  // namespace grader
