# Lab registration. A lab is self-describing: labs/NN-slug/lab.json (its manifest)
# names its files, tasks, tests, hints and thresholds. This module reads the manifest,
# checks that it names every file in the lab, and builds:
#   labNN            the student-editable sources from the chosen implementation
#   labNN_visible    visible tests (shipped to students)     -> ctest label labNN-visible
#   labNN_hidden     hidden tests from tests/NN-slug/        -> ctest label labNN-hidden
#   labNN_bench      the lab's benchmark driver
# and, with PARLAB_SEPARATION_CHECK, the hidden tests linked against the starter plus a
# ctest case proving that every hidden case fails there.

include_guard(GLOBAL)
include("${CMAKE_CURRENT_LIST_DIR}/ParlabManifest.cmake")

# Where the chosen implementation's lab folders live.
function(parlab_resolve_impl_root out_var)
  if(PARLAB_IMPL STREQUAL "starter")
    set(root "${CMAKE_SOURCE_DIR}/labs")
  elseif(PARLAB_IMPL STREQUAL "reference")
    if(NOT EXISTS "${CMAKE_SOURCE_DIR}/solutions")
      message(FATAL_ERROR "PARLAB_IMPL=reference, but this tree has no solutions/ folder "
                          "(the student kit ships without them). Use -DPARLAB_IMPL=starter.")
    endif()
    set(root "${CMAKE_SOURCE_DIR}/solutions")
  else()
    get_filename_component(root "${PARLAB_IMPL}" ABSOLUTE BASE_DIR "${CMAKE_SOURCE_DIR}")
    if(NOT IS_DIRECTORY "${root}")
      message(FATAL_ERROR "PARLAB_IMPL='${PARLAB_IMPL}' is neither 'starter', 'reference' nor an "
                          "existing submission directory (one that mirrors labs/, e.g. "
                          "<dir>/01-queues/src/blocking_queue.cpp).")
    endif()
  endif()
  set(${out_var} "${root}" PARENT_SCOPE)
endfunction()

function(_parlab_require_files base kind)
  foreach(_f IN LISTS ARGN)
    if(NOT EXISTS "${base}/${_f}")
      message(FATAL_ERROR "lab manifest lists ${kind} '${_f}', but ${base}/${_f} does not exist")
    endif()
  endforeach()
endfunction()

# Test properties go through catch_discover_tests, which flattens list values: a property
# with two values would be cut in half. So each test carries ONE label, "labNN-visible",
# "labNN-hidden" or "labNN-separation" (ctest -L takes a regex: -L lab01 selects all three,
# -L hidden every lab's hidden tests), and sanitizer settings are compiled in instead of
# passed through the environment (see labs/common/testing/src/sanitizer_defaults.cpp).
set(PARLAB_TEST_TIMEOUT 300)

# Test sources compile once into an object library; the reference (or submission) and the
# starter executables link the same objects, so the separation check costs no second compile.
function(_parlab_add_test_objects target api_target sources)
  add_library(${target} OBJECT ${sources})
  target_link_libraries(${target} PUBLIC ${api_target} parlab_testing Catch2::Catch2WithMain
                                   PRIVATE parlab_warnings parlab_tooling_flags)
endfunction()

function(_parlab_add_test_executable target objects impl_target)
  add_executable(${target})
  target_link_libraries(${target} PRIVATE ${objects} ${impl_target} parlab_testing parlab_result_channel
                                          parlab_case_watchdog parlab_sanitizer_defaults Catch2::Catch2WithMain)
  if(PARLAB_STUDENT_COMPILE_LAUNCHER)
    # In the grader's trees every piece of trusted code (the common libraries, the test
    # helpers, the lab's given code) goes into the program whole and ahead of the student's
    # objects. Then nothing the test process calls can end up bound to a body the student
    # wrote: a student's own definition of a given function is a duplicate (the link fails),
    # and their copy of an inline function or template loses to the trusted one. The
    # student's code is left with the symbols only it defines, which the tests call in
    # isolated() children (docs/grading.md, "the result channel").
    set(trusted parlab_common parlab_trace parlab_redis parlab_testing)
    if(NOT "${ARGV3}" STREQUAL "")
      list(APPEND trusted "${ARGV3}")
    endif()
    set(files "")
    foreach(t IN LISTS trusted)
      string(APPEND files " $<TARGET_FILE:${t}>")
    endforeach()
    target_link_options(${target} PRIVATE "SHELL:-Wl,--whole-archive${files} -Wl,--no-whole-archive")
    add_dependencies(${target} ${trusted})
  endif()
endfunction()

function(_parlab_lab_library target api_target)
  add_library(${target} STATIC ${ARGN})
  target_link_libraries(${target} PUBLIC ${api_target} PRIVATE parlab_warnings)
  # Every program that links the student's code runs their initialisers at start-up, unless
  # its tests go through parlab_test::isolated() (parlab/student_initialisers.hpp).
  target_link_libraries(${target} INTERFACE $<TARGET_OBJECTS:parlab_student_startup>)
