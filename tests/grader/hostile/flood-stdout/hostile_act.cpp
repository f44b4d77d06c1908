// Prints without end.
#include <cstdio>

void hostile_act() {
  while (true) std::fputs("spam spam spam spam spam spam spam spam spam spam spam spam spam spam\n", stdout);
}
