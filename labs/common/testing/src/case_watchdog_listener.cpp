// Puts every test case under the watchdog (parlab_test/watchdog.hpp) without a line in the test:
// a Catch2 listener compiled into every lab test program, visible and hidden. Each case starts
// with the default budget; each section or generator value that begins is progress and renews it.
// A run that selects no case at all (a mistyped tag) fails instead of passing with nothing tested.

#include <cstdio>
#include <cstdlib>

#include "parlab_test/watchdog.hpp"

#if __has_include(<catch2/catch_test_macros.hpp>)
#include <catch2/catch_test_case_info.hpp>
#include <catch2/reporters/catch_reporter_event_listener.hpp>
#include <catch2/reporters/catch_reporter_registrars.hpp>
#define PARLAB_WATCHDOG_CATCH_MAJOR 3
#else
// Catch2 2.x hides its listener base class unless this is defined before the include.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>
#define PARLAB_WATCHDOG_CATCH_MAJOR 2
#endif

namespace {

void fail_if_nothing_ran(std::size_t cases_run) {
  if (cases_run != 0) return;
  std::fflush(stdout);
  std::fputs("\nNo test case matched the test spec given: nothing was tested. Check the spelling; "
             "--list-tags lists this program's tags, --list-tests its cases.\n", stderr);
  std::fflush(stderr);
  std::_Exit(4);
}

#if PARLAB_WATCHDOG_CATCH_MAJOR == 3

class CaseWatchdogListener : public Catch::EventListenerBase {
 public:
  using Catch::EventListenerBase::EventListenerBase;
  void testCaseStarting(const Catch::TestCaseInfo& info) override { parlab_test::detail::case_started(info.name); }
  void sectionStarting(const Catch::SectionInfo&) override { parlab_test::detail::case_progressed(); }
  void testCaseEnded(const Catch::TestCaseStats&) override { parlab_test::detail::case_ended(); }
  void testRunEnded(const Catch::TestRunStats& stats) override { fail_if_nothing_ran(stats.totals.testCases.total()); }
};

#else

struct CaseWatchdogListener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  // The 2.x base class keeps per-run state in these members, so each override calls it.
  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    TestEventListenerBase::testCaseStarting(info);
    parlab_test::detail::case_started(info.name);
  }
  void sectionStarting(const Catch::SectionInfo& info) override {
    TestEventListenerBase::sectionStarting(info);
    parlab_test::detail::case_progressed();
  }
  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    TestEventListenerBase::testCaseEnded(stats);
    parlab_test::detail::case_ended();
  }
  void testRunEnded(const Catch::TestRunStats& stats) override {
    TestEventListenerBase::testRunEnded(stats);
    fail_if_nothing_ran(stats.totals.testCases.total());
  }
};

#endif

}  // namespace

CATCH_REGISTER_LISTENER(CaseWatchdogListener)
