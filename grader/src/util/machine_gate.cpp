#include "util/machine_gate.hpp"

namespace grader {

MachineGate::MachineGate()
    : MachineGate(std::filesystem::temp_directory_path() / "parlab-grader-turnstile.lock",
                  std::filesystem::temp_directory_path() / "parlab-grader-timing.lock") {}

MachineGate::MachineGate(std::filesystem::path turnstile, std::filesystem::path gate)
    : turnstile_(std::move(turnstile)), gate_(std::move(gate)) {}

FileLock MachineGate::share() const {
  // Passing through the turnstile: released at the end of this function, after the gate
  // is held, so a timing run that arrives later waits for us and one that arrived earlier
  // goes first.
  const FileLock passing(turnstile_, FileLock::Mode::exclusive);
  return FileLock(gate_, FileLock::Mode::shared);
}

MachineGate::Alone MachineGate::alone() const {
  FileLock turnstile(turnstile_, FileLock::Mode::exclusive);
  FileLock gate(gate_, FileLock::Mode::exclusive);
  return Alone{std::move(turnstile), std::move(gate)};
}

}  // namespace grader
