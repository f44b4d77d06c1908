#pragma once
// Timing needs the machine to itself. Every grader process on this machine holds the gate
// *shared* while it builds or runs tests, and a timing run holds it *exclusive*, so a
// benchmark never shares the cores with another grading (a batch, two instructors, ctest).
//
// flock() gives no priority to a waiting exclusive locker: with a steady stream of shared
// holders a timing run could wait forever. A second lock, the turnstile, fixes that: a
// shared locker passes through the turnstile (takes it and lets it go) before taking the
// gate, and the timing run keeps the turnstile while it waits, so no new shared holder
// gets in once it is waiting.
//
// Lock order, to stay free of deadlocks: build slot -> reference lock -> turnstile -> gate.
// Nobody waits for a slot or the reference lock while holding the gate.

#include <filesystem>

#include "util/file_lock.hpp"

namespace grader {

class MachineGate {
 public:
  // The default lock files live in the temporary directory: one gate per machine,
  // whatever work directory each grader uses.
  MachineGate();
  MachineGate(std::filesystem::path turnstile, std::filesystem::path gate);

  // Held while building or running tests; many processes at once. Waits while a timing
  // run holds or waits for the gate.
  [[nodiscard]] FileLock share() const;

  struct Alone {
    FileLock turnstile;
    FileLock gate;
  };
  // Held while timing: waits until every shared holder has let go.
  [[nodiscard]] Alone alone() const;

 private:
  std::filesystem::path turnstile_, gate_;
};

}  // namespace grader
