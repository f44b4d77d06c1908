#pragma once
// Lab 03 hidden tests: the leak check of a run that is expected to fail.

#include <string>

#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"

namespace lab03_hidden {

// What a run that is expected to throw E leaves behind (open fds, child processes) in the
// isolated() child that ran it -- the process the student's code ran in. The failure itself
// (its type and message) is each case's own check.
template <class E, class Run>
std::string leaks_after_failure(const Run& run) {
  return parlab_test::isolated([&] {
    const parlab_test::ResourceSnapshot before;
    try {
      run();
    } catch (const E&) {
    }
    return before.leaks();
  });
}

}  // namespace lab03_hidden
