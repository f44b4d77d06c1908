#pragma once
// The allow-list for runs without bubblewrap, from the kernel's Landlock security module
// (Linux 5.13+; TCP rules from 6.7, signal scoping from 6.12). Landlock needs neither root nor
// namespaces, so it holds where bubblewrap cannot start (Docker's default profile, the
// `limits` and `network-namespace` levels): the program can open only what the view names
// (the read-only system, its own binary, the caller's read-only paths, its scratch folder and
// /dev/shm), TCP is refused unless the run asks for it, and it cannot signal a process outside
// its own tree. A second instructor tree, the grader's work directory with the compiled hidden
// tests, another student's scratch: none of it can be opened, even where the file is
// world-readable.
//
// The ruleset is built in the parent, before fork(); the child only enters it (one system
// call, async-signal-safe), after PR_SET_NO_NEW_PRIVS.

#include "sandbox/view.hpp"
#include "util/unique_fd.hpp"

namespace grader {

// The Landlock ABI version the kernel offers; 0 where it has none (older kernels, or a
// seccomp profile that refuses the system calls).
[[nodiscard]] int landlock_abi();

// A ruleset for `view`. `allow_tcp`: leave TCP bind/connect alone (a test that runs its own
// server on 127.0.0.1: Landlock cannot tell loopback from the internet). Returns an invalid
// fd where the kernel has no Landlock; throws std::system_error when building it fails.
[[nodiscard]] UniqueFd landlock_ruleset_for(const ViewSpec& view, bool allow_tcp);

// In the child: restricts the calling process (and all it starts) to `ruleset_fd`, then
// closes it. Needs PR_SET_NO_NEW_PRIVS first. Returns the call that failed, or nullptr.
const char* enter_landlock(int ruleset_fd) noexcept;

// What a run without bubblewrap gets from Landlock here, in one phrase for reports:
// "Landlock ABI 7: file-system allow-list, TCP refused, no signals outside the test".
[[nodiscard]] std::string landlock_description(int abi);

}  // namespace grader
