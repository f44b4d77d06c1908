# The test suite on a second distribution: a minimal Debian 13 (trixie) root, built with
# mmdebstrap, runs README's test command on a copy of this checkout. Debian 12 ships Catch2
# 2.13, GCC 12 and CMake 3.25; trixie ships Catch2 3.7, GCC 14 and CMake 3.31, so this stage is
# what compiles the code's Catch2 3 branches and meets the newer compilers' warnings.
#   cmake -P cmake/test_debian13.cmake                     # the CI stage (.ci/run runs it after the Debian 12 suite)
#   cmake -DWORKFLOWS=ci -P cmake/test_debian13.cmake      # a subset of the workflows
#   cmake "-DRUN=cmake --preset reference && ctest --preset reference -L lab01" -DKEEP_BUILD=ON -P cmake/test_debian13.cmake
#                                                          # any bash command in the root (KEEP_BUILD: reuse build/)
# Needs root, mmdebstrap and bwrap on the host, and Debian's archive for the first run.
#
# Which workflows, and why (CI budget: the whole run under 60 minutes on 2 cores, this stage
# about 20 of them, root included):
#   ci-second-distro  runs: the ci workflow's build and every test against GCC 14 and Catch2 3
#             (the listener, --list-tests, the separation check, the student kit and the
#             Gradescope autograder, whose ctest grader:gradescope packages lab
#             01, runs setup.sh and grades the reference, the starter and an empty upload,
#             checking each results.json) except grader:batch (the batch's journal, resume and
#             gradebook are the grader's own logic, the same on any distribution; its grading
#             path is what grader:gradescope runs here; 4-5 minutes saved), grader:hostile:*
#             and grader:examples: those
#             grade 30 twisted submissions to test the sandbox and the verdicts, the same code
#             on the same kernel, and take 15 of the stage's minutes (the grading path itself,
#             with Catch2 3, is what grader:gradescope runs), and the class-page
#             browser test and the similarity test (no Chromium or Dolos: no network);
#   ci-tsan   not by default, for time: stage 1 took 33 minutes (beside another suite) and
#             this stage's build and tests about 20, so TSan's 8 more would pass the
#             60-minute budget. GCC 14's
#             ThreadSanitizer runtime differs from GCC 12's: run -DWORKFLOWS=ci-tsan by hand
#             after changing thread code (on 2026-12-01, before the watchdog and tracing
#             code came in, its 276 tests passed here);
#   ci-asan   skipped: it finds memory errors in the same code whatever the distribution;
#   coverage  skipped: the coverage floor measures which lines the same tests reach, which
#             does not depend on the distribution (trixie's lcov 2 is not exercised here).
#
# The root is cached in <checkout>/.cache/debian13 (git-ignored; -DCACHE_DIR=... or
# PARLAB_DEBIAN13_CACHE elsewhere) by cmake/debian13_root.cmake, keyed on cmake/packages.cmake
# and that file: it is rebuilt only when either changes. Each run copies the checkout's files (tracked and
# untracked, not ignored) into <cache>/work/parlab, so nothing the suite does there touches
# the checkout or the Debian 12 build trees; without KEEP_BUILD=ON the copy starts with no
# build/ folder, as a clean clone does.
#
# Inside, bwrap gives the suite its own pid, IPC, network (loopback only: the suite needs no
# network) and UTS namespaces, a fresh /proc, a minimal /dev with its own /dev/shm, /sys
# read-only, and /tmp, /var/tmp and /root on disk in <cache>/work. It keeps root's
# capabilities, so the grader's own bubblewrap sandbox nests inside and its tests run under a
# uid of their own, as on Debian 12; the summary lists every isolation level the grader's
# report.json files in the copy's build trees record.
cmake_minimum_required(VERSION 3.25)
get_filename_component(root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
string(TIMESTAMP stage_started "%s")

set(suite trixie)
if(NOT DEFINED MIRROR)
  set(MIRROR "http://deb.debian.org/debian")
endif()
if(NOT DEFINED WORKFLOWS)
  set(WORKFLOWS ci-second-distro)
endif()
if(NOT DEFINED CACHE_DIR)
  if(DEFINED ENV{PARLAB_DEBIAN13_CACHE})
    set(CACHE_DIR "$ENV{PARLAB_DEBIAN13_CACHE}")
  else()
    set(CACHE_DIR "${root}/.cache/debian13")
  endif()
endif()

function(seconds_since out start)
  string(TIMESTAMP now "%s")
  math(EXPR elapsed "${now} - ${start}")
  set(${out} "${elapsed}" PARENT_SCOPE)
endfunction()

# ---- The host ---------------------------------------------------------------------------
execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT uid STREQUAL "0")
  message(FATAL_ERROR "test_debian13: run this as root: mmdebstrap builds the root in its root mode, and the "
                      "suite inside needs root's capabilities for the grader's nested sandbox")
