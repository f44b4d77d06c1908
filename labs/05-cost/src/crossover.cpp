// Lab 05, task 4: the smallest work size at which two workers beat one.
#include "parlab/lab05/crossover.hpp"

#include <limits>
#include <stdexcept>

#include "parlab/todo.hpp"

namespace parlab::lab05 {

std::optional<std::uint64_t> crossover(const CostFunction& cost, std::uint64_t lo, std::uint64_t hi) {
  // TODO (task 4): validate; if 2 workers already win at lo, that is the answer. Otherwise
  // gallop (lo + 1, lo + 3, lo + 7, ..., capped at hi) until they win, then bisect between
  // the last loss and the first win. Compare hi - x with the step instead of computing
  // x + step, or it overflows near 2^64.
  (void)cost, (void)lo, (void)hi;
  todo("crossover (lab 05, task 4)");
}

}  // namespace parlab::lab05
