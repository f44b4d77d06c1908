// Settings for the sanitizer runtimes, compiled into every test executable. The runtimes
// call these functions at start-up, so the settings hold however the test is started
// (ctest, the grader, a student typing its name), with no environment variables to forget.
// A variable such as TSAN_OPTIONS set by hand still adds to (and overrides) them.

extern "C" {

// Stop at the first report: a test that goes on after a race or a memory error only
// produces confusing follow-up failures. die_after_fork=0: the code under test runs in a
// child forked by parlab_test::isolated() from a test process that already has threads (the
// watchdog's), and starts threads of its own there. atexit_sleep_ms=0: by default the runtime
// sleeps a second in every exiting process (to catch threads racing with exit); each
// isolated() child exits, so that second was paid once per call, and a case of ten calls
// waited ten seconds doing nothing.
const char* __tsan_default_options() {
  return "halt_on_error=1:second_deadlock_stack=1:die_after_fork=0:atexit_sleep_ms=0";
}
const char* __asan_default_options() { return "detect_leaks=1:abort_on_error=0"; }
const char* __ubsan_default_options() { return "print_stacktrace=1:halt_on_error=1"; }

}
