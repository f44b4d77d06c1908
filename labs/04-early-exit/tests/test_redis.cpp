// Lab 04, task 4: visible tests for the Redis flag and is_prime_redis. Every test starts
// its own redis-server (parlab_test::RedisServer) and uses keys no other test uses.
#include <chrono>
#include <stdexcept>

#include "lab04_support.hpp"
#include "parlab_test/catch.hpp"
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
