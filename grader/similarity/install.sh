#!/usr/bin/env bash
# Installs Dolos (the npm packages in package-lock.json next to this script) for the
# similarity check of `parlab-grader batch`. For instructors and CI only: students never
# need it, and nothing is downloaded at build or test time.
#
#   grader/similarity/install.sh [DIR]
#
# DIR defaults to $PARLAB_DOLOS_DIR, else ~/.cache/parlab/dolos, which is where the grader
# looks. It needs Node.js >= 18 with npm, and a C/C++ toolchain with make and python3:
# @dodona/dolos-parsers compiles its tree-sitter grammars with node-gyp against the local
# Node headers (tree-sitter itself ships prebuilt binaries). Run again after the lock file
# changes; an install that matches the lock file and works is left as it is.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-${PARLAB_DOLOS_DIR:-$HOME/.cache/parlab/dolos}}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo -n "$@"; else return 1; fi
}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install.sh: Node.js or npm is missing; installing Debian's nodejs and npm"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm ||
    { echo "install.sh: install Node.js >= 18 with npm (Debian: apt-get install nodejs npm), then run this again" >&2; exit 1; }
fi

# node-gyp must build against the headers of the Node that runs it, from the disk: it
# would otherwise try to download them, and nothing but the package registries is reachable.
prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
if [ ! -f "$prefix/include/node/node.h" ]; then
  echo "install.sh: the Node.js headers are missing ($prefix/include/node/node.h); installing Debian's libnode-dev"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libnode-dev ||
    { echo "install.sh: install the Node.js headers (Debian: apt-get install libnode-dev), then run this again" >&2; exit 1; }
fi

works() {
  [ -f "$dir/.installed-lock" ] && cmp -s "$dir/.installed-lock" "$here/package-lock.json" &&
    node --input-type=module -e "
      const lib = await import('$dir/node_modules/@dodona/dolos-lib/dist/index.js');
      const parsers = (await import('$dir/node_modules/@dodona/dolos-parsers/index.js')).default;
      if (!lib.Dolos || !parsers.cpp) process.exit(1);" 2>/dev/null
}
if works; then
  echo "install.sh: Dolos is installed in $dir"
  exit 0
fi

start=$(date +%s)
mkdir -p "$dir"
rm -f "$dir/.installed-lock"
cp "$here/package.json" "$here/package-lock.json" "$dir/"
(cd "$dir" && npm_config_nodedir="$prefix" npm ci --no-audit --no-fund --loglevel=error)
# npm versions that hold back install scripts leave the grammars unbuilt: build them.
if [ ! -f "$dir/node_modules/@dodona/dolos-parsers/build/Release/tree_sitter_cpp_binding.node" ]; then
  (cd "$dir" && npm_config_nodedir="$prefix" npm rebuild --foreground-scripts @dodona/dolos-parsers tree-sitter tree-sitter-compat)
fi
cp "$here/package-lock.json" "$dir/.installed-lock"
works || { echo "install.sh: Dolos was installed in $dir but does not load; see the output above" >&2; exit 1; }
echo "install.sh: Dolos installed in $dir in $(( $(date +%s) - start )) s"
