# Writes a Gradescope autograder (autograder.zip) from this instructor tree:
#   cmake [-DOUT=build/gradescope/autograder.zip] [-DLABS=01] [-DGRADER_FLAGS="--no-tsan"]
#         -P cmake/gradescope_package.cmake
# LABS       the labs this autograder grades (a Gradescope assignment is usually one lab):
#            ids such as 01 or "01,03"; default: every lab of the tree.
# GRADER_FLAGS  extra parlab-grader flags baked into run_autograder, e.g. "--no-timing" or
#            "--hidden-visibility visible". The autograder chooses --labs, --out,
#            --work-dir and --source-dir itself, so those are refused here.
# The zip's root holds setup.sh and run_autograder (Gradescope wants them there) and the part
# of the instructor tree needed to build and run the grader for those labs; it is unpacked
# into /autograder/source. See docs/grading.md, section "Gradescope".
cmake_minimum_required(VERSION 3.25)
get_filename_component(root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
include("${CMAKE_CURRENT_LIST_DIR}/packages.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/ParlabManifest.cmake")

# One argument, so that a ';' in the text survives (a list of arguments would lose it).
function(fail text)
  message(FATAL_ERROR "gradescope_package: ${text}")
endfunction()

# --- OUT ------------------------------------------------------------------------------
if(NOT DEFINED OUT OR OUT STREQUAL "")
  set(OUT "${root}/build/gradescope/autograder.zip")
endif()
# A relative OUT is taken from where the command runs, as any command-line path would be.
get_filename_component(out "${OUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
if(NOT out MATCHES "\\.zip$")
  fail("OUT must name a .zip file (Gradescope takes a zip), not '${OUT}'")
endif()
if(IS_DIRECTORY "${out}")
  fail("OUT '${out}' is a folder; give the path of the .zip file to write")
endif()

# --- the tree -------------------------------------------------------------------------
foreach(required CMakeLists.txt CMakePresets.json grader/CMakeLists.txt grader/src grader/gradescope/setup.sh
                 grader/gradescope/run_autograder grader/gradescope/results.cmake labs/common)
  if(NOT EXISTS "${root}/${required}")
    fail("${root}/${required} is missing: run this from a complete parlab instructor tree")
  endif()
endforeach()
if(NOT IS_DIRECTORY "${root}/solutions" OR NOT IS_DIRECTORY "${root}/tests")
  fail("${root} has no solutions/ or tests/: the autograder needs the instructor tree \
(reference solutions and hidden tests), not the student kit")
endif()

# Every lab of the tree: id -> folder name (slug) and editable files.
# (A folder without lab.json is a lab still being written: the grader skips it too.)
parlab_manifest_lab_dirs(lab_dirs "${root}")
set(all_ids "")
foreach(dir IN LISTS lab_dirs)
  parlab_read_manifest(manifest "${dir}")
  set(id "${manifest_ID}")
  list(APPEND all_ids "${id}")
  set(slug_${id} "${manifest_SLUG}")
  set(editable_${id} "${manifest_EDITABLE}")
endforeach()
if(NOT all_ids)
  fail("${root}/labs holds no lab (no labs/NN-slug/lab.json)")
endif()
list(JOIN all_ids ", " known_ids)

# --- LABS -----------------------------------------------------------------------------
set(ids "")
if(DEFINED LABS AND NOT LABS STREQUAL "")
  string(REGEX REPLACE "[ ,;]+" ";" wanted "${LABS}")
  foreach(item IN LISTS wanted)
    if(item STREQUAL "")
      continue()
    endif()
    if(item MATCHES "^[0-9]$")
      set(item "0${item}")  # "1" means lab 01, as the grader reads it
    endif()
    if(NOT item MATCHES "^[0-9][0-9]$")
      fail("LABS: '${item}' is not a lab id; give two-digit ids such as 01 or \"01,03\" (this tree has ${known_ids})")
    endif()
    if(NOT item IN_LIST all_ids)
      fail("LABS: unknown lab '${item}'; this tree has labs ${known_ids}")
    endif()
    if(NOT item IN_LIST ids)
      list(APPEND ids "${item}")
    endif()
  endforeach()
  if(NOT ids)
    fail("LABS is empty; give ids such as 01 or \"01,03\", or leave it out for every lab")
  endif()
  list(SORT ids)
else()
  set(ids "${all_ids}")
endif()

# Each chosen lab needs its reference and hidden tests, and editable names the shell scripts
# can carry safely (no spaces or quotes).
set(slugs "")
set(editable_paths "")
foreach(id IN LISTS ids)
  set(slug "${slug_${id}}")
  list(APPEND slugs "${slug}")
  if(NOT IS_DIRECTORY "${root}/solutions/${slug}")
    fail("lab ${id}: ${root}/solutions/${slug} is missing: the grader needs the reference solution")
  endif()
  if(NOT editable_${id})
    fail("lab ${id}: labs/${slug}/lab.json lists no editable file")
  endif()
  foreach(file IN LISTS editable_${id})
    if(NOT file MATCHES "^[A-Za-z0-9_][A-Za-z0-9_./-]*$" OR file MATCHES "\\.\\.")
      fail("lab ${id}: editable file '${file}' has characters the autograder scripts do not accept")
    endif()
    list(APPEND editable_paths "${slug}/${file}")
  endforeach()
endforeach()

# --- GRADER_FLAGS ---------------------------------------------------------------------
# Checked here, against the grader's options, so that a typo fails now and not on every
# student's submission.
set(flags "")
if(DEFINED GRADER_FLAGS)
  set(flags "${GRADER_FLAGS}")
endif()
string(STRIP "${flags}" flags)
if(NOT flags MATCHES "^[A-Za-z0-9_.,=/: -]*$")
  fail("GRADER_FLAGS may hold only letters, digits, spaces and _ . , = / : - (got '${flags}')")
endif()
set(switches --no-timing --no-tsan --quiet)
set(with_value --jobs --case-timeout --memory-mb --timing-rounds --isolation --hidden-visibility --config)
set(chosen_by_autograder --labs --out --work-dir --source-dir)
string(REGEX REPLACE " +" ";" words "${flags}")
set(expect_value "")
foreach(word IN LISTS words)
  if(word STREQUAL "")
    continue()
  endif()
  if(expect_value)
    if(word MATCHES "^--")
      fail("GRADER_FLAGS: ${expect_value} needs a value, but '${word}' follows it")
    endif()
    if(expect_value STREQUAL "--hidden-visibility" AND NOT word MATCHES "^(hidden|after_due_date|after_published|visible)$")
      fail("GRADER_FLAGS: --hidden-visibility takes hidden, after_due_date, after_published or visible, not '${word}'")
    endif()
    if(expect_value STREQUAL "--isolation" AND NOT word MATCHES "^(auto|bubblewrap|network-namespace|limits)$")
      fail("GRADER_FLAGS: --isolation takes auto, bubblewrap, network-namespace or limits, not '${word}'")
    endif()
    set(expect_value "")
    continue()
  endif()
  string(REGEX REPLACE "=.*" "" name "${word}")
  if(name IN_LIST chosen_by_autograder)
    fail("GRADER_FLAGS: ${name} is set by the autograder itself (use LABS to choose labs)")
  elseif(name IN_LIST switches)
    if(NOT word STREQUAL name)
      fail("GRADER_FLAGS: ${name} takes no value")
    endif()
  elseif(name IN_LIST with_value)
    if(word STREQUAL name)
      set(expect_value "${name}")
    endif()
  else()
    list(JOIN switches " " s)
    list(JOIN with_value " " v)
    fail("GRADER_FLAGS: unknown flag '${word}'; parlab-grader grade takes ${s} and ${v} <value>")
  endif()
endforeach()
if(expect_value)
  fail("GRADER_FLAGS: ${expect_value} needs a value")
endif()

# --- stage the tree -------------------------------------------------------------------
get_filename_component(out_dir "${out}" DIRECTORY)
get_filename_component(out_name "${out}" NAME)
set(stage "${out_dir}/.${out_name}.staging")
file(REMOVE_RECURSE "${stage}")
file(MAKE_DIRECTORY "${stage}")

# Build outputs and editor or tool droppings never travel, wherever they sit.
set(junk PATTERN ".git" EXCLUDE PATTERN "build" EXCLUDE PATTERN ".cache" EXCLUDE PATTERN "*.tmp" EXCLUDE
         PATTERN ".parlab" EXCLUDE PATTERN "__pycache__" EXCLUDE PATTERN ".DS_Store" EXCLUDE PATTERN "*~" EXCLUDE)
function(stage_dir relative)
  get_filename_component(parent "${stage}/${relative}" DIRECTORY)
  file(COPY "${root}/${relative}" DESTINATION "${parent}" ${junk})
endfunction()

file(COPY "${root}/CMakeLists.txt" "${root}/CMakePresets.json" DESTINATION "${stage}")
stage_dir(cmake)
stage_dir(labs/common)
foreach(slug IN LISTS slugs)
  stage_dir(labs/${slug})
  stage_dir(solutions/${slug})
  if(IS_DIRECTORY "${root}/tests/${slug}")
    stage_dir(tests/${slug})
  endif()
endforeach()
# The build reads tests/support only for the separation check, which the grader turns off;
# it is small, and a tree that configures with every option is easier to debug.
if(IS_DIRECTORY "${root}/tests/support")
  stage_dir(tests/support)
endif()
# The grader itself, without its bundled examples and without its own tests (grader/
# CMakeLists.txt adds tests/grader only where it exists).
file(COPY "${root}/grader/CMakeLists.txt" DESTINATION "${stage}/grader")
if(EXISTS "${root}/grader/grader.toml")
  file(COPY "${root}/grader/grader.toml" DESTINATION "${stage}/grader")
endif()
stage_dir(grader/src)
stage_dir(grader/gradescope)
# Gradescope finds both scripts at the root of the zip; they must be executable there.
foreach(script setup.sh run_autograder)
  file(COPY "${root}/grader/gradescope/${script}" DESTINATION "${stage}"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()

# The settings both scripts read: a bash fragment of single-quoted words (every value was
# checked above to hold no quote).
list(JOIN ids "," ids_text)
list(JOIN slugs " " slugs_text)
list(JOIN editable_paths " " editable_text)
list(JOIN PARLAB_DEBIAN_PACKAGES " " packages_text)
string(TIMESTAMP packaged_at "%Y-%m-%dT%H:%M:%SZ" UTC)
set(revision "unknown")
find_program(GIT git)
if(GIT AND EXISTS "${root}/.git")
  execute_process(COMMAND "${GIT}" -C "${root}" describe --always --dirty OUTPUT_VARIABLE revision
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE git_rc)
  if(NOT git_rc EQUAL 0 OR NOT revision MATCHES "^[A-Za-z0-9._-]+$")
    set(revision "unknown")
  endif()
endif()
file(WRITE "${stage}/gradescope.env"
"# Written by cmake/gradescope_package.cmake; read by setup.sh and run_autograder.
# Repackage rather than edit: the lab list and the editable files must match the tree.
PARLAB_LABS='${ids_text}'
PARLAB_LAB_SLUGS='${slugs_text}'
PARLAB_EDITABLE='${editable_text}'
PARLAB_GRADER_FLAGS='${flags}'
PARLAB_PACKAGES='${packages_text}'
PARLAB_PACKAGED_AT='${packaged_at}'
PARLAB_PACKAGED_FROM='${revision}'
")

# --- zip ------------------------------------------------------------------------------
file(GLOB entries RELATIVE "${stage}" "${stage}/*")
list(SORT entries)
file(MAKE_DIRECTORY "${out_dir}")
file(REMOVE "${out}")
execute_process(COMMAND "${CMAKE_COMMAND}" -E tar cf "${out}" --format=zip -- ${entries}
                WORKING_DIRECTORY "${stage}" RESULT_VARIABLE rc ERROR_VARIABLE err)
file(REMOVE_RECURSE "${stage}")
if(NOT rc EQUAL 0)
  fail("writing ${out} failed: ${err}")
endif()
file(SIZE "${out}" bytes)
math(EXPR kib "${bytes} / 1024")
list(JOIN editable_paths ", " editable_list)
message(STATUS "wrote ${out} (${kib} KiB): labs ${ids_text}; grader flags '${flags}'; "
               "students upload ${editable_list} (or a folder / kit that holds them)")
