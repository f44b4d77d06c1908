// Calls exit(0) in the middle of the test, hoping that "exit status 0" reads as success.
#include <cstdlib>

void hostile_act() {
  std::exit(0);
}
