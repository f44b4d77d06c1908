# The student kit, end to end (ctest student:kit). In a scratch folder it:
#   1. releases the kit with cmake/release_kit.cmake, releases it again over the first one,
#      and checks that it refuses an OUT inside labs/ and a folder that is not a kit;
#   2. unpacks the .tar.gz and checks it holds exactly the files of the kit folder;
#   3. checks that nothing hidden leaked into it, by file (no solutions/, tests/, grader/,
#      .ci/, instructor doc or instructor script, and no copy of such a file under another
#      name) and by text (no distinctive line of a solution or a hidden test anywhere);
#   4. checks every relative link of every Markdown file of the kit;
#   5. configures and builds the unpacked kit with its default workflow (every lab, from the
#      starter), configures its sanitizer presets, and checks that the visible tests fail on
#      the starter, every one of them;
#   6. runs every command the kit's Markdown files mark as runnable (run_doc_commands.cmake);
#   7. drives the student command like a student: progress at 0 %, hint layers, a failing
#      task, a bad lab name, the reference file copied in, the task passing, progress moving,
#      and watch mode running at once and again after a save (it prints from save to result);
#   8. a push that waits forever: parlab test and the test binary fail within the watchdog's
#      budget naming the case and the blocked thread, watch restarts when the fix is saved during
#      the hung run and leaves no process behind, and a crash in one case leaves the others counted.
# The kit is configured and built once; every later step reuses that build.
# Inputs: SOURCE_DIR (the instructor tree), WORK_DIR (scratch, wiped first), CATCH_MAJOR.
cmake_minimum_required(VERSION 3.25)
include("${CMAKE_CURRENT_LIST_DIR}/run_doc_commands.cmake")

foreach(input IN ITEMS SOURCE_DIR WORK_DIR CATCH_MAJOR)
  if(NOT DEFINED ${input})
    message(FATAL_ERROR "kit.cmake needs -D${input}=...")
  endif()
endforeach()

# ---- Helpers ------------------------------------------------------------------------------

# Runs a command in a folder; expected is an exit code, or "nonzero". Leaves its output in
# step_output for expect_output().
function(run_step name expected dir)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${dir}" RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err INPUT_FILE /dev/null TIMEOUT 900)
  if(expected STREQUAL "nonzero")
    set(ok FALSE)
    if(rc MATCHES "^[0-9]+$" AND NOT rc EQUAL 0)
      set(ok TRUE)
    endif()
  else()
    set(ok FALSE)
    if("${rc}" STREQUAL "${expected}")
      set(ok TRUE)
    endif()
  endif()
  if(NOT ok)
    message(FATAL_ERROR "${name}: exit ${rc}, expected ${expected}\n${out}\n${err}")
  endif()
  set(step_output "${out}${err}" PARENT_SCOPE)
endfunction()

function(expect_output name pattern)
  if(NOT step_output MATCHES "${pattern}")
    message(FATAL_ERROR "${name}: expected output matching '${pattern}', got:\n${step_output}")
  endif()
endfunction()

# The same for CMake's own error messages, which it wraps at 80 columns: spaces and newlines
# count as one space.
function(expect_message name pattern)
  string(REGEX REPLACE "[ \n]+" " " text "${step_output}")
  if(NOT text MATCHES "${pattern}")
    message(FATAL_ERROR "${name}: expected a message matching '${pattern}', got:\n${step_output}")
  endif()
endfunction()

# Wall-clock time per phase, printed at the end (the test must stay near 5 minutes on a
# 2-core machine, so where the time goes is part of its output).
string(TIMESTAMP test_start "%s")
set(phase_start ${test_start})
set(phase_times "")
macro(phase_done name)
  string(TIMESTAMP _now "%s")
  math(EXPR _seconds "${_now} - ${phase_start}")
  list(APPEND phase_times "${name}: ${_seconds} s")
  message(STATUS "kit test: ${name} done in ${_seconds} s")
  set(phase_start ${_now})
endmacro()

# Every file under a folder, relative to it, sorted (hidden files included).
function(list_files out_var dir)
  file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE "${dir}" "${dir}/*")
  list(SORT files)
  set(${out_var} "${files}" PARENT_SCOPE)
endfunction()

