# ctest manifest:cmake-refuses:*: cmake/ParlabManifest.cmake must refuse a broken manifest
# with a message naming the file and the key (the test's PASS_REGULAR_EXPRESSION).
#   cmake -DFIXTURE=<broken lab.json of lab 01> -DWORK_DIR=<scratch> -P manifest_cmake_refusal.cmake
cmake_minimum_required(VERSION 3.25)
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/ParlabManifest.cmake")
# The fixtures are lab 01's manifest with one thing broken, so they need its folder name.
set(lab_dir "${WORK_DIR}/01-queues")
file(REMOVE_RECURSE "${lab_dir}")
file(MAKE_DIRECTORY "${lab_dir}")
file(COPY_FILE "${FIXTURE}" "${lab_dir}/lab.json")
parlab_read_manifest(manifest "${lab_dir}")
message(FATAL_ERROR "${FIXTURE} was accepted, but it is broken on purpose")
