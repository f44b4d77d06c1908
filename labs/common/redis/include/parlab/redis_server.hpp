#pragma once
// A real redis-server for a test or a benchmark: started on 127.0.0.1 on a free port with persistence
// off, ready (it answered PING) when the constructor returns, and killed and reaped by
// its pid in the destructor, so it goes away when the test fails or throws too.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace parlab {

class RedisServer {
 public:
  // Starts the server and waits until it answers PING, for at most `startup`. Throws std::runtime_error saying how to install
  // redis-server when it is not installed, and with the server's log when it does not
  // come up. A port taken by someone else between choosing and binding is retried.
  explicit RedisServer(std::chrono::milliseconds startup = std::chrono::milliseconds(10000));
  // SIGKILL + waitpid, then removes its scratch directory.
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  [[nodiscard]] const std::string& host() const noexcept { return host_; }
  [[nodiscard]] int port() const noexcept { return port_; }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

  // Small client helpers for tests (each opens and closes its own connection).
  [[nodiscard]] std::optional<std::string> get(const std::string& key) const;
  void set(const std::string& key, const std::string& value) const;
  // Clients connected right now, not counting the connection this call opens.
  [[nodiscard]] long connected_clients() const;

  // Where redis-server is, from PATH (then /usr/sbin, /usr/local/bin); nullopt if absent.
  [[nodiscard]] static std::optional<std::string> find_executable();

 private:
  bool try_start(const std::string& exe, std::chrono::steady_clock::time_point deadline,
                 std::string& why);
  void stop() noexcept;

  std::string host_ = "127.0.0.1";
  int port_ = 0;
  pid_t pid_ = -1;
  std::string dir_;  // scratch directory: working dir and log of the server
};

// A key prefix no other test uses: "parlab-test:<pid>:<counter>:<what>:".
[[nodiscard]] std::string unique_key_prefix(std::string_view what);

}  // namespace parlab
