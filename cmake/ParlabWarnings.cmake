# Warnings every parlab target gets. CI turns them into errors (PARLAB_WERROR).
# (-Wnull-dereference is left out: GCC 12 reports it inside std::string at -O2, falsely.)
add_library(parlab_warnings INTERFACE)
target_compile_options(parlab_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wimplicit-fallthrough
  $<$<BOOL:${PARLAB_WERROR}>:-Werror>)