# ---- 1. Release, release again, and the refusals -------------------------------------------

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(out "${WORK_DIR}/out")
set(release_kit "${SOURCE_DIR}/cmake/release_kit.cmake")
run_step("release the kit" 0 "${WORK_DIR}" "${CMAKE_COMMAND}" "-DOUT=${out}" -P "${release_kit}")
run_step("release again over the previous kit" 0 "${WORK_DIR}" "${CMAKE_COMMAND}" "-DOUT=${out}" -P "${release_kit}")
expect_output("release again over the previous kit" "release_kit: ([0-9]+) files")
set(kit_dir "${out}/parlab-kit")
set(archive "${out}/parlab-kit.tar.gz")

# Inside labs/ the kit would break the next configure; the script must stop before writing.
set(in_labs "${SOURCE_DIR}/labs/01-queues/kit-test-must-not-exist")
run_step("release into labs/" nonzero "${WORK_DIR}" "${CMAKE_COMMAND}" "-DOUT=${in_labs}" -P "${release_kit}")
expect_message("release into labs/" "is inside [^ ]*/labs/, which the kit is made from")
if(EXISTS "${in_labs}")
  file(REMOVE_RECURSE "${in_labs}")
  message(FATAL_ERROR "release_kit refused OUT=${in_labs} but wrote there first")
endif()
# Somebody's folder called parlab-kit is not a kit: refused, and left as it was.
file(WRITE "${WORK_DIR}/foreign/parlab-kit/notes.txt" "my notes\n")
run_step("release over a folder that is not a kit" nonzero "${WORK_DIR}"
         "${CMAKE_COMMAND}" "-DOUT=${WORK_DIR}/foreign" -P "${release_kit}")
expect_message("release over a folder that is not a kit" "is not a kit this script made")
if(NOT EXISTS "${WORK_DIR}/foreign/parlab-kit/notes.txt" OR EXISTS "${WORK_DIR}/foreign/parlab-kit.tar.gz")
  message(FATAL_ERROR "release_kit refused a folder that is not a kit, but changed it")
endif()
phase_done("release")

# ---- 2. The archive holds the folder, and only under parlab-kit/ ---------------------------

set(unpacked "${WORK_DIR}/unpacked")
file(MAKE_DIRECTORY "${unpacked}")
run_step("list the archive" 0 "${unpacked}" "${CMAKE_COMMAND}" -E tar tzf "${archive}")
string(REGEX REPLACE "\n$" "" entries "${step_output}")
string(REPLACE "\n" ";" entries "${entries}")
foreach(entry IN LISTS entries)
  if(NOT entry MATCHES "^parlab-kit/")
    message(FATAL_ERROR "the archive holds '${entry}', outside its top folder parlab-kit/")
  endif()
endforeach()
run_step("unpack the archive" 0 "${unpacked}" "${CMAKE_COMMAND}" -E tar xzf "${archive}")
set(kit "${unpacked}/parlab-kit")
list_files(folder_files "${kit_dir}")
list_files(archive_files "${kit}")
if(NOT folder_files STREQUAL archive_files)
  set(only_folder ${folder_files})
  list(REMOVE_ITEM only_folder ${archive_files})
  set(only_archive ${archive_files})
  list(REMOVE_ITEM only_archive ${folder_files})
  message(FATAL_ERROR "the archive and the kit folder differ:\n  only in the folder: ${only_folder}\n"
                      "  only in the archive: ${only_archive}")
endif()
foreach(f IN LISTS folder_files)
  file(SHA256 "${kit_dir}/${f}" a)
  file(SHA256 "${kit}/${f}" b)
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "${f} differs between the kit folder and the archive")
  endif()
endforeach()
list(LENGTH folder_files kit_file_count)
file(SIZE "${archive}" archive_bytes)
message(STATUS "kit: ${kit_file_count} files, parlab-kit.tar.gz is ${archive_bytes} bytes")

# ---- 3. Nothing hidden leaked: by file ------------------------------------------------------

