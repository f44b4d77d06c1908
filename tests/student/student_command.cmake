# Drives the student command `parlab` the way a student would, in a fresh copy of the
# student-facing tree (no solutions/, no tests/: what a student kit holds), built from the
# starter for lab 01:
#   progress at 0 %  ->  a hint layer, then the next  ->  the reference task-1 file copied in
#   ->  that task passes  ->  progress moves  ->  watch mode rebuilds on a save.
# Inputs: SOURCE_DIR (the instructor tree), WORK_DIR (scratch, wiped first).
cmake_minimum_required(VERSION 3.25)

set(kit "${WORK_DIR}/kit")
set(build "${kit}/build/starter")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${kit}")
foreach(item CMakeLists.txt CMakePresets.json cmake labs)
  file(COPY "${SOURCE_DIR}/${item}" DESTINATION "${kit}")
endforeach()

function(run_step name expected_rc)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${kit}" RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 600)
  if(NOT "${rc}" STREQUAL "${expected_rc}")
    message(FATAL_ERROR "${name}: exit ${rc}, expected ${expected_rc}\n${out}\n${err}")
  endif()
  set(step_output "${out}${err}" PARENT_SCOPE)
endfunction()

function(expect_output name pattern)
  if(NOT step_output MATCHES "${pattern}")
    message(FATAL_ERROR "${name}: expected output matching '${pattern}', got:\n${step_output}")
  endif()
endfunction()

run_step("configure" 0 "${CMAKE_COMMAND}" -S "${kit}" -B "${build}" -G Ninja
         -DPARLAB_IMPL=starter -DPARLAB_LABS=01 -DCMAKE_BUILD_TYPE=RelWithDebInfo)
run_step("build parlab" 0 "${CMAKE_COMMAND}" --build "${build}" --target parlab)
set(parlab "${build}/parlab" --source "${kit}" --build "${build}")

run_step("status at the start" 0 ${parlab} status)
expect_output("status at the start" "lab 01[^\n]*0/4 tasks")
expect_output("status at the start" "0/[0-9]+ test points \\(0 %\\)")
expect_output("status at the start" "next: lab 01 task1")

run_step("first hint" 0 ${parlab} hint 01 task1)
expect_output("first hint" "hint 1/3 for lab 01 task1")
run_step("second hint" 0 ${parlab} hint 01 1)
expect_output("second hint" "hint 2/3 for lab 01 task1")
if(NOT EXISTS "${kit}/.parlab/hints.json")
  message(FATAL_ERROR "hint progress was not saved in .parlab/hints.json")
endif()

run_step("failing task" 1 ${parlab} test 01 task1)
expect_output("failing task" "FAIL items come out in the order they went in")
expect_output("failing task" "TODO: BlockingQueue::push")

run_step("bad lab name" 2 ${parlab} test 09)
expect_output("bad lab name" "no lab called '09'")

# COPY_FILE, not file(COPY): file(COPY) skips a file whose destination has the same
# timestamp, which is every file of a fresh clone. TOUCH: a student's save has a new mtime.
file(COPY_FILE "${SOURCE_DIR}/solutions/01-queues/src/blocking_queue.cpp"
     "${kit}/labs/01-queues/src/blocking_queue.cpp")
file(TOUCH "${kit}/labs/01-queues/src/blocking_queue.cpp")
run_step("passing task" 0 ${parlab} test 01 task1)
expect_output("passing task" "lab 01 task1: 4/4 test cases pass")

run_step("status after task 1" 0 ${parlab} status)
expect_output("status after task 1" "lab 01[^\n]*1/4 tasks")
expect_output("status after task 1" "next: lab 01 task2")

# Watch mode: parlab waits for a save; a second command in the same pipeline touches the
# file after a moment. execute_process runs the commands of one call concurrently.
execute_process(
  COMMAND ${parlab} watch 01 task1 --max-runs 1
  COMMAND sh -c "{ sleep 2; touch '${kit}/labs/01-queues/src/blocking_queue.cpp'; } & cat"
  WORKING_DIRECTORY "${kit}" RESULT_VARIABLE rc OUTPUT_VARIABLE pipe_out ERROR_VARIABLE watch_out TIMEOUT 600)
string(REGEX MATCH "from save to result: ([0-9.]+) s" found "${watch_out}${pipe_out}")
if(NOT found)
  message(FATAL_ERROR "watch mode did not rerun the tests after a save:\n${watch_out}\n${pipe_out}")
endif()
message(STATUS "watch mode: ${found}")
