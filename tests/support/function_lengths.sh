#!/bin/sh
# Lists the longest C++ functions under the given folders, longest first, as
# "LINES FILE:LINE NAME". Universal Ctags finds each definition's first and last line
# (lambdas are reported as __anon... and counted inside their enclosing function).
# Usage: function_lengths.sh [--max N] [--exclude PATTERN]... DIR...
# With --max N it prints only the functions longer than N lines and exits 1 if any.
set -eu
max=""
excludes=""
while [ $# -gt 0 ]; do
  case "$1" in
    --max) max="$2"; shift 2 ;;
    --exclude) excludes="$excludes $2"; shift 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--max N] [--exclude PATTERN]... DIR..." >&2; exit 2; }
command -v ctags >/dev/null || { echo "function_lengths: needs Universal Ctags (apt install universal-ctags)" >&2; exit 2; }

files=$(find "$@" -name '*.cpp' -o -name '*.hpp' | sort)
for pattern in $excludes; do
  files=$(printf '%s\n' $files | grep -v -- "$pattern" || true)
done
[ -n "$files" ] || exit 0
# shellcheck disable=SC2086
ctags --c++-kinds=f --fields=+ne -o - $files |
  awk -F'\t' -v max="$max" '
    $1 ~ /^__anon/ { next }
    {
      line = ""; end = ""
      for (i = 4; i <= NF; ++i) {
        if ($i ~ /^line:/) line = substr($i, 6)
        if ($i ~ /^end:/) end = substr($i, 5)
      }
      if (line == "" || end == "") next
      printf "%d %s:%s %s\n", end - line + 1, $2, line, $1
    }' |
  sort -rn |
  awk -v max="$max" '
    max == "" { print; next }
    $1 > max { print; over = 1 }
    END { exit over ? 1 : 0 }'