endfunction()

function(parlab_add_lab lab_dir)
  parlab_read_manifest(manifest "${lab_dir}")
  set(manifest_path "${manifest_FILE}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${manifest_path}")
  set(lab_id "${manifest_ID}")
  set(slug "${manifest_SLUG}")
  set(lab "lab${lab_id}")
  set(editable ${manifest_EDITABLE})
  set(headers ${manifest_HEADERS})
  set(given ${manifest_GIVEN})
  set(visible_tests ${manifest_VISIBLE_TESTS})
  set(hidden_tests ${manifest_HIDDEN_TESTS})
  set(bench_sources ${manifest_BENCH_SOURCES})
  set(other_files ${manifest_FILES})

  _parlab_require_files("${lab_dir}" "editable file" ${editable})
  _parlab_require_files("${lab_dir}" "header" ${headers})
  _parlab_require_files("${lab_dir}" "given source" ${given})
  _parlab_require_files("${lab_dir}" "visible test" ${visible_tests})
  _parlab_require_files("${lab_dir}" "benchmark source" ${bench_sources})
  _parlab_require_files("${lab_dir}" "file" ${other_files})

  # The manifest must name every file of the lab, so the grader and the kit never
  # miss one: anything on disk that it does not list is an error.
  file(GLOB_RECURSE on_disk RELATIVE "${lab_dir}" "${lab_dir}/*")
  set(listed lab.json ${editable} ${headers} ${given} ${visible_tests} ${bench_sources} ${other_files})
  foreach(f IN LISTS on_disk)
    if(NOT f IN_LIST listed)
      message(FATAL_ERROR "${lab_dir}/${f} is not named in ${manifest_path}; add it to the list "
                          "it belongs to (editable, headers, given, visible_tests, benchmark.sources, files)")
    endif()
  endforeach()

  # Build the editable sources from the chosen implementation. A submission that lacks
  # a file falls back to the starter, loudly, so one missing file never hides the rest.
  set(impl_sources "")
  foreach(f IN LISTS editable)
    set(candidate "${PARLAB_IMPL_ROOT}/${slug}/${f}")
    if(EXISTS "${candidate}")
      list(APPEND impl_sources "${candidate}")
    else()
      message(WARNING "${lab}: ${candidate} is missing; building the starter's ${f} instead")
      list(APPEND impl_sources "${lab_dir}/${f}")
    endif()
  endforeach()
  list(TRANSFORM given PREPEND "${lab_dir}/")

  # The lab's API: its headers plus the common code. Tests compile against this alone.
  add_library(${lab}_api INTERFACE)
  target_include_directories(${lab}_api INTERFACE "${lab_dir}/include")
  target_link_libraries(${lab}_api INTERFACE parlab_common PkgConfig::HIREDIS)

  # The student's files compile in a target of their own, so that the grader can run their
  # compiler in its sandbox: PARLAB_STUDENT_COMPILE_LAUNCHER (set only by the grader's slot
  # trees) becomes the launcher of these files and of nothing else. The given sources, tests
  # and the reference are compiled without it.
  add_library(${lab}_student OBJECT ${impl_sources})
  target_link_libraries(${lab}_student PUBLIC ${lab}_api PRIVATE parlab_warnings)
  if(PARLAB_STUDENT_COMPILE_LAUNCHER)
    set_target_properties(${lab}_student PROPERTIES CXX_COMPILER_LAUNCHER "${PARLAB_STUDENT_COMPILE_LAUNCHER}")
  endif()
  _parlab_lab_library(${lab} ${lab}_api $<TARGET_OBJECTS:${lab}_student> ${given})
  # The given code once more, alone, for the grader's trusted-first link (see above).
  set(given_trusted "")
  if(PARLAB_STUDENT_COMPILE_LAUNCHER AND given)
    set(given_trusted ${lab}_given_trusted)
    add_library(${given_trusted} STATIC ${given})
    target_link_libraries(${given_trusted} PUBLIC ${lab}_api PRIVATE parlab_warnings)
  endif()

  list(TRANSFORM visible_tests PREPEND "${lab_dir}/")
  _parlab_add_test_objects(${lab}_visible_objs ${lab}_api "${visible_tests}")
  _parlab_add_test_executable(${lab}_visible ${lab}_visible_objs ${lab} "${given_trusted}")
  catch_discover_tests(${lab}_visible TEST_PREFIX "${lab}:visible:"
                       PROPERTIES LABELS "${lab}-visible" TIMEOUT ${PARLAB_TEST_TIMEOUT})

  if(bench_sources)
    set(bench_target "${manifest_BENCH_TARGET}")
    list(TRANSFORM bench_sources PREPEND "${lab_dir}/")
    add_executable(${bench_target} ${bench_sources})
    target_link_libraries(${bench_target} PRIVATE ${lab} parlab_bench parlab_warnings)

    # `cmake --build <dir> --target figures` reruns every lab's benchmark and redraws the
    # handout's figure (the one figures/*.svg the manifest names) from this machine.
    set(figure "")
    foreach(f IN LISTS other_files)
      if(f MATCHES "^figures/.*\\.svg$" AND NOT f MATCHES "^figures/trace")  # trace pictures come from `parlab trace`
        set(figure "${f}")
      endif()
    endforeach()
    if(figure)
      add_custom_target(${lab}_figure
        COMMAND ${bench_target} --svg "${lab_dir}/${figure}" --json "${CMAKE_BINARY_DIR}/${lab}_bench.json"
        DEPENDS ${bench_target} USES_TERMINAL
        COMMENT "lab ${lab_id}: running the benchmark to redraw ${figure}")
      if(NOT TARGET figures)
        add_custom_target(figures)
      endif()
      add_dependencies(figures ${lab}_figure)
    endif()
  endif()

  set(hidden_dir "${CMAKE_SOURCE_DIR}/tests/${slug}")
  if(PARLAB_HAVE_HIDDEN_TESTS AND hidden_tests)
    _parlab_require_files("${hidden_dir}" "hidden test" ${hidden_tests})
    list(TRANSFORM hidden_tests PREPEND "${hidden_dir}/")
    _parlab_add_test_objects(${lab}_hidden_objs ${lab}_api "${hidden_tests}")
    _parlab_add_test_executable(${lab}_hidden ${lab}_hidden_objs ${lab} "${given_trusted}")
    catch_discover_tests(${lab}_hidden TEST_PREFIX "${lab}:hidden:"
                         PROPERTIES LABELS "${lab}-hidden" TIMEOUT ${PARLAB_TEST_TIMEOUT})

    if(PARLAB_SEPARATION_CHECK AND NOT PARLAB_IMPL STREQUAL "starter")
      set(starter_sources "${editable}")
      list(TRANSFORM starter_sources PREPEND "${lab_dir}/")
      _parlab_lab_library(${lab}_starter ${lab}_api ${starter_sources} ${given})
      _parlab_add_test_executable(${lab}_hidden_on_starter ${lab}_hidden_objs ${lab}_starter "${given_trusted}")
      _parlab_add_test_executable(${lab}_visible_on_starter ${lab}_visible_objs ${lab}_starter "${given_trusted}")
      add_test(NAME "${lab}:separation"
               COMMAND "${CMAKE_COMMAND}"
                 "-DMANIFEST=${manifest_path}"
                 "-DHIDDEN_REFERENCE=$<TARGET_FILE:${lab}_hidden>"
                 "-DHIDDEN_STARTER=$<TARGET_FILE:${lab}_hidden_on_starter>"
                 "-DVISIBLE_REFERENCE=$<TARGET_FILE:${lab}_visible>"
                 "-DVISIBLE_STARTER=$<TARGET_FILE:${lab}_visible_on_starter>"
                 "-DCATCH_MAJOR=${Catch2_VERSION_MAJOR}"
                 -P "${CMAKE_SOURCE_DIR}/tests/support/separation_check.cmake")
      set_tests_properties("${lab}:separation" PROPERTIES
                           LABELS "${lab}-separation" TIMEOUT 900)
    endif()
  endif()
