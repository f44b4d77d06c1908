# Run by the coverage-report target. See ParlabCoverage.cmake.
cmake_minimum_required(VERSION 3.25)
set(out "${BUILD_DIR}/coverage")
file(MAKE_DIRECTORY "${out}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "coverage step failed: ${ARGN}\n${stdout}\n${stderr}")
  endif()
  set(last_output "${stdout}" PARENT_SCOPE)
endfunction()

run("${LCOV}" --quiet --capture --directory "${BUILD_DIR}" --output-file "${out}/all.info"
    --rc lcov_branch_coverage=0 --ignore-errors gcov,source)
run("${LCOV}" --quiet --extract "${out}/all.info"
    "${SOURCE_DIR}/labs/common/src/*"
    "${IMPL_ROOT}/*" "${SOURCE_DIR}/grader/src/*"
    --output-file "${out}/parlab.info")
run("${LCOV}" --summary "${out}/parlab.info")
run("${GENHTML}" --quiet --output-directory "${out}/html" --title "parlab coverage" "${out}/parlab.info")
execute_process(COMMAND "${LCOV}" --summary "${out}/parlab.info" OUTPUT_VARIABLE summary ERROR_VARIABLE summary)
if(NOT summary MATCHES "lines\\.*: ([0-9.]+)%")
  message(FATAL_ERROR "could not read the line coverage from lcov's summary:\n${summary}")
endif()
set(percent "${CMAKE_MATCH_1}")
message(STATUS "line coverage: ${percent}% (floor ${FLOOR}%); report: ${out}/html/index.html")
if(percent LESS FLOOR)
  message(FATAL_ERROR "line coverage ${percent}% is below the floor of ${FLOOR}%")
endif()
file(WRITE "${out}/line_coverage.txt" "${percent}\n")
