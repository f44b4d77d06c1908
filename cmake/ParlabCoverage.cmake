# `coverage-report`: collect gcov data with lcov, keep the code under test (common code,
# the implementation the labs were built from, the grader), write an HTML report to
# <build>/coverage/html and fail if line coverage is below PARLAB_COVERAGE_FLOOR.
find_program(LCOV lcov)
find_program(GENHTML genhtml)
if(NOT LCOV OR NOT GENHTML)
  message(FATAL_ERROR "PARLAB_COVERAGE needs lcov and genhtml (Debian: apt-get install lcov)")
endif()
add_custom_target(coverage-report
  COMMAND "${CMAKE_COMMAND}"
          "-DLCOV=${LCOV}" "-DGENHTML=${GENHTML}"
          "-DBUILD_DIR=${CMAKE_BINARY_DIR}" "-DSOURCE_DIR=${CMAKE_SOURCE_DIR}"
          "-DIMPL_ROOT=${PARLAB_IMPL_ROOT}" "-DFLOOR=${PARLAB_COVERAGE_FLOOR}"
          -P "${CMAKE_SOURCE_DIR}/cmake/coverage_report.cmake"
  USES_TERMINAL
  COMMENT "lcov coverage report (floor ${PARLAB_COVERAGE_FLOOR}% of lines)")
