# Every library comes from the system's packages; nothing is downloaded.
# The Debian/Ubuntu package names live in cmake/packages.cmake (used by the
# README commands to install what is missing).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

find_package(Catch2 REQUIRED)
if(Catch2_VERSION VERSION_GREATER_EQUAL 3)
  include(Catch)
else()
  include("${Catch2_DIR}/Catch.cmake" OPTIONAL RESULT_VARIABLE _catch_module)
  if(NOT _catch_module)
    include(Catch)
  endif()
endif()
if(NOT TARGET Catch2::Catch2WithMain)
  message(FATAL_ERROR "Catch2 was found but has no prebuilt Catch2::Catch2WithMain; "
                      "install Catch2 >= 2.13.5 from your distribution (Debian: apt-get install catch2)")
endif()
# Which Catch2 the tests compile against: 2.x and 3.x take different code paths (see
# labs/common/testing/include/parlab_test/catch.hpp), so the log says which one this is.
message(STATUS "Catch2 ${Catch2_VERSION} (${Catch2_DIR})")

find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt REQUIRED)
find_package(tomlplusplus REQUIRED)
# hiredis: Debian's CMake config for 0.14 is broken, pkg-config is not.
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
