#pragma once
// How the grader, the student command and the build talk to a lab's Catch2 test program:
// the listing options (they differ between Catch2 2.x and 3.x), reading the listing, and a
// test spec that selects exactly one case.

#include <string>
#include <vector>

namespace parlab::manifest {

// The options that list the program's case names, one per line and nothing else.
[[nodiscard]] std::vector<std::string> catch_list_arguments();

// The case names in such a listing: blank lines, carriage returns and Catch2 2.x's
// "No test cases matched" note are dropped.
[[nodiscard]] std::vector<std::string> catch_listed_names(const std::string& listing);

// A case name as a Catch test spec matching exactly that case: \ [ ] , * " and a leading ~
// or # are escaped with a backslash.
[[nodiscard]] std::string catch_test_spec(const std::string& name);

// The option that turns colour off, so that output can be shown as text.
[[nodiscard]] std::vector<std::string> catch_no_colour_arguments();

}  // namespace parlab::manifest
