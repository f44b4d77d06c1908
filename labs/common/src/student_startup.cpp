// Linked into every program that links a lab's student code (tests and benchmark): runs the
// student's initialisers at start-up, unless the program's tests call the student's code
// only through parlab_test::isolated() -- their header defines the marker below, and their
// children run the initialisers instead (see parlab/student_initialisers.hpp).
#include "parlab/student_initialisers.hpp"

extern "C" {
extern bool parlab_test_checks_isolated __attribute__((weak));
}

namespace {

struct StudentInitialisersAtStartUp {
  StudentInitialisersAtStartUp() {
    if (&parlab_test_checks_isolated == nullptr) parlab::detail::run_student_initialisers();
  }
};
const StudentInitialisersAtStartUp at_start_up;

}  // namespace
