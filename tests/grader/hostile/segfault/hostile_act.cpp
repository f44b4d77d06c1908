// Writes through a null pointer.

void hostile_act() {
  volatile int* volatile nowhere = nullptr;
  *nowhere = 42;
}
