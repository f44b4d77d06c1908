// A loop that never ends: the grader stops it at the wall-clock limit.

void hostile_act() {
  for (volatile unsigned long spin = 0;; spin = spin + 1) {
  }
}
