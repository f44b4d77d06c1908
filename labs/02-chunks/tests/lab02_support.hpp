#pragma once
// Lab 02 test helpers, shared by the visible and the hidden tests.
//
// The tests call the student's chunking functions inside parlab_test::isolated(), which
// hands their result back from a child process as JSON. parlab::Range has no JSON form of
// its own, so a chunk list could not cross; these two functions give it one ([lo, hi]).
// Found by argument-dependent lookup, so they live in Range's namespace.

#include <cstdint>

#include <nlohmann/json.hpp>

#include "parlab/range.hpp"

namespace parlab {

inline void to_json(nlohmann::json& j, const Range& r) { j = nlohmann::json::array({r.lo, r.hi}); }

inline void from_json(const nlohmann::json& j, Range& r) {
  r.lo = j.at(0).get<std::uint64_t>();
  r.hi = j.at(1).get<std::uint64_t>();
}

}  // namespace parlab
