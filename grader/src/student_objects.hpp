#pragma once
// Checks of a student's compiled object before it is linked with the tests. The result
// channel's listener takes its nonce in an initialiser of priority 101, before any code of
// default priority runs; a student object that could run earlier, or that replaces a
// function the listener or the test framework calls, is refused:
//   - sections that run before default-priority initialisers: .init_array.N / .ctors.N
//     (an initialiser with a priority), .preinit_array, .init;
//   - ifunc resolvers (STT_GNU_IFUNC), which run while the program is being relocated;
//   - global symbols outside namespace parlab (a `getenv`, `write`, `main` or Catch::... of
//     its own would be called instead of the real one); weak instantiations of standard
//     library templates are allowed, as every C++ compiler emits them.

#include <filesystem>
#include <string>

namespace grader {

// "" when the object may be linked; else a sentence for the student. `sanitized`: compiled
// with -fsanitize=, whose module constructor has priority 99 (.init_array.00099); that run
// (the ThreadSanitizer rerun) can only take points away, never give them.
[[nodiscard]] std::string why_object_refused(const std::filesystem::path& object, bool sanitized);

// The same rules on readelf -S -s -W output (split out for the unit tests).
[[nodiscard]] std::string why_readelf_refused(const std::string& readelf_output, bool sanitized);

}  // namespace grader
