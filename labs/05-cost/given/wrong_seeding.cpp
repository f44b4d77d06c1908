// Lab 05, given code: the seed notebooks' random-stream pitfall, kept on purpose so that a
// test can show it. Do not copy this into your solution.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab/lab05/monte_carlo.hpp"

namespace parlab::lab05 {

std::vector<std::vector<std::uint64_t>> draws_with_inherited_state(unsigned children, std::size_t draws,
                                                                   std::uint64_t seed) {
  if (children == 0) throw std::invalid_argument("draws_with_inherited_state: children must be at least 1");

  Rng shared(seed);  // ONE generator, seeded once in the parent: the mistake
  std::vector<std::vector<std::uint64_t>> result;
  result.reserve(children);
  for (unsigned c = 0; c < children; ++c) {
    Pipe pipe = Pipe::create();
    ChildProcess child = ChildProcess::fork([&]() -> int {
      pipe.read_end.reset();
      // This child's `shared` is a copy of the parent's, in the very same state as the copy
      // every other child got: the parent never draws, so nothing tells the copies apart.
      for (std::size_t i = 0; i < draws; ++i) write_value(pipe.write_end.get(), shared.next());
      return 0;
    });
    pipe.write_end.reset();
    std::vector<std::uint64_t> got(draws);
    for (auto& value : got) {
      if (!read_value(pipe.read_end.get(), value)) {
        throw std::runtime_error("draws_with_inherited_state: child " + std::to_string(c) +
                                 " stopped before sending its draws");
      }
    }
    const ExitStatus status = child.wait();
    if (!status.success()) {
      throw std::runtime_error("draws_with_inherited_state: child " + std::to_string(c) + " " +
                               status.describe());
    }
    result.push_back(std::move(got));
  }
  return result;
}

}  // namespace parlab::lab05
