#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image: the zip made by
# cmake/gradescope_package.cmake is unpacked into /autograder/source and this script sits at
# its root. It
#   1. installs the Debian/Ubuntu packages of cmake/packages.cmake (copied into gradescope.env
#      when the zip was made) with apt-get, and says which ones the image does not offer;
#   2. builds parlab-grader (release preset) for the packaged labs only;
#   3. grades the reference solution once with the baked flags, so that the reference and
#      submission build trees are built before the first student submits (a student's
#      grading then recompiles only the student's own files), and stops if the reference
#      does not earn every correctness point: an autograder that cannot grade the reference
#      must not go live;
#   4. makes solutions/ and tests/ readable by root only: where the container allows no
#      bubblewrap, student code runs under a uid of its own and must not read them.
# Environment:
#   PARLAB_SKIP_APT=1   skip step 1 (a machine that already has the packages, e.g. the tests)
set -euo pipefail

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf 'setup.sh: %s\n' "$*"; }
die() {
  printf 'setup.sh: error: %s\n' "$*" >&2
  exit 1
}

settings="$source_dir/gradescope.env"
[[ -f "$settings" ]] || die "$settings is missing: make the zip with cmake/gradescope_package.cmake"
# shellcheck source=/dev/null
source "$settings"

# Gradescope gives a container a share of a CPU (half of one by default) while nproc reports
# every core of the host: the cgroup quota is the number that matters.
cpu_count() {
  local n quota="" period=""
  n=$(nproc 2>/dev/null || echo 1)
  if [[ -r /sys/fs/cgroup/cpu.max ]]; then
    read -r quota period </sys/fs/cgroup/cpu.max || true
  elif [[ -r /sys/fs/cgroup/cpu/cpu.cfs_quota_us && -r /sys/fs/cgroup/cpu/cpu.cfs_period_us ]]; then
    quota=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)
    period=$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)
  fi
  if [[ "$quota" =~ ^[0-9]+$ && "$period" =~ ^[0-9]+$ && "$quota" -gt 0 && "$period" -gt 0 ]]; then
    local limit=$(((quota + period - 1) / period))
    ((limit < n)) && n=$limit
  fi
  ((n < 1)) && n=1
  echo "$n"
}

os_name() {
  if [[ -r /etc/os-release ]]; then
    (
      # shellcheck source=/dev/null
      source /etc/os-release
      echo "${PRETTY_NAME:-unknown}"
    )
  else
    echo "unknown"
  fi
}

# sort -V orders version numbers: $1 >= $2 when $2 comes first.
version_at_least() { [[ "$(printf '%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]; }

install_packages() {
  command -v apt-get >/dev/null 2>&1 ||
    die "apt-get not found: this is not a Debian/Ubuntu image ($(os_name)); choose Gradescope's Ubuntu 24.04 base image"
  [[ "$(id -u)" == 0 ]] || die "installing packages needs root (Gradescope runs setup.sh as root); or set PARLAB_SKIP_APT=1"
  # cmake and g++ are what the package list assumes (see README); unzip lets the grader open a
  # .zip that a student uploads without Gradescope unpacking it.
  local wanted=(cmake g++ unzip)
  read -r -a listed <<<"$PARLAB_PACKAGES"
  wanted+=("${listed[@]}")
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get update"
  apt-get update -q
  local missing=() pkg candidate
  for pkg in "${wanted[@]}"; do
    candidate=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ { print $2 }')
    if [[ -z "$candidate" || "$candidate" == "(none)" ]]; then missing+=("$pkg"); fi
  done
  if ((${#missing[@]} > 0)); then
    die "this image ($(os_name)) offers no package named: ${missing[*]}. parlab needs Ubuntu 24.04 (or Debian 12)" \
      "packages: choose the Ubuntu 24.04 base image in the assignment's autograder settings" \
      "(Ubuntu 22.04 lacks libtomlplusplus-dev and ships CMake 3.22)"
  fi
  log "installing: ${wanted[*]}"
  apt-get install -y -q --no-install-recommends "${wanted[@]}"
}

started=$(date +%s)
log "labs ${PARLAB_LABS}; grader flags '${PARLAB_GRADER_FLAGS}'; packaged ${PARLAB_PACKAGED_AT} from ${PARLAB_PACKAGED_FROM}; $(os_name)"
if [[ "${PARLAB_SKIP_APT:-0}" == 1 ]]; then
  log "PARLAB_SKIP_APT=1: not installing packages"
else
  install_packages
fi

command -v cmake >/dev/null 2>&1 || die "cmake is not installed"
cmake_version=$(cmake --version | head -n 1 | awk '{ print $3 }')
version_at_least "$cmake_version" 3.25 ||
  die "CMake $cmake_version is too old: parlab needs 3.25 or newer (Ubuntu 22.04 ships 3.22); choose the Ubuntu 24.04 base image"

jobs=$(cpu_count)
log "building parlab-grader ($jobs parallel jobs)"
cd "$source_dir"
cmake --preset release -DPARLAB_LABS="${PARLAB_LABS//,/;}"
cmake --build --preset release --target parlab-grader -j "$jobs"
grader="$source_dir/build/release/grader/parlab-grader"
[[ -x "$grader" ]] || die "the build did not produce $grader"
built=$(date +%s)
log "grader built in $((built - started)) s"

# Warm-up: the reference, graded with the flags students get. With timing on, one round is
# enough to build and run the benchmarks once; the students' gradings use the baked rounds.
read -r -a flags <<<"$PARLAB_GRADER_FLAGS"
extra=()
[[ " ${PARLAB_GRADER_FLAGS} " == *" --jobs"* ]] || extra+=(--jobs "$jobs")
if [[ " ${PARLAB_GRADER_FLAGS} " != *" --no-timing "* && " ${PARLAB_GRADER_FLAGS} " != *" --timing-rounds"* ]]; then
  extra+=(--timing-rounds 1)
fi
work_dir="$source_dir/build/gradescope-work"
warm_out=$(mktemp -d "${TMPDIR:-/tmp}/parlab-setup.XXXXXX")
trap 'rm -rf "$warm_out"' EXIT
log "grading the reference solution once, to build the grader's trees in $work_dir"
"$grader" grade "$source_dir/solutions" --labs "$PARLAB_LABS" --source-dir "$source_dir" --work-dir "$work_dir" \
  --out "$warm_out" "${flags[@]}" "${extra[@]}"
cmake -DMODE=check-reference -DREPORT="$warm_out/report.json" -P "$source_dir/grader/gradescope/results.cmake"
warmed=$(date +%s)
log "reference graded in $((warmed - built)) s"

# The grader compiles the reference and the hidden tests as root and is unaffected; the
# student's files compile, and the tests run, under a sandbox uid, which can no longer list
# or read these folders (under bubblewrap they are not in its view at all).
chmod 700 "$source_dir/solutions" "$source_dir/tests"
log "done in $(($(date +%s) - started)) s"