# Reports are collected as text, not as a CMake list: the lines they quote hold ";" and "[".
set(leaks "")
set(top_level_allowed README.md CMakeLists.txt CMakePresets.json .gitignore .parlab-kit parlab)
set(student_docs docs/getting-started.md docs/self-study.md docs/glossary.md docs/index.md)
foreach(f IN LISTS archive_files)
  if(f MATCHES "^(solutions|tests|grader|\\.ci)/")
    string(APPEND leaks "\n  ${f}: the kit holds ${CMAKE_MATCH_1}/, which is instructor-only")
  elseif(NOT f MATCHES "/" AND NOT f IN_LIST top_level_allowed)
    string(APPEND leaks "\n  ${f}: unexpected file at the top of the kit")
  elseif(NOT f MATCHES "^(labs|docs|cmake)/" AND f MATCHES "/")
    string(APPEND leaks "\n  ${f}: unexpected folder at the top of the kit")
  elseif(f MATCHES "^docs/" AND NOT f IN_LIST student_docs)
    string(APPEND leaks "\n  ${f}: not a student doc (instructor and contributor notes stay behind)")
  endif()
endforeach()

# Each cmake/ file of the kit must be needed: included by the kit's own CMake code, or named
# by one of its Markdown files (cmake/ensure_packages.cmake is the guide's first command).
# That keeps the main job, the test suite, coverage, packaging and release scripts out.
set(kit_cmake_text "")
set(kit_markdown_text "")
foreach(f IN LISTS archive_files)
  if(f MATCHES "(^|/)CMakeLists\\.txt$" OR f MATCHES "\\.cmake$")
    file(READ "${kit}/${f}" text)
    string(APPEND kit_cmake_text "${text}\n")
  elseif(f MATCHES "\\.md$")
    file(READ "${kit}/${f}" text)
    string(APPEND kit_markdown_text "${text}\n")
  endif()
endforeach()
foreach(f IN LISTS archive_files)
  if(f MATCHES "^cmake/(.*)\\.cmake$")
    set(module "${CMAKE_MATCH_1}")
    if(NOT kit_cmake_text MATCHES "include\\([^)]*${module}[)\".]" AND NOT kit_markdown_text MATCHES "cmake/${module}\\.cmake")
      string(APPEND leaks "\n  ${f}: nothing in the kit includes it or tells students to run it (an instructor script?)")
    endif()
  elseif(f MATCHES "^cmake/")
    string(APPEND leaks "\n  ${f}: the kit's cmake/ should hold CMake modules only")
  endif()
endforeach()

# A solution or hidden test under another name: the same bytes as a file of solutions/ or
# tests/. A file there that is byte for byte a file of labs/ (a grader example that is the
# untouched starter, say) is public already, and empty files say nothing.
file(GLOB_RECURSE public_files LIST_DIRECTORIES false "${SOURCE_DIR}/labs/*")
foreach(path IN LISTS public_files)
  file(SHA256 "${path}" hash)
  set(public_hash_${hash} 1)
endforeach()
file(GLOB_RECURSE secret_files LIST_DIRECTORIES false "${SOURCE_DIR}/solutions/*" "${SOURCE_DIR}/tests/*")
foreach(secret IN LISTS secret_files)
  file(SIZE "${secret}" size)
  file(SHA256 "${secret}" hash)
  if(size GREATER 0 AND NOT DEFINED public_hash_${hash})
    file(RELATIVE_PATH name "${SOURCE_DIR}" "${secret}")
    set(secret_hash_${hash} "${name}")
  endif()
endforeach()
foreach(f IN LISTS archive_files)
  file(SHA256 "${kit}/${f}" hash)
  if(DEFINED secret_hash_${hash})
    string(APPEND leaks "\n  ${f}: the same bytes as ${secret_hash_${hash}}")
  endif()
endforeach()

# ---- 3b. Nothing hidden leaked: by text -----------------------------------------------------

# A distinctive line is a line of a solution or of a hidden test, trimmed, at least
# MIN_LENGTH characters long, that appears in no file under the instructor tree's labs/
# (the starters share signatures, includes and given declarations with the solutions, and
# those are public by design). Any kit file holding one has leaked it. Lines are compared
# whole after trimming; a CMake variable per line (named by its hash) is the set.
set(MIN_LENGTH 16)
foreach(path IN LISTS public_files)
  parlab_read_lines(lines "${path}")
  foreach(line IN LISTS lines)
    string(REPLACE "<parlab:eol>" "" line "${line}")
    string(STRIP "${line}" line)
    string(MD5 hash "${line}")
    set(public_${hash} 1)
  endforeach()