endif()
set(missing_tools "")
foreach(tool mmdebstrap bwrap git)
  find_program(${tool}_path ${tool})
  if(NOT ${tool}_path)
    list(APPEND missing_tools ${tool})
  endif()
endforeach()
if(missing_tools)
  string(REPLACE "bwrap" "bubblewrap" missing_packages "${missing_tools}")
  list(JOIN missing_packages " " names)
  message(FATAL_ERROR "test_debian13: this host lacks ${missing_tools}; install them with\n"
                      "  apt-get install -y --no-install-recommends ${names}")
endif()

# One run at a time per cache: a second would wipe the first one's /tmp and copy under it.
file(MAKE_DIRECTORY "${CACHE_DIR}")
file(LOCK "${CACHE_DIR}/run.lock" GUARD PROCESS TIMEOUT 0 RESULT_VARIABLE lock_error)
if(lock_error)
  message(FATAL_ERROR "test_debian13: another run is using ${CACHE_DIR} (${lock_error}); wait for it, "
                      "or pass -DCACHE_DIR=<another folder>")
endif()

# ---- The root ----------------------------------------------------------------------------
include("${CMAKE_CURRENT_LIST_DIR}/debian13_root.cmake")
parlab_debian13_root(rootfs root_seconds)

# ---- A copy of the checkout ---------------------------------------------------------------
set(work "${CACHE_DIR}/work")
set(copy "${work}/parlab")
execute_process(COMMAND "${git_path}" -C "${root}" ls-files --cached --others --exclude-standard
                OUTPUT_VARIABLE listed RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "test_debian13: ${root} is not a git checkout (git ls-files failed): the copy is made "
                      "from the files git tracks or would track")
endif()
string(REGEX REPLACE "\n$" "" listed "${listed}")
string(REPLACE "\n" ";" listed "${listed}")
set(files "")
foreach(f IN LISTS listed)
  if(EXISTS "${root}/${f}" AND NOT IS_DIRECTORY "${root}/${f}")  # not deleted, not a submodule
    string(APPEND files "${f}\n")
  endif()
endforeach()
file(WRITE "${work}/files.txt" "${files}")
file(GLOB old_entries LIST_DIRECTORIES true "${copy}/*" "${copy}/.*")
foreach(entry IN LISTS old_entries)
  if(NOT (KEEP_BUILD AND entry STREQUAL "${copy}/build"))
    file(REMOVE_RECURSE "${entry}")
  endif()
endforeach()
file(MAKE_DIRECTORY "${copy}")
execute_process(COMMAND "${CMAKE_COMMAND}" -E tar cf "${work}/checkout.tar" "--files-from=${work}/files.txt"
                WORKING_DIRECTORY "${root}" RESULT_VARIABLE rc)
if(rc EQUAL 0)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E tar xf "${work}/checkout.tar" WORKING_DIRECTORY "${copy}"
                  RESULT_VARIABLE rc)
