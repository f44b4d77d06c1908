#include "sandbox/isolation.hpp"

#include <cerrno>
#include <stdexcept>

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/landlock.hpp"
#include "util/command.hpp"

namespace grader {

namespace {

bool bubblewrap_works(const std::string& bwrap) {
  try {
    const CommandResult r = run_command(
        {bwrap, "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session",
         "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--size", "1048576", "--tmpfs", "/tmp",
         "--", "/bin/true"},
        command_options(std::chrono::seconds(20)));
    return r.ok();
  } catch (const std::exception&) {
    return false;
  }
}

bool network_namespace_works() {
  const pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) ::_exit(::unshare(CLONE_NEWNET) == 0 ? 0 : 1);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string find_bwrap() {
  for (const char* candidate : {"/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"}) {
    if (::access(candidate, X_OK) == 0) return candidate;
  }
  return {};
}

}  // namespace

std::string Isolation::name() const {
  switch (level) {
    case IsolationLevel::bubblewrap: return "bubblewrap";
    case IsolationLevel::network_namespace: return "network-namespace";
    case IsolationLevel::limits: return "limits";
  }
  return "limits";
}

std::string Isolation::description() const {
  std::string text;
  switch (level) {
    case IsolationLevel::bubblewrap:
      text = "bubblewrap: no network, own pid namespace, read-only system, only the scratch folder "
             "writable, hidden tests and solutions not visible";
      break;
    case IsolationLevel::network_namespace:
      text = "network namespace: no network (bubblewrap is not usable here); sockets other than AF_UNIX refused "
             "(seccomp); " + landlock_description(landlock_abi);
      break;
    case IsolationLevel::limits:
      text = "limits: bubblewrap and network namespaces are not usable here; sockets other than AF_UNIX refused "
             "(seccomp); " + landlock_description(landlock_abi);
      break;
  }
  text += "; always: own session and process group, CPU / wall / memory / file-size / open-file / process "
          "limits, capped output, scratch folder, every process killed at the end";
  text += separate_uid ? "; tests run under a uid of their own" : "; tests run under the grader's uid "
                                                                   "(start the grader as root for a uid of their own)";
  return text;
}

Isolation probe_isolation(const std::string& wanted) {
  if (wanted != "auto" && wanted != "bubblewrap" && wanted != "network-namespace" && wanted != "limits") {
    throw std::invalid_argument("--isolation must be auto, bubblewrap, network-namespace or limits, not '" + wanted + "'");
  }
  Isolation isolation;
  isolation.separate_uid = ::geteuid() == 0;
  isolation.landlock_abi = landlock_abi();
  if (wanted == "auto" || wanted == "bubblewrap") {
    isolation.bwrap = find_bwrap();
    if (!isolation.bwrap.empty() && bubblewrap_works(isolation.bwrap)) {
      isolation.level = IsolationLevel::bubblewrap;
      return isolation;
    }
    if (wanted == "bubblewrap") throw std::runtime_error("--isolation bubblewrap: bwrap is missing or does not work here");
  }
  if (wanted == "auto" || wanted == "network-namespace") {
    if (network_namespace_works()) {
      isolation.level = IsolationLevel::network_namespace;
      return isolation;
    }
    if (wanted == "network-namespace") throw std::runtime_error("--isolation network-namespace: unshare(CLONE_NEWNET) is not allowed here");
  }
  isolation.level = IsolationLevel::limits;
  return isolation;
}

}  // namespace grader
