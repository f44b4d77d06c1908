#include "parlab_test/sieve.hpp"

namespace parlab_test {

std::vector<std::uint64_t> sieve_primes_below(std::uint64_t n) {
  std::vector<std::uint64_t> primes;
  if (n < 3) return primes;
  std::vector<bool> composite(n, false);
  for (std::uint64_t i = 2; i < n; ++i) {
    if (composite[i]) continue;
    primes.push_back(i);
    for (std::uint64_t j = i * i; j < n; j += i) composite[j] = true;
  }
  return primes;
}

}  // namespace parlab_test

#include <algorithm>
#include <sstream>

namespace parlab_test {

std::string describe_mismatch(const std::vector<std::uint64_t>& got,
                              const std::vector<std::uint64_t>& want) {
  if (got == want) return {};
  std::ostringstream out;
  out << "got " << got.size() << " values, expected " << want.size();
  const auto [g, w] = std::mismatch(got.begin(), got.end(), want.begin(), want.end());
  const auto index = static_cast<std::size_t>(g - got.begin());
  out << "; first difference at index " << index << ": got ";
  if (g != got.end()) out << *g; else out << "(nothing)";
  out << ", expected ";
  if (w != want.end()) out << *w; else out << "(nothing)";
  if (!std::is_sorted(got.begin(), got.end())) out << "; the result is not sorted";
  if (std::adjacent_find(got.begin(), got.end()) != got.end()) out << "; the result has duplicates";
  return out.str();
}

}  // namespace parlab_test
