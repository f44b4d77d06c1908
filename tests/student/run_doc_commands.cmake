# Docs that do not rot: runs the shell commands the Markdown files of a student kit mark as
# runnable, in the kit's root, and checks that each does what the docs promise.
#
# The marker is the fenced code block's info string (GitHub highlights by its first word and
# ignores the rest, so readers see an ordinary shell block):
#
#   ```sh runnable                    every command must succeed in a fresh kit
#   ```sh runnable fails-on-starter   every command must FAIL on the starter, and fail because
#                                     of it: a non-zero exit (not 126/127, "cannot run" or "not
#                                     found"), within the time limit, with the starter's
#                                     "TODO: ... is not written yet" somewhere in its output
#
# Each line of a marked block is one command (a line ending in a backslash continues on the
# next; blank lines and lines starting with # are skipped). Each runs on its own with `sh -e -c`
# (`bash -e -c` for ```bash blocks) in the kit root, stdin empty, under a time limit, so a
# `cd` or a variable does not carry over from one line to the next. Commands run in the order
# the files are given and, within a file, top to bottom; they share the kit, so a build made
# by one is there for the next.
#
# Used two ways:
#   include() it and call parlab_run_doc_commands(<kit root> <file relative to the kit>...)
#     (tests/student/kit.cmake does, for every Markdown file of a fresh kit);
#   or run it alone on a kit you built:
#     cmake -DKIT=<kit root> [-DFILES="docs/getting-started.md;labs/01-queues/README.md"]
#           [-DDOC_COMMAND_TIMEOUT=300] -P tests/student/run_doc_commands.cmake
#     (FILES defaults to every *.md of the kit).
include_guard(GLOBAL)

# Reads a text file as a list of lines. CMake lists split on ";" and treat "[", "]" and "\"
# specially, all of which are common in code and shell commands, so those characters are
# stood in for by placeholders that occur in no source; parlab_decode_line() puts them back.
# A list of N elements for a file of N lines (a final newline does not make an extra line).
function(parlab_read_lines out_var path)
  file(READ "${path}" text)
  string(REPLACE "\r" "" text "${text}")
  string(REPLACE "\\" "<parlab:bs>" text "${text}")
  string(REPLACE ";" "<parlab:sc>" text "${text}")
  string(REPLACE "[" "<parlab:lb>" text "${text}")
  string(REPLACE "]" "<parlab:rb>" text "${text}")
  string(REGEX REPLACE "\n$" "" text "${text}")
  # An empty line would vanish from a CMake list; a placeholder keeps the line numbers right.
  string(REPLACE "\n" ";<parlab:line>" text "<parlab:line>${text}")
  set(lines "")
  foreach(line IN LISTS text)
    string(REPLACE "<parlab:line>" "" line "${line}")
    list(APPEND lines "${line}<parlab:eol>")
  endforeach()
  set(${out_var} "${lines}" PARENT_SCOPE)
endfunction()

# The text of one element of parlab_read_lines()'s list, as it was in the file.
function(parlab_decode_line out_var line)
  string(REPLACE "<parlab:eol>" "" line "${line}")
  string(REPLACE "<parlab:rb>" "]" line "${line}")
  string(REPLACE "<parlab:lb>" "[" line "${line}")
  string(REPLACE "<parlab:sc>" ";" line "${line}")
  string(REPLACE "<parlab:bs>" "\\" line "${line}")
  set(${out_var} "${line}" PARENT_SCOPE)
endfunction()

