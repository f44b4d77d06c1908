# Warnings every parlab target gets. CI turns them into errors (PARLAB_WERROR).
add_library(parlab_warnings INTERFACE)
target_compile_options(parlab_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wimplicit-fallthrough
  $<$<BOOL:${PARLAB_WERROR}>:-Werror>)