endif()
file(REMOVE "${work}/checkout.tar")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "test_debian13: copying the checkout into ${copy} failed")
endif()
foreach(dir tmp var-tmp home)
  file(REMOVE_RECURSE "${work}/${dir}")
  file(MAKE_DIRECTORY "${work}/${dir}")
endforeach()
# Like the real ones: everyone may write, only the owner may remove (file(CHMOD) has no sticky bit).
execute_process(COMMAND chmod 1777 "${work}/tmp" "${work}/var-tmp")

# ---- Run inside ---------------------------------------------------------------------------
set(log "${work}/suite.log")
# bwrap's command line up to the command to run in the root.
set(in_root "${bwrap_path}"
    --ro-bind "${rootfs}" / --proc /proc --dev /dev --tmpfs /dev/shm --ro-bind /sys /sys
    --bind "${work}/tmp" /tmp --bind "${work}/var-tmp" /var/tmp --bind "${work}/home" /root
    --bind "${copy}" /parlab --bind "${work}" /parlab-work
    --unshare-pid --unshare-ipc --unshare-net --unshare-uts --hostname parlab-debian13
    --die-with-parent --clearenv
    --setenv PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    --setenv HOME /root --setenv LANG C.UTF-8 --setenv TMPDIR /tmp --chdir /parlab
    -- /bin/bash -o pipefail -c)

execute_process(COMMAND ${in_root} "g++ --version | head -n 1; cmake --version | head -n 1; dpkg-query -W -f='catch2 \${Version}\\n' catch2"
                RESULT_VARIABLE rc OUTPUT_VARIABLE versions ERROR_VARIABLE versions OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "test_debian13: cannot run commands in the root (exit ${rc}):\n${versions}")
endif()
string(REPLACE "\n" "; " versions "${versions}")
message(STATUS "test_debian13: the root has ${versions}")

if(DEFINED RUN)
  set(command "${RUN}")
else()
  list(JOIN WORKFLOWS "\\;" workflows_arg)
  # TEST_TOOLS=OFF: Chromium and Dolos come from the network (apt, npm), which the root lacks;
  # the class page and similarity tests are distribution-independent and run in stage 1.
  set(command "cmake -DTEST_TOOLS=OFF -DWORKFLOWS=${workflows_arg} -P cmake/test_all.cmake")
endif()
message(STATUS "test_debian13: running in the root: ${command}")
string(TIMESTAMP started "%s")
execute_process(COMMAND ${in_root} "(${command}) 2>&1 | tee /parlab-work/suite.log" RESULT_VARIABLE rc)
seconds_since(suite_seconds "${started}")

# ---- Summary ------------------------------------------------------------------------------
file(STRINGS "${log}" catch_lines REGEX "Catch2 [0-9]")
list(REMOVE_DUPLICATES catch_lines)
# The isolation level each grading in the root chose, from the grader's report.json files.
file(GLOB_RECURSE reports "${copy}/build/*/report.json")
set(levels "")
foreach(report IN LISTS reports)
  file(READ "${report}" text)
  string(JSON level ERROR_VARIABLE json_error GET "${text}" isolation level)
  if(NOT json_error)
    list(APPEND levels "${level}")
  endif()
endforeach()
list(REMOVE_DUPLICATES levels)
file(STRINGS "${log}" workflow_lines REGEX "^--   [a-z-]+: (passed|FAILED)")
list(JOIN workflow_lines "\n" workflow_text)
list(JOIN catch_lines "\n  " catch_text)
seconds_since(stage_seconds "${stage_started}")
message(STATUS "test_debian13 summary:\n"
               "  ${versions}\n"
               "  configured with: ${catch_text}\n"
               "  the grader's isolation levels (its report.json files): ${levels}\n"
               "${workflow_text}\n"
               "  root: ${root_seconds} s; suite: ${suite_seconds} s; stage: ${stage_seconds} s; log: ${log}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "test_debian13: the command in the Debian 13 root failed (exit ${rc}); see ${log}")
endif()