# Collects the marked commands of one Markdown file. Sets, in the caller:
#   <prefix>_count   how many commands
#   <prefix>_<i>_line, _command, _shell, _expect   for i in 1..count (expect: pass or fail)
#   <prefix>_problems   malformed markers (an unknown word after "runnable", a marked block
#                       that never closes), as a list of messages
function(parlab_collect_doc_commands prefix kit file)
  parlab_read_lines(lines "${kit}/${file}")
  set(count 0)
  set(problems "")
  set(in_block FALSE)
  set(number 0)
  set(pending "")
  foreach(raw IN LISTS lines)
    math(EXPR number "${number} + 1")
    parlab_decode_line(line "${raw}")
    if(NOT in_block)
      if(line MATCHES "^[ ]*(```+|~~~+)[ ]*(.*)$")
        set(in_block TRUE)
        set(fence "${CMAKE_MATCH_1}")
        set(block_start ${number})
        string(STRIP "${CMAKE_MATCH_2}" info)
        string(REGEX REPLACE "[ \t]+" ";" words "${info}")
        set(marked FALSE)
        set(expect pass)
        set(shell "")
        list(FIND words runnable at)
        if(at GREATER_EQUAL 0)
          set(marked TRUE)
          list(GET words 0 language)
          if(language STREQUAL "sh")
            set(shell sh)
          elseif(language STREQUAL "bash")
            set(shell bash)
          else()
            list(APPEND problems "${file}:${number}: a runnable block must be ```sh or ```bash, not '${language}'")
            set(marked FALSE)
          endif()
          list(REMOVE_AT words 0)
          foreach(word IN LISTS words)
            if(word STREQUAL "fails-on-starter")
              set(expect fail)
            elseif(NOT word STREQUAL "runnable")
              list(APPEND problems "${file}:${number}: unknown word '${word}' in a runnable block's marker "
                                   "(known: runnable, fails-on-starter)")
            endif()
          endforeach()
        endif()
      endif()
      continue()
    endif()

    # Inside a block: a fence of the same character, at least as long, closes it.
    string(SUBSTRING "${fence}" 0 1 fence_char)
    string(LENGTH "${fence}" fence_length)
    if(line MATCHES "^[ ]*([`~]+)[ ]*$")
      set(closing "${CMAKE_MATCH_1}")
      string(SUBSTRING "${closing}" 0 1 closing_char)
      string(LENGTH "${closing}" closing_length)
      if(closing_char STREQUAL fence_char AND closing_length GREATER_EQUAL fence_length)
        if(marked AND NOT pending STREQUAL "")
          list(APPEND problems "${file}:${pending_line}: the last command ends in a backslash")
        endif()
        set(in_block FALSE)
        set(pending "")
        continue()
      endif()
    endif()
    if(NOT marked)
      continue()
    endif()

    string(STRIP "${line}" text)
    if(pending STREQUAL "" AND (text STREQUAL "" OR text MATCHES "^#"))
      continue()
    endif()
    if(pending STREQUAL "")
      set(pending_line ${number})
    endif()
    if(text MATCHES "^(.*)\\\\$")
      string(APPEND pending "${CMAKE_MATCH_1} ")
      continue()
    endif()
    string(APPEND pending "${text}")
    math(EXPR count "${count} + 1")
    set(${prefix}_${count}_line ${pending_line} PARENT_SCOPE)
    set(${prefix}_${count}_command "${pending}" PARENT_SCOPE)
    set(${prefix}_${count}_shell ${shell} PARENT_SCOPE)
    set(${prefix}_${count}_expect ${expect} PARENT_SCOPE)
    set(pending "")
  endforeach()
  if(in_block AND marked)
    list(APPEND problems "${file}:${block_start}: this runnable block is never closed")
  endif()
  set(${prefix}_count ${count} PARENT_SCOPE)
  set(${prefix}_problems "${problems}" PARENT_SCOPE)
endfunction()

# The last lines of a command's output, for a failure message.
function(_parlab_output_tail out_var text)
  string(REGEX REPLACE "\n$" "" text "${text}")
  string(LENGTH "${text}" length)
  if(length GREATER 3000)
    math(EXPR from "${length} - 3000")
    string(SUBSTRING "${text}" ${from} -1 text)
    set(text "...${text}")
  endif()
  string(REPLACE "\n" "\n      | " text "${text}")
  set(${out_var} "      | ${text}" PARENT_SCOPE)
endfunction()

