# Writes the student kit: what students get, and nothing they must not see.
#
#   cmake -DOUT=<dir> -P cmake/release_kit.cmake      (OUT defaults to build/kit)
#
# produces <OUT>/parlab-kit/ and <OUT>/parlab-kit.tar.gz (whose one top folder is parlab-kit/).
# A relative OUT is taken from the current directory.
#
# The kit is built from an allow-list, never by copying the tree and deleting the secret
# parts: a file somebody adds to the instructor tree tomorrow (a new instructor note, a grader
# script) stays out of the kit until it is named here. What goes in:
#   - each lab's files that its lab.json names as student-facing, and lab.json itself;
#   - labs/common entirely (given code, test helpers, the `parlab` command);
#   - the student docs: getting-started, self-study, glossary, and a kit index;
#   - the top-level CMakeLists.txt and the cmake/ modules the kit's own build includes, plus
#     the package list and the script that installs it;
#   - the kit's own README.md, CMakePresets.json, .gitignore and docs/index.md, from cmake/kit/;
#   - a stamp, .parlab-kit, saying which commit the kit was made from.
# What never goes in: solutions/, tests/ (hidden tests, the separation check, the tests of the
# grader and of this kit), grader/, .ci/, instructor and contributor docs, and the
# instructor-only cmake scripts (main job, test suite, coverage, packaging, this script).
# tests/student/kit.cmake (ctest student:kit) checks all of that on every CI run.
cmake_minimum_required(VERSION 3.25)

