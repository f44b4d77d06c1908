#include "sandbox/view.hpp"

#include "util/files.hpp"

#include <algorithm>
#include <set>
#include <system_error>

namespace grader {

namespace {

namespace fs = std::filesystem;

// The system a compiler or a test program needs: the programs and libraries (on a merged
// /usr these top-level names are links into it) and the /etc files that the dynamic loader,
// the C++ runtime, getpwuid, gdb's attach and `c++ -> /etc/alternatives/c++` read.
const char* const system_roots[] = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};
const char* const system_etc[] = {"/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
                                  "/etc/passwd",       "/etc/group",       "/etc/nsswitch.conf", "/etc/hosts",
                                  "/etc/localtime",    "/etc/os-release",  "/etc/debian_version"};

void add_system_path(std::vector<std::string>& args, const fs::path& path) {
  std::error_code ec;
  const auto status = fs::symlink_status(path, ec);
  if (ec || !fs::exists(status)) return;
  if (fs::is_symlink(status)) {
    args.insert(args.end(), {"--symlink", fs::read_symlink(path, ec).string(), path.string()});
  } else {
    args.insert(args.end(), {"--ro-bind", path.string(), path.string()});
  }
}

}  // namespace

std::vector<fs::path> system_paths() {
  std::vector<fs::path> paths(std::begin(system_roots), std::end(system_roots));
  paths.insert(paths.end(), std::begin(system_etc), std::end(system_etc));
  return paths;
}

std::vector<std::string> bubblewrap_view_arguments(const ViewSpec& spec) {
  // No --bind / /: the root is bubblewrap's own empty tmpfs, and only what follows exists.
  std::vector<std::string> args;
  for (const char* root : system_roots) add_system_path(args, root);
  // /etc itself is made here: bubblewrap would make it 0700, out of the test uid's reach.
  args.insert(args.end(), {"--perms", "0755", "--dir", "/etc"});
  for (const char* file : system_etc) add_system_path(args, file);
  const std::string size = std::to_string(spec.tmpfs_bytes);
  args.insert(args.end(), {"--dev", "/dev", "--proc", "/proc",
                           "--size", size, "--perms", "1777", "--tmpfs", "/tmp",
                           "--size", size, "--perms", "1777", "--tmpfs", "/dev/shm"});
  // Mount points bubblewrap makes on its own get mode 0700, but the program runs under
  // another uid and must walk through them: every parent folder of what is bound is made
  // first with 0755 (those that lie inside a bound folder exist already). Then the binds,
  // shorter paths first, so that none covers one made before it.
  std::vector<fs::path> targets;
  auto in_system = [](const fs::path& p) {
    return std::any_of(std::begin(system_roots), std::end(system_roots), [&](const char* root) { return path_is_under(p, root); });
  };
  for (const auto& path : spec.read_only) {
    std::error_code ec;
    // What lies in the system folders is visible already (and /usr/bin/c++ is a link).
    if (fs::exists(path, ec) && !in_system(path)) targets.push_back(path.lexically_normal());
  }
  std::sort(targets.begin(), targets.end(), [](const fs::path& a, const fs::path& b) { return a.string().size() < b.string().size(); });
  auto inside_a_bind = [&](const fs::path& p) {
    return in_system(p) || std::any_of(targets.begin(), targets.end(), [&](const fs::path& t) { return path_is_under(p, t); });
  };
  std::set<std::string> made;
  auto make_parents = [&](const fs::path& target) {
    std::vector<fs::path> parents;
    for (auto p = target.parent_path(); p != p.root_path() && !p.empty(); p = p.parent_path()) parents.push_back(p);
    for (auto it = parents.rbegin(); it != parents.rend(); ++it) {
      if (!inside_a_bind(*it) && made.insert(it->string()).second) args.insert(args.end(), {"--perms", "0755", "--dir", it->string()});
    }
  };
  for (const auto& t : targets) make_parents(t);
  make_parents(spec.scratch);
  for (const auto& t : targets) args.insert(args.end(), {"--ro-bind", t.string(), t.string()});
  if (spec.scratch_in_memory) {
    args.insert(args.end(), {"--size", size, "--perms", "1777", "--tmpfs", spec.scratch.string()});
  } else {
    args.insert(args.end(), {"--bind", spec.scratch.string(), spec.scratch.string()});
  }
  return args;
}

std::vector<fs::path> writable_places(const ViewSpec& spec) {
  std::vector<fs::path> places = {"/tmp", "/dev/shm"};
  if (spec.scratch_in_memory) places.push_back(spec.scratch);
  return places;
}

}  // namespace grader
