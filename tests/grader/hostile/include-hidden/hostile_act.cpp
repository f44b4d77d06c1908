// Includes a hidden test by its absolute path in the instructor tree (the test writes the
// tree's path for @PARLAB_SOURCE@): the compiler must not find it.
#include "@PARLAB_SOURCE@/tests/01-queues/hidden_threads.cpp"

void hostile_act() {}