get_filename_component(root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
# The same reader of the manifests that the build uses, so the kit and the configure step can
# never disagree about what a list holds.
include("${CMAKE_CURRENT_LIST_DIR}/ParlabManifest.cmake")

if(NOT DEFINED OUT OR OUT STREQUAL "")
  set(OUT "${root}/build/kit")
endif()
# In script mode the current binary directory is the directory cmake was started from.
get_filename_component(out "${OUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
set(kit "${out}/parlab-kit")
set(archive "${out}/parlab-kit.tar.gz")
set(stamp_name ".parlab-kit")
set(stamp_first_line "parlab student kit")

# ---- Refusals, all before anything is written. -------------------------------------------

# The kit must not land inside a folder it is copied from: inside labs/ the next configure
# would find files no manifest names and stop, and inside labs/, docs/ or cmake/ the next
# release would read the old kit back in.
# Both the path as given and, where it already exists, the path with symbolic links resolved.
set(out_paths "${out}")
if(EXISTS "${out}")
  file(REAL_PATH "${out}" out_real)
  list(APPEND out_paths "${out_real}")
endif()
file(REAL_PATH "${root}" root_real)
foreach(source_folder IN ITEMS labs docs cmake)
  set(inside FALSE)
  foreach(base IN ITEMS "${root}" "${root_real}")
    set(prefix "${base}/${source_folder}")
    foreach(candidate IN LISTS out_paths)
      cmake_path(IS_PREFIX prefix "${candidate}" NORMALIZE is_inside)
      if(is_inside)
        set(inside TRUE)
      endif()
    endforeach()
  endforeach()
  if(inside)
    message(FATAL_ERROR "release_kit: OUT=${out} is inside ${root}/${source_folder}/, which the kit "
                        "is made from. Choose a folder outside labs/, docs/ and cmake/, for example "
                        "-DOUT=${root}/build/kit (the default).")
  endif()
endforeach()

# Only a previous kit may be replaced: a folder that carries our stamp, and an archive whose
# every entry lies under parlab-kit/ and which holds the stamp too. Anything else at those
# paths is somebody's work, and we stop rather than delete it.
if(EXISTS "${kit}" OR IS_SYMLINK "${kit}")
  set(previous FALSE)
  if(IS_DIRECTORY "${kit}" AND NOT IS_SYMLINK "${kit}" AND EXISTS "${kit}/${stamp_name}")
    file(STRINGS "${kit}/${stamp_name}" stamp_lines LIMIT_COUNT 1)
    if(stamp_lines STREQUAL stamp_first_line)
      set(previous TRUE)
    endif()
  endif()
  if(NOT previous)
    message(FATAL_ERROR "release_kit: ${kit} exists and is not a kit this script made (it has no "
                        "${stamp_name} stamp). Move it away or delete it yourself, or choose another "
                        "OUT, then run this again.")
  endif()
endif()
if(EXISTS "${archive}" OR IS_SYMLINK "${archive}")
  set(previous FALSE)
  if(NOT IS_DIRECTORY "${archive}" AND NOT IS_SYMLINK "${archive}")
    execute_process(COMMAND "${CMAKE_COMMAND}" -E tar tzf "${archive}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE entries ERROR_QUIET)
    if(rc EQUAL 0)
      string(REGEX REPLACE "\n$" "" entries "${entries}")
      string(REPLACE "\n" ";" entries "${entries}")
      set(previous TRUE)
      foreach(entry IN LISTS entries)
        if(NOT entry MATCHES "^parlab-kit(/|$)")
          set(previous FALSE)
        endif()
      endforeach()
      if(NOT "parlab-kit/${stamp_name}" IN_LIST entries)
        set(previous FALSE)
      endif()
    endif()
  endif()
  if(NOT previous)
    message(FATAL_ERROR "release_kit: ${archive} exists and is not a kit archive this script made. "
                        "Move it away or delete it yourself, or choose another OUT, then run this again.")
  endif()
endif()

# ---- The file list: pairs of (source in the instructor tree, path in the kit). -----------

set(sources "")
set(destinations "")
macro(kit_add source destination)
  if(NOT EXISTS "${root}/${source}" OR IS_DIRECTORY "${root}/${source}")
    message(FATAL_ERROR "release_kit: ${root}/${source} is missing; the kit needs it")
  endif()
  list(APPEND sources "${source}")
  list(APPEND destinations "${destination}")
endmacro()

# Each lab: the manifest's student-facing lists. hidden_tests is deliberately not among them:
# it names files under tests/NN-slug/, which stay in the instructor tree.
#
# lab.json itself is copied unchanged, hidden_tests included. The names and points of hidden
# tests are no secret (the handouts give each task's points, and the grader's report shows the
# hidden results per task); only their contents are. Keeping the manifest byte for byte means
# the kit's build, the `parlab` command and the grader all read the same tasks, points, hints
# and editable files. The kit still configures: cmake/ParlabLab.cmake builds hidden tests only
# when a tests/ folder exists, and its unlisted-file check looks inside the lab folder only.
set(student_lists EDITABLE HEADERS GIVEN VISIBLE_TESTS BENCH_SOURCES FILES HANDOUT)
# Every lab folder, with or without a manifest: one without fails here, not silently.
file(GLOB lab_dirs LIST_DIRECTORIES true "${root}/labs/[0-9][0-9]-*")
list(SORT lab_dirs)
if(NOT lab_dirs)
  message(FATAL_ERROR "release_kit: no lab folders under ${root}/labs")
endif()
foreach(lab_dir IN LISTS lab_dirs)
  parlab_read_manifest(manifest "${lab_dir}")
  set(slug "${manifest_SLUG}")
  set(named lab.json)
  foreach(list_name IN LISTS student_lists)
    list(APPEND named ${manifest_${list_name}})
  endforeach()
  list(REMOVE_DUPLICATES named)

  # Every file of the lab folder must be named (the configure step demands the same). A file
  # that is not would otherwise be left out of the kit without a word.
  file(GLOB_RECURSE on_disk RELATIVE "${lab_dir}" "${lab_dir}/*")
  foreach(f IN LISTS on_disk)
    if(NOT f IN_LIST named)
      message(FATAL_ERROR "release_kit: labs/${slug}/${f} is in no student-facing list of "
                          "labs/${slug}/lab.json (editable, headers, given, visible_tests, "
                          "benchmark.sources, files). Name it there, or move it out of labs/.")
    endif()
  endforeach()
  foreach(f IN LISTS named)
    kit_add("labs/${slug}/${f}" "labs/${slug}/${f}")
  endforeach()
endforeach()

# labs/common: all of it, bar editor and scratch files nobody meant to publish.
file(GLOB_RECURSE common_files RELATIVE "${root}" "${root}/labs/common/*")
list(FILTER common_files EXCLUDE REGEX "(~|\\.tmp|\\.swp|\\.orig|\\.rej)$")
foreach(f IN LISTS common_files)
  kit_add("${f}" "${f}")
endforeach()

# Student docs. grading.md, design.md, lab-contract.md and any instructor guide describe the
# grader, the hidden tests and the solutions: they stay behind. The kit's docs/index.md is its
# own (cmake/kit/index.md), linking only to what the kit holds.
foreach(doc IN ITEMS getting-started.md self-study.md glossary.md)
  kit_add("docs/${doc}" "docs/${doc}")
endforeach()
kit_add("cmake/kit/index.md" "docs/index.md")

# The build. The top-level CMakeLists.txt copes with a tree without solutions/, tests/ and
# grader/. Of cmake/, only the modules it includes, and the package list with its installer
# (the first command of the getting-started guide). ParlabCoverage.cmake stays behind: the
# coverage build reports on the grader and the reference, which the kit does not have.
foreach(module IN ITEMS ParlabWarnings ParlabSanitizers ParlabBuildSpeed ParlabDependencies ParlabLab ParlabManifest
                        packages ensure_packages)
  kit_add("cmake/${module}.cmake" "cmake/${module}.cmake")
endforeach()
kit_add("CMakeLists.txt" "CMakeLists.txt")

# The kit's own top-level files. The gitignore is stored without its dot so that it does not
# act on cmake/kit/ in the instructor repository.
kit_add("cmake/kit/README.md" "README.md")
kit_add("cmake/kit/CMakePresets.json" "CMakePresets.json")
kit_add("cmake/kit/gitignore" ".gitignore")
# The student command's one entry point, shared with the instructor tree.
kit_add("parlab" "parlab")

# ---- Which commit this is, and the archive's timestamp. -----------------------------------

# The stamp names the commit the kit was made from (and says so when one of the files copied
# into the kit had uncommitted changes), so a student's "which kit do I have?" has an answer. The archive
# stores every file with the commit's time, so two releases of one commit hold the same bytes
# apart from gzip's own header. Without git (a tarball of the instructor tree), use the time now.
set(commit "unknown (not a git checkout)")
find_program(GIT_EXECUTABLE git)
if(GIT_EXECUTABLE)
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${root}" rev-parse HEAD
                  RESULT_VARIABLE rc OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(rc EQUAL 0)
    set(commit "${head}")
    execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${root}" status --porcelain -- ${sources}
                    OUTPUT_VARIABLE changes ERROR_QUIET)
    if(NOT changes STREQUAL "")
      string(APPEND commit " (with uncommitted changes)")
    endif()
    if(NOT DEFINED ENV{SOURCE_DATE_EPOCH})
      execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${root}" log -1 --format=%ct
                      OUTPUT_VARIABLE commit_time OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      if(commit_time MATCHES "^[0-9]+$")
        # string(TIMESTAMP) reads SOURCE_DATE_EPOCH instead of the clock (the reproducible-
        # builds convention); a caller that sets it chooses the archive's time itself.
        set(ENV{SOURCE_DATE_EPOCH} "${commit_time}")
      endif()
    endif()
  endif()
endif()
string(TIMESTAMP archive_time "%Y-%m-%d %H:%M:%S UTC" UTC)

# ---- Write the folder, then the archive. --------------------------------------------------

file(REMOVE_RECURSE "${kit}")
file(REMOVE "${archive}")
file(MAKE_DIRECTORY "${kit}")
set(kit_paths "")
foreach(source destination IN ZIP_LISTS sources destinations)
  get_filename_component(parent "${kit}/${destination}" DIRECTORY)
  file(MAKE_DIRECTORY "${parent}")
  # COPY_FILE, not file(COPY): it always copies, whatever the timestamps.
  file(COPY_FILE "${root}/${source}" "${kit}/${destination}")
  list(APPEND kit_paths "${destination}")
endforeach()
# COPY_FILE keeps no execute bit; the student runs this one as ./parlab.
file(CHMOD "${kit}/parlab" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                       WORLD_READ WORLD_EXECUTE)
file(WRITE "${kit}/${stamp_name}"
     "${stamp_first_line}\n"
     "made from the instructor tree at commit ${commit}\n"
     "by cmake/release_kit.cmake; this file marks the folder as a kit the script may replace\n")
list(APPEND kit_paths "${stamp_name}")

# Sorted, so the archive's order does not depend on the file system. Names go through a list
# file, not the command line, so the number of files is never a problem.
list(SORT kit_paths)
list(TRANSFORM kit_paths PREPEND "parlab-kit/" OUTPUT_VARIABLE archive_paths)
list(JOIN archive_paths "\n" listing)
set(listing_file "${out}/parlab-kit.files.tmp")
file(WRITE "${listing_file}" "${listing}\n")
execute_process(COMMAND "${CMAKE_COMMAND}" -E tar czf "${archive}" "--mtime=${archive_time}"
                        "--files-from=${listing_file}"
                WORKING_DIRECTORY "${out}" RESULT_VARIABLE rc)
file(REMOVE "${listing_file}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "release_kit: cmake -E tar could not write ${archive} (exit ${rc})")
endif()

list(LENGTH kit_paths count)
file(SIZE "${archive}" archive_bytes)
math(EXPR archive_kib "(${archive_bytes} + 1023) / 1024")
message(STATUS "release_kit: ${count} files from commit ${commit}")
message(STATUS "release_kit: ${kit}/")
message(STATUS "release_kit: ${archive} (${archive_kib} KiB)")
