#include "compile_sandbox.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "student_objects.hpp"
#include "util/files.hpp"
#include "verdict.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

using nlohmann::json;

json limits_to_json(const SandboxLimits& l) {
  return {{"wall_ms", l.wall.count()}, {"cpu_s", l.cpu_seconds}, {"address_space", l.address_space},
          {"memory", l.memory},        {"disk", l.disk},         {"file_size", l.file_size},
          {"open_files", l.open_files}, {"processes", l.processes}, {"output", l.output_bytes}};
}

SandboxLimits limits_from_json(const json& j) {
  SandboxLimits l;
  l.wall = std::chrono::milliseconds(j.at("wall_ms").get<long long>());
  l.cpu_seconds = j.at("cpu_s").get<unsigned>();
  l.address_space = j.at("address_space").get<std::uint64_t>();
  l.memory = j.at("memory").get<std::uint64_t>();
  l.disk = j.at("disk").get<std::uint64_t>();
  l.file_size = j.at("file_size").get<std::uint64_t>();
  l.open_files = j.at("open_files").get<unsigned>();
  l.processes = j.at("processes").get<unsigned>();
  l.output_bytes = j.at("output").get<std::uint64_t>();
  return l;
}

CompileSandboxSettings read_settings(const fs::path& file) {
  const json j = json::parse(read_file(file));
  CompileSandboxSettings s;
  const std::string level = j.at("isolation").get<std::string>();
  s.isolation.level = level == "bubblewrap"          ? IsolationLevel::bubblewrap
                      : level == "network-namespace" ? IsolationLevel::network_namespace
                                                     : IsolationLevel::limits;
  s.isolation.bwrap = j.at("bwrap").get<std::string>();
  s.isolation.separate_uid = j.at("separate_uid").get<bool>();
  s.scratch_root = j.at("scratch_root").get<std::string>();
  for (const auto& p : j.at("readable")) s.readable.emplace_back(p.get<std::string>());
  s.limits = limits_from_json(j.at("limits"));
  return s;
}

// Every file a dependency file names must be the system's, the lab kit's or the
// submission's. Under bubblewrap nothing else can be opened at all; with weaker isolation
// this still refuses an object built from an #include of a hidden test or the reference.
std::string outside_dependency(const std::string& depfile, const std::vector<fs::path>& readable) {
  std::string token;
  auto check = [&](const std::string& name) -> bool {
    if (name.empty() || name.back() == ':' || name[0] != '/') return false;
    if (path_is_under(name, "/usr")) return false;
    for (const auto& dir : readable) {
      if (path_is_under(name, dir)) return false;
    }
    return true;
  };
  for (std::size_t i = 0; i <= depfile.size(); ++i) {
    const char c = i < depfile.size() ? depfile[i] : ' ';
    if (c == '\\' && i + 1 < depfile.size() && depfile[i + 1] != '\n') {
      token += depfile[++i];
    } else if (c == ' ' || c == '\n' || c == '\\' || c == '\t') {
      if (check(token)) return token;
      token.clear();
    } else {
      token += c;
    }
  }
  return {};
}

std::string stopped_reason(const SandboxResult& run, const SandboxLimits& limits) {
  using Ending = SandboxResult::Ending;
  const std::string limit_pair = fmt::format("{} / {:.0f} s", human_bytes(limits.memory),
                                             std::chrono::duration<double>(limits.wall).count());
  switch (run.ending) {
    case Ending::timed_out: return fmt::format("took more than {:.0f} s (the limits are {})", std::chrono::duration<double>(limits.wall).count(), limit_pair);
    case Ending::memory_limit: return fmt::format("used more than {} of memory (the limits are {})", human_bytes(limits.memory), limit_pair);
    case Ending::disk_quota: return fmt::format("wrote more than {} of object and temporary files", human_bytes(limits.disk));
    case Ending::output_limit: return fmt::format("printed more than {} of diagnostics", human_bytes(limits.output_bytes));
    case Ending::process_limit: return "started too many processes";
    case Ending::signaled:
      if (run.signal == SIGXCPU || run.signal == SIGKILL) return fmt::format("used more than {} s of CPU time or was killed (the limits are {})", limits.cpu_seconds, limit_pair);
      if (run.signal == SIGXFSZ) return fmt::format("wrote a file larger than {}", human_bytes(limits.file_size));
      return {};
    case Ending::exited:
      // At the address-space limit the compiler gives up by itself.
      if (run.exit_code != 0 && (contains(run.output, "virtual memory exhausted") || contains(run.output, "out of memory allocating"))) {
        return fmt::format("used more than {} of memory (the limits are {})", human_bytes(limits.memory), limit_pair);
      }
      return {};
  }
  return {};
}

}  // namespace

