# Sanitizer and coverage flags, applied to every target of the build so that the
# support code, the labs and the tests agree on one runtime.
if(PARLAB_SANITIZER STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(PARLAB_SANITIZER STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT PARLAB_SANITIZER STREQUAL "")
  message(FATAL_ERROR "PARLAB_SANITIZER must be empty, 'address' or 'thread', not '${PARLAB_SANITIZER}'")
endif()

if(PARLAB_COVERAGE)
  # -fprofile-update=atomic: the labs run many threads, and non-atomic counter
  # updates would themselves be data races and under-count.
  add_compile_options(--coverage -fprofile-update=atomic -O0)
  add_link_options(--coverage)
endif()
