// The tests' scripted clock: its readings in order, and a clear message when code reads it
// more often than the test scripted.
#include <stdexcept>

#include "parlab_test/catch.hpp"
#include "parlab_test/scripted_clock.hpp"

using parlab_test::ContainsSubstring;

TEST_CASE("scripted clock hands out its readings in order and counts them", "[common]") {
  parlab_test::ScriptedClock clock({3, 5}, "2 per repetition: 1 repetition");
  CHECK(clock.read() == 3);
  CHECK(clock.read() == 5);
  CHECK(clock.reads() == 2);
}

TEST_CASE("scripted clock read once too often says how many readings the measurement needs", "[common]") {
  parlab_test::ScriptedClock clock({1, 2}, "2 per repetition: 1 repetition");
  (void)clock.read();
  (void)clock.read();
  CHECK_THROWS_AS(clock.read(), std::logic_error);
  CHECK_THROWS_WITH(clock.read(), ContainsSubstring("the code under test read the clock 3 times") &&
                                      ContainsSubstring("this measurement needs at most 2 readings: 2 per repetition: 1 repetition") &&
                                      ContainsSubstring("usually means a reading where none belongs"));
  CHECK(clock.reads() == 2);
}