SandboxLimits compile_limits(std::chrono::seconds seconds, std::uint64_t memory, std::uint64_t output) {
  SandboxLimits l;
  l.wall = seconds;
  l.cpu_seconds = static_cast<unsigned>(seconds.count());
  l.address_space = memory;
  l.memory = memory;
  l.disk = output;
  l.file_size = output;
  l.output_bytes = std::min<std::uint64_t>(output, 4 << 20);
  l.processes = 64;
  return l;
}

void write_compile_settings(const fs::path& file, const CompileSandboxSettings& s) {
  json readable = json::array();
  for (const auto& p : s.readable) readable.push_back(p.string());
  const json j = {{"isolation", s.isolation.name()}, {"bwrap", s.isolation.bwrap}, {"separate_uid", s.isolation.separate_uid},
                  {"scratch_root", s.scratch_root.string()}, {"readable", readable}, {"limits", limits_to_json(s.limits)}};
  const std::string text = j.dump(2);
  std::error_code ec;
  if (fs::exists(file, ec)) {
    try {
      if (read_file(file) == text) return;  // unchanged: ninja's view of the tree stays as it was
    } catch (const std::exception&) {
    }
  }
  write_file_atomically(file, text);
}

std::string compile_launcher(const fs::path& grader_executable, const fs::path& settings_file) {
  return grader_executable.string() + ";__compile-student;" + settings_file.string();
}

int compile_student_main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "parlab-grader __compile-student: internal use only\n");
    return 127;
  }
  try {
    become_child_subreaper();
    const CompileSandboxSettings settings = read_settings(argv[2]);
    std::vector<std::string> command(argv + 3, argv + argc);
    Sandbox sandbox(settings.isolation, {settings.scratch_root, current_executable()}, 1);
    const fs::path scratch = settings.scratch_root / ("compile-" + random_hex(8));
    struct Cleanup {
      fs::path path;
      ~Cleanup() { remove_tree_quietly(path); }
    } cleanup{scratch};
    // The compiler writes its object and dependency file into the scratch folder.
    std::string object, depfile;
    for (std::size_t i = 0; i + 1 < command.size(); ++i) {
      if (command[i] == "-o") {
        object = command[i + 1];
        command[i + 1] = (scratch / "out.o").string();
      } else if (command[i] == "-MF") {
        depfile = command[i + 1];
        command[i + 1] = (scratch / "out.d").string();
      }
    }
    if (object.empty()) throw std::runtime_error("no -o in the compile command");

    SandboxRequest request;
    request.argv = command;
    request.limits = settings.limits;
    request.read_only = settings.readable;
    request.scratch_in_memory = false;
    request.scratch = scratch;
    const SandboxResult run = sandbox.run(request);
    std::fwrite(run.output.data(), 1, run.output.size(), stderr);
    if (!run.setup_failure.empty()) {
      std::fprintf(stderr, "parlab-grader: sandbox set-up failed: %s\n", run.setup_failure.c_str());
      return 1;
    }
    const std::string reason = stopped_reason(run, settings.limits);
    if (!reason.empty()) {
      std::fprintf(stderr, "\n%s%s\n", compilation_stopped_marker, reason.c_str());
      return 1;
    }
    if (run.ending != SandboxResult::Ending::exited) {
      std::fprintf(stderr, "parlab-grader: the compiler crashed (%s)\n", describe_signal(run.signal).c_str());
      return 1;
    }
    if (run.exit_code != 0) return run.exit_code;
    const bool sanitized = std::any_of(command.begin(), command.end(), [](const std::string& a) { return a.starts_with("-fsanitize="); });
    if (const std::string refused = check_and_move_student_code_aside(scratch / "out.o", sanitized, scratch); !refused.empty()) {
      std::fprintf(stderr, "error: %s\n", refused.c_str());
      return 1;
    }
    if (!depfile.empty()) {
      const std::string deps = read_file(scratch / "out.d");
      if (const std::string outside = outside_dependency(deps, settings.readable); !outside.empty()) {
        std::fprintf(stderr, "error: the file includes %s, which is not part of the lab kit or of the submission; "
                             "only the lab's headers, the common headers and your own files can be included\n",
                     outside.c_str());
        return 1;
      }
      write_file_atomically(depfile, deps);
    }
    fs::copy_file(scratch / "out.o", object, fs::copy_options::overwrite_existing);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parlab-grader __compile-student: %s\n", e.what());
    return 127;
  }
}

}  // namespace grader
