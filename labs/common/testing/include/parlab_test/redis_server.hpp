#pragma once
// The redis-server fixture for tests: parlab::RedisServer with its start-up deadline
// stretched like every other test deadline under sanitizers (timeout_scale()).

#include <chrono>

#include "parlab/redis_server.hpp"
#include "parlab_test/watchdog.hpp"

namespace parlab_test {

class RedisServer : public parlab::RedisServer {
 public:
  explicit RedisServer(std::chrono::milliseconds startup = std::chrono::milliseconds(10000))
      : parlab::RedisServer(std::chrono::duration_cast<std::chrono::milliseconds>(startup * timeout_scale())) {}
};

using parlab::unique_key_prefix;

}  // namespace parlab_test
