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
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/redis_server.hpp"
#include "parlab_test/watchdog.hpp"

// Every call into the lab's code runs in a child (parlab_test::isolated); the checks run
// here on what it handed back. The redis-server is the test's, started here.
using namespace std::chrono_literals;
using namespace parlab::lab04;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

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

// What a RedisStopFlag said, and what the key held, step by step.
struct FlagInRedis {
  bool fresh = false;
  std::optional<std::string> key_after_raise;
  bool raised = false;
  std::optional<std::string> key_after_clear;
  bool cleared = false;
  std::optional<std::string> key_after_second_flag;
  bool second_sees_it = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FlagInRedis, fresh, key_after_raise, raised, key_after_clear, cleared,
                                   key_after_second_flag, second_sees_it)

}  // namespace

TEST_CASE("RedisStopFlag keeps the flag in Redis", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("RedisStopFlag against a local redis-server", 30s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "flag");
  const FlagInRedis seen = isolated([&] {
    FlagInRedis steps;
    RedisStopFlag flag(where);
    steps.fresh = flag.is_set();
    flag.raise();
    steps.key_after_raise = server.get(where.key);
    steps.raised = flag.is_set();
    flag.clear();
    steps.key_after_clear = server.get(where.key);
    steps.cleared = flag.is_set();
    server.set(where.key, "1");
    RedisStopFlag second(where);
    steps.key_after_second_flag = server.get(where.key);
    steps.second_sees_it = second.is_set();
    return steps;
  });
  CHECK_FALSE(seen.fresh);  // no key yet: lowered
  CHECK(seen.key_after_raise == std::optional<std::string>("1"));
  CHECK(seen.raised);
  CHECK(seen.key_after_clear == std::optional<std::string>("0"));
  CHECK_FALSE(seen.cleared);
  // A new flag does not touch the key: one raised elsewhere stays up.
  CHECK(seen.key_after_second_flag == std::optional<std::string>("1"));
  CHECK(seen.second_sees_it);
}

