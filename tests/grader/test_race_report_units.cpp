// ThreadSanitizer's report as the student reads it: library frames left out, the two
// accesses named in the student's file (grader/src/race_report.cpp).
#include "parlab_test/catch.hpp"
#include "race_report.hpp"
#include "util/text.hpp"

namespace {

// Shaped like what TSan printed for grader/examples/volatile-flag (lab 04, GCC 12).
constexpr const char* volatile_flag_race =
    "WARNING: ThreadSanitizer: data race (pid=3)\n"
    "  Write of size 1 at 0x7f56f84d8000 by thread T5:\n"
    "    #0 parlab::lab04::SharedStopFlag::raise() 04-early-exit/src/processes.cpp:56 (lab04_hidden+0x78f89)\n"
    "    #1 operator() tests/04-early-exit/hidden_processes.cpp:53 (lab04_hidden+0x532b6)\n"
    "    #2 __invoke_impl<void, C_A_T_C_H_T_E_S_T_2()::<lambda()> > /usr/include/c++/12/bits/invoke.h:61 (lab04_hidden+0x532b6)\n"
    "    #3 _M_run /usr/include/c++/12/bits/std_thread.h:210 (lab04_hidden+0x532b6)\n"
    "    #4 <null> <null> (libstdc++.so.6+0xd44a2)\n"
    "\n"
    "  Previous read of size 1 at 0x7f56f84d8000 by thread T2:\n"
    "    #0 parlab::lab04::SharedStopFlag::is_set() 04-early-exit/src/processes.cpp:55 (lab04_hidden+0x78f49)\n"
    "    #1 operator() tests/04-early-exit/hidden_processes.cpp:49 (lab04_hidden+0x53305)\n"
    "    #2 _M_run /usr/include/c++/12/bits/std_thread.h:210 (lab04_hidden+0x53305)\n"
    "\n"
    "SUMMARY: ThreadSanitizer: data race 04-early-exit/src/processes.cpp:56 in parlab::lab04::SharedStopFlag::raise()\n";

}  // namespace

TEST_CASE("a race report names both accesses in the student's file and leaves the library out", "[grader][race]") {
  const auto trimmed = grader::trim_race_report(volatile_flag_race, {"processes.cpp", "threads.cpp"});
  CHECK(trimmed.in_student ==
        "the write in SharedStopFlag::raise() (processes.cpp:56) and the previous read in SharedStopFlag::is_set() "
        "(processes.cpp:55)");
  CHECK_FALSE(grader::contains(trimmed.report, "/usr/include"));
  CHECK_FALSE(grader::contains(trimmed.report, "<null>"));
  CHECK_FALSE(grader::contains(trimmed.report, "+0x"));
  CHECK(grader::contains(trimmed.report, "    ... (3 standard-library frames left out)\n"));
  CHECK(grader::contains(trimmed.report, "    ... (1 standard-library frame left out)\n"));
  CHECK(grader::contains(trimmed.report, "#1 operator() tests/04-early-exit/hidden_processes.cpp:53\n"));
  CHECK(grader::contains(trimmed.report, "SUMMARY: ThreadSanitizer: data race"));
}

TEST_CASE("a race outside the student's files names no place in them", "[grader][race]") {
  const auto trimmed = grader::trim_race_report(volatile_flag_race, {"blocking_queue.cpp"});
  CHECK(trimmed.in_student.empty());
  CHECK(grader::contains(trimmed.report, "SharedStopFlag::raise() 04-early-exit/src/processes.cpp:56\n"));
}
