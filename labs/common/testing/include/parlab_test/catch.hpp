#pragma once
// One include for Catch2 2.13 (Debian 12: <catch2/catch.hpp>) and Catch2 3.x (newer
// systems). Tests include this and nothing else from Catch2.

#if __has_include(<catch2/catch_test_macros.hpp>)
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#define PARLAB_CATCH_MAJOR 3
#else
#include <catch2/catch.hpp>
#define PARLAB_CATCH_MAJOR 2
#endif

#if PARLAB_CATCH_MAJOR == 2
namespace Catch::Matchers {
// Catch2 v3 renamed Contains (for strings) to ContainsSubstring.
inline auto ContainsSubstring(const std::string& s) { return Contains(s); }
}  // namespace Catch::Matchers
#endif

namespace parlab_test {
using Catch::Matchers::ContainsSubstring;
}  // namespace parlab_test
