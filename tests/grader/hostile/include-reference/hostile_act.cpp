// Includes the reference solution through a path relative to the lab's include folder
// (labs/01-queues/include/../../../solutions/...): the compiler must not find it.
#include "../../../solutions/01-queues/src/blocking_queue.cpp"

void hostile_act() {}
