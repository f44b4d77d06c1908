// Lab 05, task 4: visible tests for the crossover search, on a cost model (exact answers).
#include <cstdint>
#include <optional>

#include "parlab/lab05/crossover.hpp"
#include "parlab_test/catch.hpp"

using namespace parlab::lab05;

namespace {
// One unit of work costs 1; a second worker costs `overhead` to start, then halves the work.
CostFunction model(double overhead) {
  return [overhead](std::uint64_t work, unsigned workers) {
    const double w = static_cast<double>(work);
    return workers == 1 ? w : overhead + w / 2;
  };
}
}  // namespace

TEST_CASE("crossover finds where a worker with overhead 100 starts to pay", "[lab05][task4]") {
  // overhead + w/2 < w  <=>  w > 200: the smallest such size is 201.
  const auto found = crossover(model(100), 1, 1'000'000);
  REQUIRE(found.has_value());
  CHECK(*found == 201);
}

TEST_CASE("crossover says so when two workers never win", "[lab05][task4]") {
  CHECK_FALSE(crossover(model(100), 1, 150).has_value());
}
