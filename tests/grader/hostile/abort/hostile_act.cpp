// Calls std::abort.
#include <cstdlib>

void hostile_act() {
  std::abort();
}
