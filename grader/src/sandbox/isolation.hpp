#pragma once
// How well the machine lets the grader isolate a test. Probed once at start-up: inside
// some containers bubblewrap or network namespaces are not allowed.

#include <string>

namespace grader {

enum class IsolationLevel {
  bubblewrap,         // no network, private pid namespace, read-only system, only scratch writable,
                      // hidden tests / solutions / other submissions not visible
  network_namespace,  // no network (unshare), everything else as `limits`
  limits,             // process group + session, rlimits, scratch directory, everything killed; where the
                      // kernel offers Landlock, a file-system allow-list and no TCP; a seccomp filter
                      // refuses every socket family but AF_UNIX
};

struct Isolation {
  IsolationLevel level = IsolationLevel::limits;
  bool separate_uid = false;  // tests run under a uid of their own (the grader runs as root)
  std::string bwrap;          // path of bwrap when level == bubblewrap
  int landlock_abi = 0;       // below bubblewrap: the kernel's Landlock (landlock.hpp) gives the allow-list; 0: none
  [[nodiscard]] std::string name() const;         // "bubblewrap", "network-namespace", "limits"
  [[nodiscard]] std::string description() const;  // one sentence for reports
};

// `wanted`: "auto" (the best that works), "bubblewrap", "network-namespace" or "limits".
// Throws std::runtime_error when a level that was asked for explicitly does not work.
[[nodiscard]] Isolation probe_isolation(const std::string& wanted);

}  // namespace grader
