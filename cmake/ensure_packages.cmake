# Makes sure the Debian/Ubuntu packages parlab needs are installed. Included by the
# README commands (main_job.cmake, test_all.cmake) and usable alone:
#   cmake -P cmake/ensure_packages.cmake
# As root (or with password-less sudo) it installs what is missing with apt-get;
# otherwise it prints the exact command to run and stops. parlab_ensure_packages(WITH_TEST_TOOLS)
# adds PARLAB_TEST_DEBIAN_PACKAGES (what only the test suite needs).
include("${CMAKE_CURRENT_LIST_DIR}/packages.cmake")

function(parlab_ensure_packages)
  cmake_parse_arguments(PARSE_ARGV 0 arg "WITH_TEST_TOOLS" "" "")
  set(wanted ${PARLAB_DEBIAN_PACKAGES})
  if(arg_WITH_TEST_TOOLS)
    list(APPEND wanted ${PARLAB_TEST_DEBIAN_PACKAGES})
  endif()
  find_program(DPKG_QUERY dpkg-query)
  find_program(APT_GET apt-get)
  if(NOT DPKG_QUERY OR NOT APT_GET)
    list(JOIN wanted " " names)
    message(WARNING "This is not a Debian/Ubuntu system, so parlab cannot check its packages. "
                    "Make sure the equivalents of these are installed: ${names}")
    return()
  endif()
  set(missing "")
  foreach(pkg IN LISTS wanted)
    execute_process(COMMAND "${DPKG_QUERY}" -W "-f=\${Status}" "${pkg}"
                    OUTPUT_VARIABLE status ERROR_QUIET RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0 OR NOT status MATCHES "install ok installed")
      list(APPEND missing "${pkg}")
    endif()
  endforeach()
  if(NOT missing)
    return()
  endif()
  list(JOIN missing " " names)

  execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(prefix "")
  if(NOT uid STREQUAL "0")
    find_program(SUDO sudo)
    if(SUDO)
      execute_process(COMMAND "${SUDO}" -n true RESULT_VARIABLE sudo_rc OUTPUT_QUIET ERROR_QUIET)
    endif()
    if(NOT SUDO OR NOT sudo_rc EQUAL 0)
      message(FATAL_ERROR "parlab needs these packages, which are not installed: ${names}\n"
                          "Install them, then run this command again:\n"
                          "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${names}")
    endif()
    set(prefix "${SUDO}" -n)
  endif()
  message(STATUS "installing missing packages: ${names}")
  execute_process(COMMAND ${prefix} "${CMAKE_COMMAND}" -E env DEBIAN_FRONTEND=noninteractive
                          "${APT_GET}" update -q RESULT_VARIABLE rc)
  execute_process(COMMAND ${prefix} "${CMAKE_COMMAND}" -E env DEBIAN_FRONTEND=noninteractive
                          "${APT_GET}" install -y -q --no-install-recommends ${missing}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "apt-get could not install: ${names} (exit ${rc}); see its output above")
  endif()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  parlab_ensure_packages()
  message(STATUS "all packages parlab needs are installed")
endif()
