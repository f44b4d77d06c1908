#pragma once
// An independent answer key: the sieve of Eratosthenes shares no code with trial
// division, so a bug in one cannot hide the same bug in the other.

#include <cstdint>
#include <vector>

namespace parlab_test {

// All primes p < n, ascending.
[[nodiscard]] std::vector<std::uint64_t> sieve_primes_below(std::uint64_t n);

}  // namespace parlab_test

#include <string>

namespace parlab_test {

// Empty if `got` equals `want`; otherwise a short description of the first difference
// (sizes, first differing index and values), readable where a dump of 78498 numbers is not.
[[nodiscard]] std::string describe_mismatch(const std::vector<std::uint64_t>& got,
                                            const std::vector<std::uint64_t>& want);

}  // namespace parlab_test