endfunction()

# Tests of labs/common itself: given code must be right before students build on it.
function(parlab_add_common_tests dir)
  file(GLOB sources "${dir}/*.cpp")
  add_executable(common_tests ${sources})
  target_link_libraries(common_tests PRIVATE parlab_common parlab_manifest parlab_testing parlab_case_watchdog
                                             parlab_result_channel
                                             parlab_sanitizer_defaults Catch2::Catch2WithMain nlohmann_json::nlohmann_json
                                             parlab_warnings parlab_tooling_flags)
  # The result channel's test runs a test program that carries the channel, as every lab test
  # program does, and fails on purpose; that program is not a test of its own.
  add_executable(result_channel_fixture "${dir}/channel/failing_cases.cpp")
  target_link_libraries(result_channel_fixture PRIVATE parlab_testing parlab_result_channel parlab_sanitizer_defaults
                                                       Catch2::Catch2WithMain parlab_warnings)
  # The case watchdog's test runs a test program whose one case hangs.
  add_executable(hanging_case_fixture "${dir}/watchdog/hanging_case.cpp")
  target_link_libraries(hanging_case_fixture PRIVATE parlab_testing parlab_case_watchdog parlab_sanitizer_defaults
                                                     Catch2::Catch2WithMain parlab_warnings)
  target_compile_definitions(common_tests PRIVATE PARLAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                                                  RESULT_CHANNEL_FIXTURE="$<TARGET_FILE:result_channel_fixture>"
                                                  HANGING_CASE_FIXTURE="$<TARGET_FILE:hanging_case_fixture>")
  add_dependencies(common_tests result_channel_fixture hanging_case_fixture)
  catch_discover_tests(common_tests TEST_PREFIX "common:"
                       PROPERTIES LABELS "common" TIMEOUT ${PARLAB_TEST_TIMEOUT})
endfunction()
