// Lab 05, task 4: hidden tests for the crossover search, on cost models with exact answers.
// Every call of the student's crossover runs in a child process (parlab_test::isolated),
// with the cost models it calls; the checks run here.
#include <bit>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "../../labs/05-cost/tests/lab05_support.hpp"
#include "parlab/lab05/crossover.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/isolated.hpp"

using namespace parlab::lab05;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

namespace {

// Integer costs, so that every comparison is exact: one worker pays `per_unit` per unit;
// two pay `overhead` once and half the work each (rounded up: the slower worker decides).
// Asked for any other number of workers, it throws (the search runs in a child, where a
// REQUIRE would not count), and the case fails with that message.
CostFunction model(std::uint64_t overhead, std::uint64_t per_unit, std::uint64_t* calls = nullptr) {
  return [=](std::uint64_t work, unsigned workers) {
    if (calls != nullptr) ++*calls;
    if (workers != 1 && workers != 2) {
      throw std::logic_error("crossover asked for the cost of " + std::to_string(workers) +
                             " workers; it compares 1 worker with 2");
    }
    const std::uint64_t one = work * per_unit;
    const std::uint64_t two = overhead + (work + 1) / 2 * per_unit;
    return static_cast<double>(workers == 1 ? one : two);
  };
}

// A search that scans would call the cost function billions of times on these ranges: stop
// it with a message instead of letting the test run until the grader's timeout.
constexpr std::uint64_t kMaxCalls = 100000;

// Two workers win from `threshold` on; no arithmetic on the work size, so nothing overflows.
CostFunction step_at(std::uint64_t threshold, std::uint64_t* calls = nullptr) {
  auto count = std::make_shared<std::uint64_t>(0);
  return [=](std::uint64_t work, unsigned workers) {
    if (calls != nullptr) ++*calls;
    if (++*count > kMaxCalls) {
      throw std::logic_error("crossover called the cost function more than 100000 times: it scans instead of searching");
    }
    const bool wins = work >= threshold;
    return workers == 2 ? (wins ? 0.0 : 2.0) : 1.0;
  };
}

// crossover's answer and how often it called the cost function, from the child it ran in.
struct CountedSearch {
  std::optional<std::uint64_t> found;
  std::uint64_t calls;
};

std::optional<std::uint64_t> brute_force(const CostFunction& cost, std::uint64_t lo, std::uint64_t hi) {
  for (std::uint64_t w = lo; w <= hi; ++w) {
    if (cost(w, 2) < cost(w, 1)) return w;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("crossover equals a brute-force scan on many cost models and ranges", "[lab05][task4]") {
  struct Search {
    std::uint64_t overhead, per_unit, lo, hi;
  };
  std::vector<Search> searches;
  for (const std::uint64_t overhead : std::initializer_list<std::uint64_t>{0ULL, 1ULL, 2ULL, 7ULL, 50ULL, 333ULL}) {
    for (const std::uint64_t per_unit : std::initializer_list<std::uint64_t>{1ULL, 3ULL}) {
      for (const std::uint64_t lo : std::initializer_list<std::uint64_t>{1ULL, 2ULL, 5ULL, 100ULL}) {
        for (const std::uint64_t hi : std::initializer_list<std::uint64_t>{lo, lo + 1, lo + 17, 1000ULL, 3000ULL}) {
          if (hi < lo) continue;
          searches.push_back({overhead, per_unit, lo, hi});
        }
      }
    }
  }
  // Every search in one child; the comparisons here, search by search.
  const auto found = lab05_test::steps_in_one_child(searches.size(), [&](std::size_t i) {
    const Search& s = searches[i];
    return crossover(model(s.overhead, s.per_unit), s.lo, s.hi);
  });
  for (std::size_t i = 0; i < searches.size(); ++i) {
    const auto [overhead, per_unit, lo, hi] = searches[i];
    CAPTURE(overhead, per_unit, lo, hi);
    const auto& step = found.at(i);
    if (step.thrown) FAIL(*step.thrown);
    const auto cost = model(overhead, per_unit);
    CHECK(step.value == brute_force(cost, lo, hi));
  }
}

TEST_CASE("crossover returns lo when two workers already win there", "[lab05][task4]") {
  const auto found = isolated([] { return crossover(step_at(1), 10, 1000); });
  REQUIRE(found.has_value());
  CHECK(*found == 10);
  const auto single = isolated([] { return crossover(step_at(5), 5, 5); });
  REQUIRE(single.has_value());
  CHECK(*single == 5);
  CHECK_FALSE(isolated([] { return crossover(step_at(6), 5, 5); }).has_value());
}

TEST_CASE("crossover finds the threshold exactly at every position in a range", "[lab05][task4]") {
  // All 300 searches in one child; the checks here, threshold by threshold.
  const auto searches = lab05_test::steps_in_one_child(300, [](std::size_t i) {
    return crossover(step_at(i + 1), 1, 256);  // threshold i + 1
  });
  for (std::uint64_t threshold = 1; threshold <= 300; ++threshold) {
    CAPTURE(threshold);
    const auto& step = searches.at(threshold - 1);
    if (step.thrown) FAIL(*step.thrown);
    const auto& found = step.value;
    if (threshold <= 256) {
      REQUIRE(found.has_value());
      CHECK(*found == threshold);
    } else {
      CHECK_FALSE(found.has_value());
    }
  }
}

TEST_CASE("crossover does not overflow near 2 to the 64", "[lab05][task4]") {
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  for (const std::uint64_t threshold : std::initializer_list<std::uint64_t>{(1ULL << 63) + 5, max - 1, max}) {
    CAPTURE(threshold);
    const auto found = isolated([&] { return crossover(step_at(threshold), 1, max); });
    REQUIRE(found.has_value());
    CHECK(*found == threshold);
  }
  CHECK_FALSE(isolated([&] { return crossover(step_at(max), max - 10, max - 1); }).has_value());
  const auto at_top = isolated([&] { return crossover(step_at(max), max - 10, max); });
  REQUIRE(at_top.has_value());
  CHECK(*at_top == max);
}

TEST_CASE("crossover asks the cost function only a logarithmic number of times", "[lab05][task4]") {
  for (const std::uint64_t threshold : std::initializer_list<std::uint64_t>{2ULL, 1000ULL, 123456789ULL, 1ULL << 40}) {
    for (const std::uint64_t hi : std::initializer_list<std::uint64_t>{1ULL << 20, 1ULL << 41, std::numeric_limits<std::uint64_t>::max()}) {
      const std::uint64_t lo = 1;
      CAPTURE(threshold, hi);
      const CountedSearch search = isolated([&] {
        std::uint64_t calls = 0;
        const auto found = crossover(step_at(threshold, &calls), lo, hi);
        return CountedSearch{found, calls};
      });
      const auto& found = search.found;
      if (threshold <= hi) {
        REQUIRE(found.has_value());
        CHECK(*found == threshold);
      } else {
        CHECK_FALSE(found.has_value());
      }
      CHECK(search.calls <= 4 * static_cast<std::uint64_t>(std::bit_width(hi - lo)) + 8);
    }
  }
}

TEST_CASE("crossover rejects bad ranges and a missing cost function", "[lab05][task4]") {
  CHECK_THROWS_AS(isolated([] { return crossover(step_at(3), 0, 10); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return crossover(step_at(3), 0, 10); }), ContainsSubstring("zero"));
  CHECK_THROWS_AS(isolated([] { return crossover(step_at(3), 11, 10); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return crossover(step_at(3), 11, 10); }), ContainsSubstring("empty"));
  CHECK_THROWS_AS(isolated([] { return crossover(CostFunction{}, 1, 10); }), std::invalid_argument);
  CHECK_THROWS_WITH(isolated([] { return crossover(CostFunction{}, 1, 10); }), ContainsSubstring("cost"));
}

TEST_CASE("crossover passes on an exception from the cost function", "[lab05][task4]") {
  const CostFunction broken = [](std::uint64_t, unsigned) -> double { throw std::runtime_error("probe failed"); };
  CHECK_THROWS_AS(isolated([&] { return crossover(broken, 1, 100); }), std::runtime_error);
}