# Runs every marked command of the given files (paths relative to the kit root) and fails,
# naming each file, line and command that did not do what its marker promises.
# Sets <result_var> in the caller to the number of commands run.
function(parlab_run_doc_commands result_var kit)
  if(NOT DEFINED DOC_COMMAND_TIMEOUT)
    set(DOC_COMMAND_TIMEOUT 300)
  endif()
  # Failures are collected as text, not as a CMake list: commands and their output hold ";"
  # and "[", which CMake lists do not survive.
  set(failures "")
  set(nfailures 0)
  set(total 0)
  foreach(file IN LISTS ARGN)
    parlab_collect_doc_commands(doc "${kit}" "${file}")
    foreach(problem IN LISTS doc_problems)
      string(APPEND failures "\n  ${problem}")
      math(EXPR nfailures "${nfailures} + 1")
    endforeach()
    if(doc_count EQUAL 0)
      continue()
    endif()
    foreach(i RANGE 1 ${doc_count})
      set(line ${doc_${i}_line})
      set(command "${doc_${i}_command}")
      set(expect ${doc_${i}_expect})
      math(EXPR total "${total} + 1")
      string(TIMESTAMP start "%s")
      execute_process(COMMAND "${doc_${i}_shell}" -e -c "${command}"
                      WORKING_DIRECTORY "${kit}" INPUT_FILE /dev/null TIMEOUT ${DOC_COMMAND_TIMEOUT}
                      RESULT_VARIABLE rc OUTPUT_VARIABLE output ERROR_VARIABLE output)
      string(TIMESTAMP stop "%s")
      math(EXPR seconds "${stop} - ${start}")
      set(where "${file}:${line}: `${command}`")
      set(problem "")
      if(NOT rc MATCHES "^[0-9]+$")
        set(problem "did not finish: ${rc} (limit ${DOC_COMMAND_TIMEOUT} s)")
      elseif(expect STREQUAL "pass" AND NOT rc EQUAL 0)
        set(problem "exited ${rc}, but the docs promise it works in a fresh kit")
      elseif(expect STREQUAL "fail" AND rc EQUAL 0)
        set(problem "succeeded, but it is marked fails-on-starter: on the starter it must fail")
      elseif(expect STREQUAL "fail" AND (rc EQUAL 126 OR rc EQUAL 127))
        set(problem "exited ${rc}: the shell could not run it (a wrong path or command name?)")
      elseif(expect STREQUAL "fail" AND NOT output MATCHES "TODO: ")
        set(problem "exited ${rc}, but not because of the starter: its output has no \"TODO: ... is not written yet\"")
      endif()
      if(problem STREQUAL "")
        if(expect STREQUAL "fail")
          message(STATUS "docs: ${where}: failed on the starter as marked (exit ${rc}, ${seconds} s)")
        else()
          message(STATUS "docs: ${where}: ok (${seconds} s)")
        endif()
      else()
        _parlab_output_tail(tail "${output}")
        message(STATUS "docs: ${where}: ${problem}")
        string(APPEND failures "\n  ${where}\n    ${problem}; its output ended with:\n${tail}")
        math(EXPR nfailures "${nfailures} + 1")
      endif()
    endforeach()
  endforeach()
  if(nfailures GREATER 0)
    message(FATAL_ERROR "${nfailures} runnable command(s) in the docs did not do what they promise:${failures}")
  endif()
  set(${result_var} ${total} PARENT_SCOPE)
endfunction()

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  if(NOT DEFINED KIT)
    message(FATAL_ERROR "usage: cmake -DKIT=<kit root> [-DFILES=<a.md;b.md>] -P ${CMAKE_CURRENT_LIST_FILE}")
  endif()
  get_filename_component(KIT "${KIT}" ABSOLUTE)
  if(NOT DEFINED FILES)
    file(GLOB_RECURSE FILES RELATIVE "${KIT}" "${KIT}/*.md")
    list(FILTER FILES EXCLUDE REGEX "^build/")
    list(SORT FILES)
  endif()
  parlab_run_doc_commands(count "${KIT}" ${FILES})
  message(STATUS "docs: all ${count} runnable commands did what the docs promise")
endif()
