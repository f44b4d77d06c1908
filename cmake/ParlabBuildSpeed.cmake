# Code whose speed nothing measures -- the tests' own code and their helpers, the manifest
# reader, the student command, the grader -- is compiled for build speed: -Og -g1 instead of
# RelWithDebInfo's -O2 -g. That halves its compile time (nlohmann-json and Catch2 dominate
# it), which is most of the wait for a student's first test result, and it keeps the line
# tables that backtraces and the watchdog's thread report name frames with.
#
# The code the labs time keeps -O2 -g: the student's and the reference's sources, the given
# code (parlab_common, the tracing layer, Redis) and the benchmark library. Sanitizer and
# coverage builds keep their own flags (Debug, or coverage's -O0).
# Release builds (the Gradescope image's grader, the figures) drop -O3 to -O1 the same way.
set(PARLAB_TOOLING_COMPILE_OPTIONS "")
if(CMAKE_BUILD_TYPE STREQUAL "RelWithDebInfo" AND NOT PARLAB_COVERAGE)
  set(PARLAB_TOOLING_COMPILE_OPTIONS -Og -g1)
elseif(CMAKE_BUILD_TYPE STREQUAL "Release")
  set(PARLAB_TOOLING_COMPILE_OPTIONS -O1)
endif()

add_library(parlab_tooling_flags INTERFACE)
target_compile_options(parlab_tooling_flags INTERFACE ${PARLAB_TOOLING_COMPILE_OPTIONS})
