// Lab 04, task 4: early exit for processes with the flag in Redis (hiredis).
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include "parlab/child_process.hpp"
#include "parlab/lab04/early_exit.hpp"
#include "parlab/todo.hpp"

namespace parlab::lab04 {

// TODO (task 4): connect with redisConnectWithTimeout (check for nullptr and ctx->err),
// redisFree in the destructor; GET / SET the key with redisCommand, free every reply with
// freeReplyObject, and turn a nullptr or REDIS_REPLY_ERROR reply into std::runtime_error.
RedisStopFlag::RedisStopFlag(RedisEndpoint endpoint) : endpoint_(std::move(endpoint)) {
  todo("RedisStopFlag::RedisStopFlag (lab 04, task 4)");
}
RedisStopFlag::~RedisStopFlag() = default;  // TODO (task 4): redisFree
bool RedisStopFlag::is_set() { todo("RedisStopFlag::is_set (lab 04, task 4)"); }
void RedisStopFlag::raise() { todo("RedisStopFlag::raise (lab 04, task 4)"); }
void RedisStopFlag::clear() { todo("RedisStopFlag::clear (lab 04, task 4)"); }

Verdict is_prime_redis(std::uint64_t n, unsigned workers, const RedisEndpoint& endpoint,
                       std::uint64_t check_every) {
  // TODO (task 4): validate, connect and reset the key to "0" first (an earlier search may
  // have left it at "1"); then as in is_prime_processes, with each child opening its OWN
  // RedisStopFlag after the fork.
  (void)n, (void)workers, (void)endpoint, (void)check_every;
  todo("is_prime_redis (lab 04, task 4)");
}

}  // namespace parlab::lab04