endforeach()
file(GLOB_RECURSE hidden_files LIST_DIRECTORIES false "${SOURCE_DIR}/solutions/*" "${SOURCE_DIR}/tests/[0-9][0-9]-*/*")
set(distinctive_count 0)
foreach(path IN LISTS hidden_files)
  file(RELATIVE_PATH name "${SOURCE_DIR}" "${path}")
  parlab_read_lines(lines "${path}")
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    string(REPLACE "<parlab:eol>" "" line "${line}")
    string(STRIP "${line}" line)
    # Measured as written in the file (the placeholders of parlab_read_lines are longer).
    parlab_decode_line(text "${line}")
    string(LENGTH "${text}" length)
    if(length LESS MIN_LENGTH)
      continue()
    endif()
    string(MD5 hash "${line}")
    if(NOT DEFINED public_${hash} AND NOT DEFINED secret_line_${hash})
      set(secret_line_${hash} "${name}:${number}")
      math(EXPR distinctive_count "${distinctive_count} + 1")
    endif()
  endforeach()
endforeach()
if(distinctive_count LESS 100)
  message(FATAL_ERROR "only ${distinctive_count} distinctive lines in solutions/ and the hidden tests: "
                      "the text leak check would prove nothing")
endif()
foreach(f IN LISTS archive_files)
  parlab_read_lines(lines "${kit}/${f}")
  set(number 0)
  set(leaked 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    string(REPLACE "<parlab:eol>" "" line "${line}")
    string(STRIP "${line}" line)
    string(MD5 hash "${line}")
    if(DEFINED secret_line_${hash})
      math(EXPR leaked "${leaked} + 1")
      # The first few lines of each file say enough; a whole copied file would drown the rest.
      if(leaked LESS_EQUAL 5)
        parlab_decode_line(text "${line}")
        string(APPEND leaks "\n  ${f}:${number}: '${text}' comes from ${secret_line_${hash}}")
      endif()
    endif()
  endforeach()
  if(leaked GREATER 5)
    math(EXPR more "${leaked} - 5")
    string(APPEND leaks "\n  ${f}: ... and ${more} more lines of solutions or hidden tests")
  endif()
endforeach()
if(NOT leaks STREQUAL "")
  message(FATAL_ERROR "the kit leaks what students must not see:${leaks}")
endif()
message(STATUS "kit: no leak by file or by text (${distinctive_count} distinctive lines of "
               "solutions and hidden tests, none in the kit)")

# ---- 4. No dead relative link in the kit's Markdown ----------------------------------------

set(markdown "")
foreach(f IN LISTS archive_files)
  if(f MATCHES "\\.md$")
    list(APPEND markdown "${f}")
  endif()
endforeach()
set(dead "")  # text, like the leak reports
foreach(f IN LISTS markdown)
  get_filename_component(dir "${kit}/${f}" DIRECTORY)
  parlab_read_lines(lines "${kit}/${f}")
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    # Inline links and images, [text](target "title"), and reference definitions, [id]: target.
    # Matched on the line as parlab_read_lines() encodes it: a "]" inside a CMake list element
    # would stop the list from splitting there.
    string(REPLACE "<parlab:eol>" "" line "${line}")
    string(REGEX MATCHALL "<parlab:rb>\\([^) ]+" targets "${line}")
    if(line MATCHES "^ *<parlab:lb>.+<parlab:rb>: *([^ ]+)$")
      list(APPEND targets "<parlab:rb>(${CMAKE_MATCH_1}")
    endif()
    foreach(target IN LISTS targets)
      string(REGEX REPLACE "^<parlab:rb>\\(" "" target "${target}")
      parlab_decode_line(target "${target}")
      string(REGEX REPLACE "^<|>$" "" target "${target}")
      if(target MATCHES "^[a-zA-Z][a-zA-Z0-9+.-]*:" OR target MATCHES "^#")
        continue()
      endif()
      string(REGEX REPLACE "[#?].*$" "" target "${target}")
      cmake_path(SET resolved NORMALIZE "${dir}/${target}")
      cmake_path(IS_PREFIX kit "${resolved}" NORMALIZE inside)
      if(NOT inside OR NOT EXISTS "${resolved}")
        string(APPEND dead "\n  ${f}:${number}: ${target}")
      endif()
    endforeach()
  endforeach()
endforeach()
if(NOT dead STREQUAL "")
  message(FATAL_ERROR "dead relative links in the kit's Markdown:${dead}")
endif()
phase_done("archive, leak and link checks")

# ---- 5. Build the kit from the starter; every visible test fails ---------------------------

run_step("configure and build the kit (cmake --workflow --preset default)" 0 "${kit}"
         "${CMAKE_COMMAND}" --workflow --preset default)
set(build "${kit}/build/starter")
# The kit's other presets must work without solutions/ too. Configuring proves that; building
# them all would take minutes (the release preset gets built by the docs' commands below).
foreach(preset IN ITEMS student-asan student-tsan)
  run_step("configure the kit's ${preset} preset" 0 "${kit}" "${CMAKE_COMMAND}" --preset ${preset})
endforeach()
phase_done("kit configure and build")

run_step("visible tests on the starter (ctest --preset starter)" nonzero "${kit}" "${CMAKE_CTEST_COMMAND}" --preset starter)
if(NOT step_output MATCHES "([0-9]+)% tests passed, ([0-9]+) tests failed out of ([0-9]+)")
  message(FATAL_ERROR "ctest printed no summary:\n${step_output}")
endif()
if(NOT CMAKE_MATCH_1 EQUAL 0 OR NOT CMAKE_MATCH_2 EQUAL CMAKE_MATCH_3)
  message(FATAL_ERROR "on the starter, ${CMAKE_MATCH_3} visible tests ran and "
                      "${CMAKE_MATCH_2} failed; every one must fail")
endif()
message(STATUS "kit: all ${CMAKE_MATCH_3} visible tests fail on the starter (ctest)")
# Case by case, the way the instructor build's separation check decides it (a case passes
# when its binary, asked to run that case alone, exits 0), plus its task-tag checks.
file(GLOB kit_labs LIST_DIRECTORIES true "${kit}/labs/[0-9][0-9]-*")
list(SORT kit_labs)
foreach(lab_dir IN LISTS kit_labs)
  get_filename_component(slug "${lab_dir}" NAME)
  string(SUBSTRING "${slug}" 0 2 id)
  set(exe "${build}/lab${id}_visible")
  run_step("lab ${id}: every visible case fails on the starter" 0 "${kit}"
           "${CMAKE_COMMAND}" "-DMANIFEST=${lab_dir}/lab.json" -DKINDS=visible
           "-DVISIBLE_REFERENCE=${exe}" "-DVISIBLE_STARTER=${exe}" "-DCATCH_MAJOR=${CATCH_MAJOR}"
           -P "${SOURCE_DIR}/tests/support/separation_check.cmake")
  string(REGEX MATCH "visible: [0-9]+/[0-9]+ cases fail on the starter" found "${step_output}")
  message(STATUS "kit: lab ${id}: ${found}")
endforeach()
phase_done("visible tests fail")

# ---- 6. The docs' runnable commands --------------------------------------------------------

# The kit README first, then the guide, the other docs, and the handouts: the order a student
# reads them in. The README, the guide and every handout must show at least one runnable
# command, so that deleting the markers cannot make this step pass by running nothing.
set(doc_order README.md docs/getting-started.md)
foreach(f IN LISTS markdown)
  if(NOT f IN_LIST doc_order AND f MATCHES "^docs/")
    list(APPEND doc_order "${f}")
  endif()
endforeach()
foreach(f IN LISTS markdown)
  if(NOT f IN_LIST doc_order)
    list(APPEND doc_order "${f}")
  endif()
endforeach()
foreach(f IN LISTS doc_order)
  if(f STREQUAL "README.md" OR f STREQUAL "docs/getting-started.md" OR f MATCHES "^labs/[0-9][0-9]-[^/]*/README\\.md$")
    parlab_collect_doc_commands(doc "${kit}" "${f}")
    if(doc_count EQUAL 0)
      message(FATAL_ERROR "${f} marks no command as runnable (```sh runnable); see docs/lab-contract.md")
    endif()
  endif()
endforeach()
parlab_run_doc_commands(doc_commands "${kit}" ${doc_order})
message(STATUS "kit: ${doc_commands} runnable commands in the docs did what they promise")
phase_done("runnable docs commands")

# ---- 7. The student command ---------------------------------------------------------------

# A new student: no hints seen yet (the docs' commands revealed one), starter code throughout.
file(REMOVE_RECURSE "${kit}/.parlab")
set(parlab "${build}/parlab")

# "lab 01 task1: N/N test cases pass" (CMake's regular expressions have no back references).
function(expect_all_pass name)
  if(NOT step_output MATCHES "lab 01 task1: ([0-9]+)/([0-9]+) test cases pass" OR NOT CMAKE_MATCH_1 EQUAL CMAKE_MATCH_2)
    message(FATAL_ERROR "${name}: expected every case of lab 01 task1 to pass, got:\n${step_output}")
  endif()
endfunction()

run_step("status at the start" 0 "${kit}" ${parlab} status)
expect_output("status at the start" "lab 01[^\n]*0/4 tasks")
expect_output("status at the start" "0/[0-9]+ test points \\(0 %\\)")
expect_output("status at the start" "next: lab 01 task1")

run_step("first hint" 0 "${kit}" ${parlab} hint 01 task1)
expect_output("first hint" "hint 1/3 for lab 01 task1")
run_step("second hint" 0 "${kit}" ${parlab} hint 01 1)
expect_output("second hint" "hint 2/3 for lab 01 task1")
if(NOT EXISTS "${kit}/.parlab/hints.json")
  message(FATAL_ERROR "hint progress was not saved in .parlab/hints.json")
endif()

run_step("failing task" 1 "${kit}" ${parlab} test 01 task1)
expect_output("failing task" "FAIL items come out in the order they went in")
expect_output("failing task" "TODO: BlockingQueue::push")

run_step("bad lab name" 2 "${kit}" ${parlab} test 09)
expect_output("bad lab name" "no lab called '09'")

# COPY_FILE, not file(COPY): file(COPY) skips a file whose destination has the same
# timestamp. TOUCH: a student's save has a new mtime, and the archive's files are old.
set(queue_file "${kit}/labs/01-queues/src/blocking_queue.cpp")
file(COPY_FILE "${SOURCE_DIR}/solutions/01-queues/src/blocking_queue.cpp" "${queue_file}")
file(TOUCH "${queue_file}")
run_step("passing task" 0 "${kit}" ${parlab} test 01 task1)
expect_all_pass("passing task")

run_step("status after task 1" 0 "${kit}" ${parlab} status)
expect_output("status after task 1" "lab 01[^\n]*1/4 tasks")
expect_output("status after task 1" "next: lab 01 task2")

# Watch mode runs at once; on seeing its first result, the second command of the pipeline
# saves the file, and watch reruns (execute_process runs the commands of one call concurrently).
execute_process(
  COMMAND ${parlab} watch 01 task1 --max-runs 2
  COMMAND sh -c "while IFS= read -r line; do printf '%s\\n' \"$line\"; case \"$line\" in *'first result'*) touch '${queue_file}';; esac; done"
  WORKING_DIRECTORY "${kit}" RESULT_VARIABLE rc OUTPUT_VARIABLE watch_out ERROR_VARIABLE watch_err TIMEOUT 300)
string(REGEX MATCH "from save to result: ([0-9.]+) s" found "${watch_out}")
if(NOT found)
  message(FATAL_ERROR "watch mode did not rerun the tests after a save:\n${watch_out}\n${watch_err}")
endif()
message(STATUS "watch mode: ${found}")

# ---- 8. Never silent, honest counts, a watch that restarts ----------------------------------

# The solution with one twist, saved as the student's file (TOUCH: a save has a new mtime).
function(save_queue_variant name from to)
  file(READ "${SOURCE_DIR}/solutions/01-queues/src/blocking_queue.cpp" text)
  string(REPLACE "${from}" "${to}" variant "${text}")
  if(variant STREQUAL text)
    message(FATAL_ERROR "${name}: '${from}' is not in the reference blocking_queue.cpp any more")
  endif()
  file(WRITE "${queue_file}" "${variant}")
  file(TOUCH "${queue_file}")
endfunction()

# Every case counted: as many PASS/FAIL lines as the summary's total, and the total is the
# number of task 1 cases the test program lists.
function(expect_every_case_counted name)
  execute_process(COMMAND "${build}/lab01_visible" --list-tests "[task1]" OUTPUT_VARIABLE listing)
  string(REGEX MATCH "([0-9]+) (matching )?test cases" listed "${listing}")
  set(cases ${CMAKE_MATCH_1})
  string(REGEX MATCHALL "\n  (PASS|FAIL) " lines "\n${step_output}")
  list(LENGTH lines shown)
  expect_output("${name}" "lab 01 task1: [0-9]+/${cases} test cases pass")
  if(NOT shown EQUAL cases)
    message(FATAL_ERROR "${name}: ${shown} cases reported, the test program lists ${cases}:\n${step_output}")
  endif()
endfunction()

# A natural first bug: push waits for room even in an unbounded queue (capacity 0), forever.
# The budget is scaled down so that each hung case costs 2 s instead of 10.
set(quick_watchdog "${CMAKE_COMMAND}" -E env PARLAB_TIMEOUT_SCALE=0.2)
save_queue_variant("push that waits forever" "closed_ || capacity_ == unbounded || items_.size() < capacity_"
                   "items_.size() < capacity_")
run_step("hung push under parlab test" 1 "${kit}" ${quick_watchdog} ${parlab} test 01 task1)
expect_output("hung push under parlab test" "WATCHDOG: test case \"items come out in the order they went in\"")
expect_output("hung push under parlab test" "blocked in parlab::lab01::BlockingQueue<int>::push")
expect_every_case_counted("hung push under parlab test")
run_step("hung push, test binary run directly" 124 "${kit}" ${quick_watchdog} "${build}/lab01_visible" "[task1]")
expect_output("hung push, test binary run directly" "WATCHDOG: test case \"items come out in the order they went in\" made no progress")
expect_output("hung push, test binary run directly" "the test case's own thread, blocked\\): blocked in parlab::lab01::BlockingQueue<int>::push")

# Watch with the hang: when the run names the hung case, the fix is saved; watch must stop
# that run, start over, pass, and leave no test program behind.
file(READ "${SOURCE_DIR}/solutions/01-queues/src/blocking_queue.cpp" fixed)
file(WRITE "${WORK_DIR}/fixed_queue.cpp" "${fixed}")
execute_process(
  COMMAND "${CMAKE_COMMAND}" -E env PARLAB_TIMEOUT_SCALE=30 ${parlab} watch 01 task1 --max-runs 1
  COMMAND sh -c "while IFS= read -r line; do printf '%s\\n' \"$line\"; case \"$line\" in *'still running'*) cp '${WORK_DIR}/fixed_queue.cpp' '${queue_file}';; esac; done"
  WORKING_DIRECTORY "${kit}" RESULT_VARIABLE rc OUTPUT_VARIABLE watch_out ERROR_VARIABLE watch_err TIMEOUT 300)
set(step_output "${watch_out}${watch_err}")
expect_output("watch restarts on a save during a hung run" "stopped it, starting over")
expect_all_pass("watch restarts on a save during a hung run")
execute_process(COMMAND pgrep -f "${build}/lab01_visible" RESULT_VARIABLE left OUTPUT_VARIABLE left_pids)
if(left EQUAL 0)
  message(FATAL_ERROR "watch left test programs running: ${left_pids}")
endif()

# A crash in one case: the other cases still run and are counted.
save_queue_variant("try_pop that aborts" "std::optional<T> BlockingQueue<T>::try_pop() {"
                   "std::optional<T> BlockingQueue<T>::try_pop() {\n  __builtin_trap();")
run_step("crash in one case" 1 "${kit}" ${parlab} test 01 task1)
expect_output("crash in one case" "the test program ended inside this case: killed by signal")
expect_output("crash in one case" "PASS close wakes a consumer blocked in pop")
expect_every_case_counted("crash in one case")
run_step("a tag that matches nothing" 4 "${kit}" "${build}/lab01_visible" "[taks1]")
phase_done("student command")

string(TIMESTAMP test_stop "%s")
math(EXPR total "${test_stop} - ${test_start}")
list(JOIN phase_times "; " text)
message(STATUS "kit test: passed in ${total} s (${text})")
