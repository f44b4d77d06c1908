// Lab 04, task 4: visible tests for the Redis flag and is_prime_redis. Every test starts
// its own redis-server (parlab_test::RedisServer) and uses keys no other test uses.
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include <hiredis/hiredis.h>

#include "lab04_support.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/explain.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/redis_server.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab04;
using parlab_test::ContainsSubstring;

namespace {
RedisEndpoint endpoint_of(const parlab_test::RedisServer& server, const char* what) {
  return {server.host(), server.port(), parlab_test::unique_key_prefix(what) + "stop"};
}

// Makes the key hold a list: GET on it then answers with a WRONGTYPE error.
void make_list(const parlab_test::RedisServer& server, const std::string& key) {
  const std::unique_ptr<redisContext, decltype(&redisFree)> ctx(redisConnect(server.host().c_str(), server.port()),
                                                                &redisFree);
  REQUIRE(ctx != nullptr);
  REQUIRE(ctx->err == 0);
  auto* reply = static_cast<redisReply*>(redisCommand(ctx.get(), "RPUSH %s x", key.c_str()));
  REQUIRE(reply != nullptr);
  freeReplyObject(reply);
}

}  // namespace

TEST_CASE("RedisStopFlag keeps the flag in Redis", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("RedisStopFlag against a local redis-server", 30s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "flag");
  RedisStopFlag flag(where);
  CHECK_FALSE(flag.is_set());  // no key yet: lowered
  flag.raise();
  CHECK(server.get(where.key) == std::optional<std::string>("1"));
  CHECK(flag.is_set());
  flag.clear();
  CHECK(server.get(where.key) == std::optional<std::string>("0"));
  CHECK_FALSE(flag.is_set());
  // A new flag does not touch the key: one raised elsewhere stays up.
  server.set(where.key, "1");
  RedisStopFlag second(where);
  CHECK(server.get(where.key) == std::optional<std::string>("1"));
  CHECK(second.is_set());
}

TEST_CASE("is_prime_redis finds the factor and leaves the flag raised", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis(100109100129101027, 2)", 60s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "composite");
  const Verdict v = is_prime_redis(lab04_test::kComposite2, 2, where, 10'000);
  INFO(lab04_test::describe(lab04_test::kComposite2, v));
  CHECK_FALSE(v.prime);
  CHECK(v.factor == lab04_test::kComposite2Factor);
  CHECK(server.get(where.key) == std::optional<std::string>("1"));
}

TEST_CASE("is_prime_redis resets a flag an earlier search left up", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis(1000003, 2) after a stale flag", 60s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "stale");
  server.set(where.key, "1");
  const Verdict v = is_prime_redis(1'000'000'000'039, 2, where);  // a prime with 13 digits
  INFO(lab04_test::describe(1'000'000'000'039, v));
  CHECK(v.prime);
  CHECK(server.get(where.key) == std::optional<std::string>("0"));
}

TEST_CASE("is_prime_redis names the server it cannot reach", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis against a closed port", 30s);
  const parlab_test::ResourceSnapshot before;
  const RedisEndpoint nowhere{"127.0.0.1", 1, "parlab-test:nowhere"};
  CHECK_THROWS_AS(is_prime_redis(lab04_test::kPrime1, 2, nowhere), std::runtime_error);
  CHECK_THROWS_WITH(is_prime_redis(lab04_test::kPrime1, 2, nowhere), ContainsSubstring("127.0.0.1:1"));
  CHECK(before.leaks() == "");
}


TEST_CASE("RedisStopFlag turns an error answer into a runtime_error naming the server", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("RedisStopFlag::is_set on a key that holds a list", 30s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "wrongtype");
  make_list(server, where.key);
  RedisStopFlag flag(where);
  CHECK_THROWS_AS(flag.is_set(), std::runtime_error);
  CHECK_THROWS_WITH(flag.is_set(), ContainsSubstring(server.host() + ":" + std::to_string(server.port())));
}

TEST_CASE("is_prime_redis lowers a stale flag even when the pre-check decides", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis(1000000, 2) after a stale flag", 30s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "decided");
  server.set(where.key, "1");
  const Verdict v = is_prime_redis(1'000'000, 2, where);
  CHECK(v.factor == 2);
  CHECK(server.get(where.key) == std::optional<std::string>("0"));
}

TEST_CASE("RedisStopFlag and is_prime_redis reject an empty key and a bad port and is_prime_redis 0 workers", "[lab04][task4]") {
  const parlab_test::ResourceSnapshot before;
  CHECK_THROWS_WITH(RedisStopFlag(RedisEndpoint{"127.0.0.1", 6379, ""}), ContainsSubstring("key"));
  CHECK_THROWS_AS(RedisStopFlag(RedisEndpoint{"127.0.0.1", -1, "k"}), std::invalid_argument);
  CHECK_THROWS_WITH(RedisStopFlag(RedisEndpoint{"127.0.0.1", 65536, "k"}), ContainsSubstring("65536"));
  const RedisEndpoint fine{"127.0.0.1", 6379, "parlab-test:never-used"};
  CHECK_THROWS_WITH(is_prime_redis(lab04_test::kPrime1, 0, fine), ContainsSubstring("workers"));
  CHECK_THROWS_AS(is_prime_redis(lab04_test::kPrime1, 2, RedisEndpoint{"127.0.0.1", 0, "k"}), std::invalid_argument);
  CHECK_THROWS_AS(is_prime_redis(lab04_test::kPrime1, 2, RedisEndpoint{"127.0.0.1", 6379, ""}), std::invalid_argument);
  CHECK(before.leaks() == "");
}

TEST_CASE("is_prime_redis calls off the first worker once the second finds 150000001", "[lab04][task4]") {
  using lab04_test::kEarlyFactorOf2;
  parlab_test::Watchdog watchdog("is_prime_redis(" + std::to_string(kEarlyFactorOf2) + ", 2), up to three times", 120s);
  PARLAB_EXPLAIN("worker 0 ran on after worker 1 raised the flag: every child must read the key through its own connection every check_every divisions");
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "early");
  CHECK(lab04_test::early_exit_in_some_attempt(kEarlyFactorOf2, 1, lab04_test::kEarlyFactorOf2Factor,
                                               [&] { return is_prime_redis(kEarlyFactorOf2, 2, where, 10'000); }) == "");
}
