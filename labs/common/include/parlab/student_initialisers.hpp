#pragma once
// When the grader builds a submission it moves the initialisers of the student's objects
// (constructors of global variables, __attribute__((constructor)) functions: the object's
// .init_array) into a section named parlab_student_init, so that they do not run before
// main() in a process that must never run student code: the test process, which decides
// whether a case passed (see parlab_test/isolated.hpp and docs/grading.md). They run here
// instead: at the start of programs that run the student's code themselves (benchmarks,
// labs whose tests call it directly) and at the start of each isolated() child. In any
// build but the grader's the section does not exist and this does nothing.

extern "C" {
// The sanitizers' own initialisers of the student's objects (priority 99), then the student's.
extern void (*const __start_parlab_student_preinit[])() __attribute__((weak));
extern void (*const __stop_parlab_student_preinit[])() __attribute__((weak));
extern void (*const __start_parlab_student_init[])() __attribute__((weak));
extern void (*const __stop_parlab_student_init[])() __attribute__((weak));
}

namespace parlab::detail {

inline void run_student_initialisers() {
  static bool done = false;
  if (done) return;
  done = true;
  if (__start_parlab_student_preinit != nullptr) {
    for (auto* init = __start_parlab_student_preinit; init != __stop_parlab_student_preinit; ++init) (*init)();
  }
  if (__start_parlab_student_init != nullptr) {
    for (auto* init = __start_parlab_student_init; init != __stop_parlab_student_init; ++init) (*init)();
  }
}

}  // namespace parlab::detail
