# The minimal Debian 13 (trixie) root that cmake/test_debian13.cmake runs the suite in, built
# with mmdebstrap and cached in CACHE_DIR under a key made of cmake/packages.cmake and this
# file: it is rebuilt only when the package list or the way it is built changes (roots of
# other keys are removed then). Included by test_debian13.cmake, which checks the host first.
# Inputs: CACHE_DIR, MIRROR, mmdebstrap_path.
include("${CMAKE_CURRENT_LIST_DIR}/packages.cmake")

# Sets out_dir to the root's folder and out_seconds to how long building it took.
function(parlab_debian13_root out_dir out_seconds)
  # What README promises a fresh machine has, plus the project's package list.
  set(packages git cmake g++ ${PARLAB_DEBIAN_PACKAGES})
  file(READ "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/packages.cmake" packages_text)
  file(READ "${CMAKE_CURRENT_FUNCTION_LIST_FILE}" script_text)
  string(SHA256 key "${packages_text}${script_text}")
  string(SUBSTRING "${key}" 0 16 key)
  set(rootfs "${CACHE_DIR}/root-${key}")
  set(${out_dir} "${rootfs}" PARENT_SCOPE)
  if(EXISTS "${rootfs}/.parlab-root-complete")
    message(STATUS "debian13_root: reusing ${rootfs}")
    set(${out_seconds} "0 (cached)" PARENT_SCOPE)
    return()
  endif()

  file(GLOB stale LIST_DIRECTORIES true "${CACHE_DIR}/root-*")
  if(stale)
    message(STATUS "debian13_root: removing roots of another package list: ${stale}")
    file(REMOVE_RECURSE ${stale})
  endif()
  file(MAKE_DIRECTORY "${CACHE_DIR}")
  set(partial "${rootfs}.partial")
  list(JOIN packages "," include)
  message(STATUS "debian13_root: building ${rootfs} from ${MIRROR} with ${packages}")
  string(TIMESTAMP started "%s")
  # The apt variant is Essential plus apt. Recommends stay out, as .ci/run and
  # ensure_packages.cmake install without them, so a package the suite needs but the list
  # lacks fails here as it would on a fresh machine. Documentation is left out to save time.
  execute_process(COMMAND "${mmdebstrap_path}" --variant=apt --components=main "--include=${include}"
                          "--aptopt=APT::Install-Recommends \"false\""
                          "--dpkgopt=path-exclude=/usr/share/man/*"
                          "--dpkgopt=path-exclude=/usr/share/doc/*"
                          "--dpkgopt=path-exclude=/usr/share/locale/*"
                          trixie "${partial}" "${MIRROR}"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    file(REMOVE_RECURSE "${partial}")
    message(FATAL_ERROR "debian13_root: mmdebstrap failed (exit ${rc}); see its output above. It needs "
                        "${MIRROR} and the trixie keys of debian-archive-keyring (2023.3+deb12u1 or newer)")
  endif()
  # Mount points for bwrap: the root is bound read-only, so they must exist beforehand.
  file(MAKE_DIRECTORY "${partial}/parlab" "${partial}/parlab-work")
  file(WRITE "${partial}/.parlab-root-complete" "${packages}\n")
  file(RENAME "${partial}" "${rootfs}")
  string(TIMESTAMP stopped "%s")
  math(EXPR seconds "${stopped} - ${started}")
  message(STATUS "debian13_root: built in ${seconds} s")
  set(${out_seconds} "${seconds}" PARENT_SCOPE)
endfunction()
