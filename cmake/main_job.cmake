# README's first command, the main job:
#   cmake -P cmake/main_job.cmake
# Installs missing packages, builds the optimised reference tree with the grader, and grades
# the bundled example submissions (grader/examples/): the reference solution and samples with
# typical mistakes. Prints the table per submission and writes the reports, among them
# build/grader-examples/index.html. Pass -DLABS=01,03 (before -P) to grade only some labs.
cmake_minimum_required(VERSION 3.25)
get_filename_component(root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
include("${CMAKE_CURRENT_LIST_DIR}/ensure_packages.cmake")
parlab_ensure_packages()

function(step)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${root}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (exit ${rc}): ${ARGN}")
  endif()
endfunction()

set(lab_args "")
if(DEFINED LABS)
  set(lab_args --labs "${LABS}")
endif()
step("${CMAKE_COMMAND}" --preset release)
step("${CMAKE_COMMAND}" --build --preset release --target parlab-grader)
step("${root}/build/release/grader/parlab-grader" examples ${lab_args} --out "${root}/build/grader-examples")
message(STATUS "report: ${root}/build/grader-examples/index.html")
