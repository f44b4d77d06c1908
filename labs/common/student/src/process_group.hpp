#pragma once
// A program the student command starts (a build, a test program) in a process group of its
// own, with its output read as it comes. Whatever stops it early (a save seen by watch mode,
// Ctrl-C, an exception) the whole group is killed and the leader reaped: no orphan compiler,
// no test child left running.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"

namespace parlab::student {

// Asked every 100 ms while a program runs; true stops it (watch mode: a file was saved).
using StopRequested = std::function<bool()>;

class ProcessGroup {
 public:
  // Starts argv (searched on PATH) with stdout and stderr going to one pipe. `extra_fd`, when
  // valid, is dup2'ed onto fd number `extra_fd_number` in the child (the result channel);
  // `environment` entries ("NAME=value") are added to the child's environment.
  ProcessGroup(std::vector<std::string> argv, const std::vector<std::string>& environment = {},
               int extra_fd = -1, int extra_fd_number = -1);
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;
  // Kills the group if it still runs and reaps the leader.
  ~ProcessGroup();

  [[nodiscard]] int output_fd() const { return output_.get(); }
  // Ends the group: SIGTERM first (ninja then deletes the outputs of commands it interrupted,
  // so no half-written object file looks up to date), SIGKILL after a moment.
  void stop();
  ExitStatus wait();

 private:
  UniqueFd output_;
  std::optional<ChildProcess> leader_;
  bool waited_ = false;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
  bool stopped = false;  // ended by `stop_requested`
};

// Runs argv to its end (or until `stop_requested`) and collects its output.
[[nodiscard]] CommandResult run_command(const std::vector<std::string>& argv,
                                        const StopRequested& stop_requested = {});

// Reads what is available on `fd` into `text`; false at end-of-file.
bool read_some(int fd, std::string& text);

}  // namespace parlab::student
