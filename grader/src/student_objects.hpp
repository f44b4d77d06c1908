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
//     library templates are allowed, as every C++ compiler emits them;
//   - destructor functions (.fini_array, .dtors), which would run in the test process at exit.
// An object that passes is then rewritten (move_student_code_aside) so that none of its code
// can run in the test process, which decides whether a case passed; the tests call the
// student's code only in children (parlab_test::isolated):
//   - its initialisers (.init_array: constructors of globals) move to the section
//     parlab_student_init (the sanitizers' priority-99 ones to parlab_student_preinit), which
//     only the children and programs that run the student's code themselves run
//     (labs/common/include/parlab/student_initialisers.hpp); the ASan priority-99 destructor
//     to parlab_student_fini, which nothing runs;
//   - its copies of library templates (weak symbols outside namespace parlab, e.g.
//     std::vector<int>::push_back) are renamed to <name>.parlab_student: the student's code
//     uses them, and nothing of the test process can be bound to a body the student wrote.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace grader {

// "" when the object may be linked; else a sentence for the student. `sanitized`: compiled
// with -fsanitize=, whose module constructor has priority 99 (.init_array.00099); that run
// (the ThreadSanitizer rerun) can only take points away, never give them.
[[nodiscard]] std::string why_object_refused(const std::filesystem::path& object, bool sanitized);

// The same rules on readelf -S -s -W output (split out for the unit tests).
[[nodiscard]] std::string why_readelf_refused(const std::string& readelf_output, bool sanitized);

// What move_student_code_aside changes, worked out from readelf -S -s -W output.
struct ObjectRewrite {
  std::vector<std::pair<std::string, std::string>> sections;  // old name, new name
  std::vector<std::string> private_symbols;                   // renamed to <name>.parlab_student
};
[[nodiscard]] ObjectRewrite plan_object_rewrite(const std::string& readelf_output);

// Checks the object (why_object_refused) and rewrites it in place: "" when done, else why not
// (a refusal for the student, or objcopy's failure). `work` is a folder for objcopy's list.
[[nodiscard]] std::string check_and_move_student_code_aside(const std::filesystem::path& object, bool sanitized,
                                                             const std::filesystem::path& work);

}  // namespace grader
