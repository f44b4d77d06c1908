// Graded with --isolation limits, where bubblewrap's view and network namespace are missing:
// reads the instructor tree in place and a second copy of it (the test puts one in
// /opt/parlab-course-copy), both world-readable, and throws what it read so that it lands in
// the reports; then sends a line over TCP and over UDP to 127.0.0.1:47613, where the test
// listens. Nothing may be readable and nothing may arrive: then this does nothing else and
// every task passes.
#include <arpa/inet.h>
#include <fstream>
#include <netinet/in.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

void send_over(int type) {
  const int fd = ::socket(AF_INET, type, 0);
  if (fd < 0) return;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(47613);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const char leak[] = "LEAKED FROM A TEST";
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) (void)!::write(fd, leak, sizeof leak);
  ::close(fd);
}

void hostile_act() {
  for (const char* file : {"@PARLAB_SOURCE@/tests/01-queues/hidden_threads.cpp",
                           "@PARLAB_SOURCE@/solutions/01-queues/src/blocking_queue.cpp",
                           "/opt/parlab-course-copy/tests/01-queues/hidden_threads.cpp"}) {
    std::ifstream in(file);
    if (!in) continue;
    std::ostringstream text;
    text << in.rdbuf();
    throw std::runtime_error(text.str());
  }
  send_over(SOCK_STREAM);
  send_over(SOCK_DGRAM);
}
