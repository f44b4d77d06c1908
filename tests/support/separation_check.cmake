# Proves the lab contract for one lab (run by ctest as labNN:separation):
#  - every task in the manifest has at least one visible and one hidden test case, and
#    every test case belongs to some task (by the task's Catch tag);
#  - every hidden and every visible case FAILS when linked against the starter;
#  - every hidden case PASSES against the reference is checked by the ordinary
#    labNN:hidden:* tests of the same build, so it is not repeated here.
# Inputs: MANIFEST, HIDDEN_REFERENCE, HIDDEN_STARTER, VISIBLE_REFERENCE, VISIBLE_STARTER,
#         CATCH_MAJOR; optionally KINDS, the kinds of tests to check ("visible;hidden" when
#         unset). tests/student/kit.cmake passes KINDS=visible, with both VISIBLE_ binaries
#         set to the student kit's starter build, which has no hidden tests and no reference.

cmake_minimum_required(VERSION 3.25)

include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/ParlabManifest.cmake")
get_filename_component(lab_dir "${MANIFEST}" DIRECTORY)
parlab_read_manifest(manifest "${lab_dir}")

# Lists the test case names a Catch2 binary holds, optionally filtered by a test spec.
function(list_cases out_var exe)
  if(CATCH_MAJOR GREATER_EQUAL 3)
    set(list_args --list-tests --verbosity quiet)
  else()
    set(list_args --list-test-names-only)
  endif()
  execute_process(COMMAND "${exe}" ${ARGN} ${list_args}
                  OUTPUT_VARIABLE out RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 60)
  # Catch2 v2 returns the number of listed tests as its exit code.
  string(REPLACE "\r" "" out "${out}")
  string(REGEX REPLACE "\n$" "" out "${out}")
  if(out STREQUAL "")
    set(${out_var} "" PARENT_SCOPE)
    return()
  endif()
  string(REPLACE ";" "\\;" out "${out}")
  string(REPLACE "\n" ";" cases "${out}")
  set(${out_var} "${cases}" PARENT_SCOPE)
endfunction()

set(problems "")
if(NOT DEFINED KINDS)
  set(KINDS visible hidden)
endif()

foreach(kind IN LISTS KINDS)
  string(TOUPPER "${kind}" KIND)
  set(reference_exe "${${KIND}_REFERENCE}")
  set(starter_exe "${${KIND}_STARTER}")
  list_cases(all_cases "${reference_exe}")
  if(NOT all_cases)
    list(APPEND problems "${kind}: the test binary lists no test cases")
  endif()

  # Names are passed to Catch as test specs; these characters would change their meaning.
  foreach(name IN LISTS all_cases)
    if(name MATCHES "[][,*\\\\\"]" OR name MATCHES "^[~-]")
      list(APPEND problems "${kind} case '${name}': test names must not contain [ ] , * \\ \" or start with ~ or -")
    endif()
  endforeach()

  set(covered "")
  foreach(task_id tag IN ZIP_LISTS manifest_TASK_IDS manifest_TASK_TAGS)
    list_cases(task_cases "${reference_exe}" "${tag}")
    if(NOT task_cases)
      list(APPEND problems "task '${task_id}' has no ${kind} test case tagged ${tag}")
    endif()
    list(APPEND covered ${task_cases})
  endforeach()
  foreach(name IN LISTS all_cases)
    if(NOT name IN_LIST covered)
      list(APPEND problems "${kind} case '${name}' carries no task tag from the manifest")
    endif()
  endforeach()

  set(failed_on_starter 0)
  foreach(name IN LISTS all_cases)
    # A run fails as well when its test spec selects nothing or Catch rejects the command line
    # (Catch2 3 has no '--warn NoTests', which this check once passed, so every case "failed"),
    # so first prove that the name selects exactly this case in the starter binary.
    list_cases(selected "${starter_exe}" "${name}")
    if(NOT selected STREQUAL name)
      list(APPEND problems "${kind} case '${name}': as a test spec it selects [${selected}] in ${starter_exe}, not that one case")
      continue()
    endif()
    execute_process(COMMAND "${starter_exe}" "${name}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
    if(rc EQUAL 0)
      list(APPEND problems "${kind} case '${name}' PASSES on the starter: it checks nothing the student writes")
    else()
      math(EXPR failed_on_starter "${failed_on_starter} + 1")
    endif()
  endforeach()
  list(LENGTH all_cases n)
  message(STATUS "${kind}: ${failed_on_starter}/${n} cases fail on the starter, as they must")
endforeach()

if(problems)
  list(JOIN problems "\n  " text)
  message(FATAL_ERROR "lab contract broken (${MANIFEST}):\n  ${text}")
endif()
