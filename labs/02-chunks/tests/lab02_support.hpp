#pragma once
// Lab 02 test helpers, shared by the visible and the hidden tests.
//
// The tests call the student's chunking functions inside parlab_test::isolated(), which
// hands their result back from a child process as JSON. This gives a chunk list (Chunks,
// a std::vector<parlab::Range>) its JSON form: a list of runs [lo, hi, count], each one
// standing for `count` adjacent chunks of the same length, the first [lo, hi), each next
// one starting where the one before ended. Any list can be written so (a chunk that does
// not continue the run starts a new one), so the test process gets back exactly what the
// student's code returned; and the long lists of equal chunks these tests produce (a
// million one-number chunks) stay short, where one JSON pair per chunk took seconds to
// cross, and minutes under the sanitizers.
//
// Every test file of the lab includes this header: a file that converted Chunks without it
// would use nlohmann's own form, and the two halves of isolated() would disagree.
//
// It also holds names_word, the matcher for the header's promise that an error message names
// the bad argument by its parameter name.

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "parlab/range.hpp"
#include "parlab_test/catch.hpp"

namespace nlohmann {

template <>
struct adl_serializer<std::vector<parlab::Range>> {
  static void to_json(json& j, const std::vector<parlab::Range>& chunks) {
    j = json::array();
    parlab::Range last;  // the run's most recent chunk
    for (const parlab::Range& c : chunks) {
      const bool continues_run = !j.empty() && !last.empty() && !c.empty() && c.lo == last.hi &&
                                 c.size() == last.size();
      if (continues_run) {
        json& count = j.back()[2];
        count = count.get<std::uint64_t>() + 1;
      } else {
        j.push_back(json::array({c.lo, c.hi, std::uint64_t{1}}));
      }
      last = c;
    }
  }

  static void from_json(const json& j, std::vector<parlab::Range>& chunks) {
    chunks.clear();
    for (const json& run : j) {
      parlab::Range c{run.at(0).get<std::uint64_t>(), run.at(1).get<std::uint64_t>()};
      const std::uint64_t count = run.at(2).get<std::uint64_t>();
      if (count == 0 || (count > 1 && c.empty())) {
        throw std::runtime_error("lab02_support: a chunk run that no list of chunks produces");
      }
      chunks.push_back(c);
      for (std::uint64_t i = 1; i < count; ++i) {
        const std::uint64_t length = c.size();
        if (c.hi > std::numeric_limits<std::uint64_t>::max() - length) {
          throw std::runtime_error("lab02_support: a chunk run that goes past 2^64 - 1");
        }
        c = {c.hi, c.hi + length};
        chunks.push_back(c);
      }
    }
  }
};

}  // namespace nlohmann

namespace lab02_test {

// Matches an error message that holds `word` as a word of its own: "p" matches "the exponent
// p must be ..." but not "chunks_power_law: ..." (where p is part of a longer word).
inline auto names_word(const std::string& word) { return Catch::Matchers::Matches(".*\\b" + word + "\\b.*"); }

}  // namespace lab02_test
