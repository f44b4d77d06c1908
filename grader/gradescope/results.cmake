# setup.sh's check that the autograder can grade the reference solution (bash has no JSON
# parser, and CMake is on the image anyway: the grader is built with it):
#   cmake -DMODE=check-reference -DREPORT=<report.json> -P results.cmake
#       Fails unless every lab was graded and earned every task's points.
# (The grader writes Gradescope's results.json itself, notes on the upload included: see
# `parlab-grader grade --upload-notes`.)
cmake_minimum_required(VERSION 3.25)

include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/ParlabManifest.cmake")

if(MODE STREQUAL "check-reference")
  parlab_read_json_object(report "${REPORT}" "the reference's report")
  set(problems "")
  string(JSON nlabs LENGTH "${report}" labs)
  math(EXPR last "${nlabs} - 1")
  foreach(i RANGE ${last})
    string(JSON id GET "${report}" labs ${i} id)
    string(JSON status GET "${report}" labs ${i} status)
    if(NOT status STREQUAL "graded")
      string(JSON why ERROR_VARIABLE err GET "${report}" labs ${i} grader_error)
      string(JSON errors ERROR_VARIABLE err GET "${report}" labs ${i} build_errors)
      list(APPEND problems "lab ${id}: ${status} ${why}${errors}")
      continue()
    endif()
    string(JSON ntasks LENGTH "${report}" labs ${i} tasks)
    math(EXPR tlast "${ntasks} - 1")
    foreach(t RANGE ${tlast})
      string(JSON task GET "${report}" labs ${i} tasks ${t} id)
      string(JSON earned GET "${report}" labs ${i} tasks ${t} earned)
      string(JSON points GET "${report}" labs ${i} tasks ${t} points)
      if(earned LESS points)
        list(APPEND problems "lab ${id} ${task}: the reference earned ${earned} of ${points} points")
      endif()
    endforeach()
  endforeach()
  if(problems)
    list(JOIN problems "\n  " text)
    message(FATAL_ERROR "The reference solution does not earn every correctness point here, so this autograder "
                        "would grade students wrongly:\n  ${text}\nSee the grader's table above.")
  endif()
  message(STATUS "the reference solution earns every correctness point")
else()
  message(FATAL_ERROR "results.cmake: MODE must be check-reference")
endif()
