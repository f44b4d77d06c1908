#pragma once
// A seccomp filter for runs without bubblewrap's network namespace: socket() gets EACCES for
// every address family but AF_UNIX (pipes and socketpairs keep working), so a test cannot reach
// the network over UDP, raw or netlink sockets, on kernels without Landlock's TCP rules too.
// io_uring is refused as well: its requests do not pass through the filtered system calls.
// Installed in the forked child, after PR_SET_NO_NEW_PRIVS; async-signal-safe.

namespace grader {

// `allow_tcp`: AF_INET / AF_INET6 stream sockets stay allowed (a test that runs its own
// server on 127.0.0.1). Returns the call that failed, or nullptr.
const char* install_socket_filter(bool allow_tcp) noexcept;

}  // namespace grader
