// Reads a second copy of the instructor tree elsewhere on the machine (the test puts one in
// /opt/parlab-course-copy) and, if it can, throws the hidden test's text so that it lands in
// the reports. Nothing there may be readable: then this does nothing and every task passes.
#include <fstream>
#include <sstream>
#include <stdexcept>

void hostile_act() {
  for (const char* file : {"/opt/parlab-course-copy/tests/01-queues/hidden_threads.cpp",
                           "/opt/parlab-course-copy/solutions/01-queues/src/blocking_queue.cpp"}) {
    std::ifstream in(file);
    if (!in) continue;
    std::ostringstream text;
    text << in.rdbuf();
    throw std::runtime_error(text.str());
  }
}
