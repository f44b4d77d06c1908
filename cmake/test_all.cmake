# The whole test suite, as README's second command runs it:
#   cmake -P cmake/test_all.cmake
# Installs missing packages (see ensure_packages.cmake), then runs the workflows:
#   ci          reference build, every visible and hidden test, the starter separation check
#               (which compiles every starter file, so the starter's build is proven here),
#               the student command, the grader's unit, hostile-submission and example tests
#   ci-tsan     reference tests under TSan
#   coverage    reference tests under ASan + UBSan, instrumented with gcov: lcov report and
#               line-coverage floor. One build and one run for both saves about 5 minutes
#               of CI against separate ci-asan and coverage workflows (2026-12-02, 2 cores:
#               545 + 815 s apart, 506 s build + 356 s tests + 167 s report together);
#               ci-asan is still a workflow of its own (-DWORKFLOWS=ci-asan)
# Before them it installs the test-only packages (Chromium) and Dolos (npm; the similarity check).
# Pass -DWORKFLOWS="ci;ci-tsan" (before -P) to run a subset.
cmake_minimum_required(VERSION 3.25)
get_filename_component(root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
include("${CMAKE_CURRENT_LIST_DIR}/ensure_packages.cmake")
# -DTEST_TOOLS=OFF leaves out Chromium and Dolos (the Debian 13 stage does: its root has no
# network); their tests then report "skipped" (exit 77) outside CI.
if(NOT DEFINED TEST_TOOLS)
  set(TEST_TOOLS ON)
endif()
if(TEST_TOOLS)
  parlab_ensure_packages(WITH_TEST_TOOLS)
  # Dolos from the npm registry for the similarity test (grader:similarity:*); a no-op when
  # the installed copy matches grader/similarity/package-lock.json (about 3 minutes otherwise,
  # most of it compiling the tree-sitter grammars).
  execute_process(COMMAND bash "${root}/grader/similarity/install.sh" RESULT_VARIABLE dolos_rc)
  if(NOT dolos_rc EQUAL 0)
    message(FATAL_ERROR "grader/similarity/install.sh failed (exit ${dolos_rc}); see its output above")
  endif()
else()
  parlab_ensure_packages()
  message(STATUS "TEST_TOOLS=OFF: Chromium and Dolos not installed; grader:class-page and grader:similarity skip")
endif()

if(NOT DEFINED WORKFLOWS)
  set(WORKFLOWS ci ci-tsan coverage)
endif()

set(failed "")
set(summary "")
foreach(workflow IN LISTS WORKFLOWS)
  string(TIMESTAMP start "%s")
  message(STATUS "==== workflow ${workflow} ====")
  execute_process(COMMAND "${CMAKE_COMMAND}" --workflow --preset "${workflow}"
                  WORKING_DIRECTORY "${root}" RESULT_VARIABLE rc)
  string(TIMESTAMP stop "%s")
  math(EXPR seconds "${stop} - ${start}")
  if(rc EQUAL 0)
    list(APPEND summary "  ${workflow}: passed in ${seconds} s")
  else()
    list(APPEND summary "  ${workflow}: FAILED (exit ${rc}) after ${seconds} s")
    list(APPEND failed "${workflow}")
  endif()
endforeach()

list(JOIN summary "\n" text)
message(STATUS "workflows:\n${text}")
list(LENGTH WORKFLOWS total)
list(LENGTH failed nfailed)
math(EXPR npassed "${total} - ${nfailed}")
message(STATUS "workflows: ${npassed} passed, ${nfailed} failed")
if(failed)
  message(FATAL_ERROR "failed workflows: ${failed}")
endif()
