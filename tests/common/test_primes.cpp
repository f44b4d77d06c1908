// Tests of the given common code: isqrt, is_prime, primes_in.
#include <cmath>
#include <cstdint>
#include <limits>

#include "parlab/primes.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/sieve.hpp"

using parlab::isqrt;
using parlab::is_prime;

TEST_CASE("isqrt is exact for small numbers and around every square up to 2^20", "[common]") {
  for (std::uint64_t r = 0; r < (1u << 10); ++r) {
    const std::uint64_t sq = r * r;
    CHECK(isqrt(sq) == r);
    CHECK(isqrt(sq + 2 * r) == r);  // (r+1)^2 - 1
    if (sq > 0) CHECK(isqrt(sq - 1) == r - 1);
  }
}

TEST_CASE("isqrt is exact where a double square root is not", "[common]") {
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  CHECK(isqrt(max) == 4294967295u);
  CHECK(isqrt(100109100129162907u) == 316400221u);
  const std::uint64_t r = 4294967291u;  // the largest 32-bit prime
  CHECK(isqrt(r * r) == r);
  CHECK(isqrt(r * r - 1) == r - 1);
  // The reason isqrt exists: the double rounding of 2^64 - 1 gives 2^32, one too many.
  CHECK(static_cast<std::uint64_t>(std::sqrt(static_cast<double>(max))) != isqrt(max));
  static_assert(isqrt(1000000) == 1000);
}

TEST_CASE("is_prime knows the curriculum's answers and the small edge cases", "[common]") {
  CHECK_FALSE(is_prime(0));
  CHECK_FALSE(is_prime(1));
  CHECK(is_prime(2));
  CHECK(is_prime(3));
  CHECK_FALSE(is_prime(4));
  CHECK_FALSE(is_prime(112272535095295u));
  CHECK_FALSE(is_prime(1109100129100369u));
  CHECK_FALSE(is_prime(100109100129101027u));
  CHECK_FALSE(is_prime(18446744073709551615u));  // 2^64 - 1 = 3 * 5 * 17 * 257 * ...
  CHECK_FALSE(is_prime(1000003u * 1000003u));     // a square: the last divisor tried is the root
  CHECK(is_prime(1000003u));
  static_assert(is_prime(1000003));
}

TEST_CASE("primes_in agrees with a sieve and handles the very top of the range", "[common]") {
  CHECK(parlab_test::describe_mismatch(parlab::primes_in({0, 100000}), parlab_test::sieve_primes_below(100000)) == "");
  CHECK(parlab::primes_in({100000001, 101000000}).size() == 54208);
  CHECK(parlab::primes_in({5, 5}).empty());
  CHECK(parlab::primes_in({10, 3}).empty());
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  CHECK(parlab::primes_in({max - 1, max}).empty());  // 2^64 - 2: even, and the loop must not wrap
  CHECK(parlab::primes_in({max - 20, max - 10}).empty());
}

TEST_CASE("the sieve counts the primes below ten million", "[common]") {
  CHECK(parlab_test::sieve_primes_below(10000000).size() == 664579);
  CHECK(parlab_test::sieve_primes_below(2).empty());
  CHECK(parlab_test::sieve_primes_below(3) == std::vector<std::uint64_t>{2});
}

TEST_CASE("describe_mismatch explains the first difference", "[common]") {
  using parlab_test::describe_mismatch;
  CHECK(describe_mismatch({2, 3, 5}, {2, 3, 5}).empty());
  const std::string text = describe_mismatch({2, 5, 3, 3}, {2, 3, 5});
  CHECK_THAT(text, parlab_test::ContainsSubstring("first difference at index 1"));
  CHECK_THAT(text, parlab_test::ContainsSubstring("not sorted"));
  CHECK_THAT(describe_mismatch({2}, {2, 3}), parlab_test::ContainsSubstring("(nothing)"));
}
