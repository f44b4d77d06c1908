#pragma once
// The grader uses the course's own fd owners (labs/common/include/parlab/fd.hpp): every fd
// is closed exactly once, and pipes are created close-on-exec so that no sandboxed child
// inherits one by accident.

#include "parlab/fd.hpp"

namespace grader {

using parlab::Pipe;
using parlab::UniqueFd;

// pipe2(O_CLOEXEC); throws std::system_error on failure.
[[nodiscard]] inline Pipe make_pipe() { return Pipe::create(); }

void set_nonblocking(int fd);

}  // namespace grader
