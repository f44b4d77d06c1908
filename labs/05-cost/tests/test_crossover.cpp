// Lab 05, task 4: visible tests for the crossover search, on a cost model (exact answers).
//
// Every call into your code runs in a child process (parlab_test::isolated), which hands
// back what it returned or threw; the checks run here, on that result.
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>

#include "parlab/lab05/crossover.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"

using namespace parlab::lab05;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

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
  const auto found = isolated([] { return crossover(model(100), 1, 1'000'000); });
  REQUIRE(found.has_value());
  CHECK(*found == 201);
}

TEST_CASE("crossover says so when two workers never win", "[lab05][task4]") {
  CHECK_FALSE(isolated([] { return crossover(model(100), 1, 150); }).has_value());
}

TEST_CASE("crossover returns lo when two workers win from the start and hi when only hi wins", "[lab05][task4]") {
  CHECK(isolated([] { return crossover(model(0), 5, 10); }) == std::optional<std::uint64_t>(5));
  CHECK(isolated([] { return crossover(model(100), 1, 201); }) == std::optional<std::uint64_t>(201));
}

TEST_CASE("crossover needs only a few dozen cost calls over a million sizes", "[lab05][task4]") {
  // The count is kept in the child that runs crossover, and comes back with its answer.
  struct Counted {
    std::optional<std::uint64_t> found;
    int calls;
  };
  const Counted counted = isolated([] {
    int calls = 0;
    const CostFunction base = model(100);
    const CostFunction counting = [&](std::uint64_t work, unsigned workers) {
      ++calls;
      return base(work, workers);
    };
    const auto found = crossover(counting, 1, 1'000'000);
    return Counted{found, calls};
  });
  CHECK(counted.found == std::optional<std::uint64_t>(201));
  // 4 * bit_width(999999) + 8 = 88 calls at most; a scan up to 201 would make 402.
  CHECK(counted.calls <= 88);
}

TEST_CASE("crossover finds a threshold just below 2^64", "[lab05][task4]") {
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  constexpr std::uint64_t threshold = kMax - 5;
  // Two workers win only from `threshold` on: lo + step must never wrap around on the way.
  const CostFunction step = [](std::uint64_t work, unsigned workers) {
    return workers == 2 && work >= threshold ? 0.0 : 1.0;
  };
  CHECK(isolated([&] { return crossover(step, 1, kMax); }) == std::optional<std::uint64_t>(threshold));
  CHECK_FALSE(isolated([&] { return crossover(step, 1, threshold - 1); }).has_value());
}

TEST_CASE("crossover rejects lo 0 and an empty range and a missing cost function", "[lab05][task4]") {
  CHECK_THROWS_WITH(isolated([] { return crossover(model(1), 0, 10); }), ContainsSubstring("zero"));
  CHECK_THROWS_WITH(isolated([] { return crossover(model(1), 11, 10); }), ContainsSubstring("empty"));
  CHECK_THROWS_WITH(isolated([] { return crossover(CostFunction{}, 1, 10); }), ContainsSubstring("cost"));
}

TEST_CASE("crossover lets an exception from the cost function through", "[lab05][task4]") {
  const CostFunction failing = [](std::uint64_t, unsigned) -> double { throw std::runtime_error("cost model broke"); };
  CHECK_THROWS_WITH(isolated([&] { return crossover(failing, 1, 10); }), ContainsSubstring("cost model broke"));
}