TEST_CASE("is_prime_redis finds the factor and leaves the flag raised", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis(100109100129101027, 2)", 60s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "composite");
  const Verdict v = isolated([&] { return is_prime_redis(lab04_test::kComposite2, 2, where, 10'000); });
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
  const Verdict v = isolated([&] { return is_prime_redis(1'000'000'000'039, 2, where); });  // a prime with 13 digits
  INFO(lab04_test::describe(1'000'000'000'039, v));
  CHECK(v.prime);
  CHECK(server.get(where.key) == std::optional<std::string>("0"));
}

TEST_CASE("is_prime_redis names the server it cannot reach", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis against a closed port", 30s);
  const RedisEndpoint nowhere{"127.0.0.1", 1, "parlab-test:nowhere"};
  CHECK_THROWS_AS(isolated([&] { return is_prime_redis(lab04_test::kPrime1, 2, nowhere); }), std::runtime_error);
  CHECK_THROWS_WITH(isolated([&] { return is_prime_redis(lab04_test::kPrime1, 2, nowhere); }), ContainsSubstring("127.0.0.1:1"));
  // The same call again in one child, which sees what it leaves behind in it.
  const std::string leaks = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    lab04_test::ignore_thrown<std::runtime_error>([&] { return is_prime_redis(lab04_test::kPrime1, 2, nowhere); });
    return before.leaks();
  });
  CHECK(leaks == "");
}


TEST_CASE("RedisStopFlag turns an error answer into a runtime_error naming the server", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("RedisStopFlag::is_set on a key that holds a list", 30s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "wrongtype");
  make_list(server, where.key);
  CHECK_THROWS_AS(isolated([&] {
                    RedisStopFlag flag(where);
                    return flag.is_set();
                  }),
                  std::runtime_error);
  // The second error answer on the same connection names the server too.
  CHECK_THROWS_WITH(isolated([&] {
                      RedisStopFlag flag(where);
                      lab04_test::ignore_thrown<std::runtime_error>([&] { return flag.is_set(); });
                      return flag.is_set();
                    }),
                    ContainsSubstring(server.host() + ":" + std::to_string(server.port())));
}

TEST_CASE("is_prime_redis lowers a stale flag even when the pre-check decides", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis(1000000, 2) after a stale flag", 30s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "decided");
  server.set(where.key, "1");
  const Verdict v = isolated([&] { return is_prime_redis(1'000'000, 2, where); });
  CHECK(v.factor == 2);
  CHECK(server.get(where.key) == std::optional<std::string>("0"));
}

TEST_CASE("RedisStopFlag and is_prime_redis reject an empty key and a bad port and is_prime_redis 0 workers", "[lab04][task4]") {
  // Each bad call once on its own, to see what it throws, ...
  const auto flag_at = [](RedisEndpoint endpoint) { return [endpoint] { RedisStopFlag flag(endpoint); }; };
  const auto search_at = [](unsigned workers, RedisEndpoint endpoint) {
    return [workers, endpoint] { return is_prime_redis(lab04_test::kPrime1, workers, endpoint); };
  };
  const RedisEndpoint fine{"127.0.0.1", 6379, "parlab-test:never-used"};
  const auto empty_key = flag_at(RedisEndpoint{"127.0.0.1", 6379, ""});
  const auto negative_port = flag_at(RedisEndpoint{"127.0.0.1", -1, "k"});
  const auto port_too_big = flag_at(RedisEndpoint{"127.0.0.1", 65536, "k"});
  const auto no_workers = search_at(0, fine);
  const auto port_zero = search_at(2, RedisEndpoint{"127.0.0.1", 0, "k"});
  const auto search_empty_key = search_at(2, RedisEndpoint{"127.0.0.1", 6379, ""});
  CHECK_THROWS_WITH(isolated(empty_key), ContainsSubstring("key"));
  CHECK_THROWS_AS(isolated(negative_port), std::invalid_argument);
  CHECK_THROWS_WITH(isolated(port_too_big), ContainsSubstring("65536"));
  CHECK_THROWS_WITH(isolated(no_workers), ContainsSubstring("workers"));
  CHECK_THROWS_AS(isolated(port_zero), std::invalid_argument);
  CHECK_THROWS_AS(isolated(search_empty_key), std::invalid_argument);
  // ... then all of them in one child, which sees what they leave behind in it.
  const std::string leaks = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    lab04_test::ignore_thrown<std::invalid_argument>(empty_key);
    lab04_test::ignore_thrown<std::invalid_argument>(negative_port);
    lab04_test::ignore_thrown<std::invalid_argument>(port_too_big);
    lab04_test::ignore_thrown<std::invalid_argument>(no_workers);
    lab04_test::ignore_thrown<std::invalid_argument>(port_zero);
    lab04_test::ignore_thrown<std::invalid_argument>(search_empty_key);
    return before.leaks();
  });
  CHECK(leaks == "");
}

TEST_CASE("is_prime_redis closes every connection it opened once it has an answer", "[lab04][task4]") {
  // Promise: every connection is closed before is_prime_redis returns (each one is a socket,
  // an fd that would still be open here), and no child is left behind.
  parlab_test::Watchdog watchdog("is_prime_redis(1000006000009, 3) and its connections", 60s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "closes");
  const lab04_test::VerdictAndLeaks run = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    const int mappings = lab04_test::shared_mappings();
    const Verdict v = is_prime_redis(1'000'006'000'009, 3, where);  // 1000003 squared
    return lab04_test::VerdictAndLeaks{{v}, before.leaks(), mappings, lab04_test::shared_mappings()};
  });
  REQUIRE(run.verdicts.size() == 1);
  CHECK(run.verdicts[0].factor == 1'000'003);
  CHECK(run.leaks == "");
  CHECK(run.mappings_after == run.mappings_before);
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
