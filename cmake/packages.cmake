# Debian 12 / Ubuntu 24.04 packages parlab needs beyond git, cmake and g++.
# One list, used by cmake/ensure_packages.cmake (README commands and CI) and copied by
# cmake/gradescope_package.cmake into the autograder, whose setup.sh installs it.
# unzip: the grader opens .zip submissions with it (grader:batch expects its messages); the
# minimal Debian 13 root of cmake/test_debian13.cmake showed that nothing else brings it.
set(PARLAB_DEBIAN_PACKAGES
  ninja-build pkg-config
  catch2 libcli11-dev nlohmann-json3-dev libfmt-dev libtomlplusplus-dev libhiredis-dev
  redis-server gnuplot-nox lcov gdb bubblewrap libcsv-dev unzip)

# Only for the test suite (cmake/test_all.cmake, so CI), never for students or the
# Gradescope image: headless Chromium for the browser test of the batch's class.html
# (grader:class-page:*). About 122 MB to download, 414 MB installed; 23 s to install here.
# python3-jsonschema (Debian 12: 4.10, 13: 4.19) checks the lab manifests against
# labs/lab.schema.json (manifest:schema*); where it is missing those tests are skipped.
# universal-ctags finds the grader's functions for grader:function-lengths (none over 80
# lines); where it is missing that test is not added.
set(PARLAB_TEST_DEBIAN_PACKAGES chromium python3-jsonschema universal-ctags)
