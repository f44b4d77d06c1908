// Lab 04, task 4: hidden tests for the Redis flag and is_prime_redis, against a real
// redis-server started by each test (parlab_test::RedisServer) with keys of its own.
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "../../labs/04-early-exit/tests/lab04_support.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/explain.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/redis_server.hpp"
#include "parlab_test/watchdog.hpp"

using namespace std::chrono_literals;
using namespace parlab::lab04;
using lab04_test::KnownAnswer;
using parlab_test::ContainsSubstring;

namespace {

RedisEndpoint endpoint_of(const parlab_test::RedisServer& server, const char* what) {
  return {server.host(), server.port(), parlab_test::unique_key_prefix(what) + "stop"};
}

// Connections close asynchronously on the server's side: give it a moment.
long clients_after_settling(const parlab_test::RedisServer& server, long expected) {
  long now = server.connected_clients();
  for (int i = 0; i < 100 && now != expected; ++i) {
    std::this_thread::sleep_for(20ms);
    now = server.connected_clients();
  }
  return now;
}

}  // namespace

TEST_CASE("two RedisStopFlags on one key see each other and not other keys", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("RedisStopFlags on a local redis-server", 30s);
  parlab_test::RedisServer server;
  const RedisEndpoint mine = endpoint_of(server, "mine");
  const RedisEndpoint other = endpoint_of(server, "other");
  RedisStopFlag a(mine), b(mine), c(other);
  a.raise();
  CHECK(b.is_set());
  CHECK_FALSE(c.is_set());
  server.set(mine.key, "0");
  CHECK_FALSE(a.is_set());
  server.set(mine.key, "yes");  // anything but "1" is lowered
  CHECK_FALSE(a.is_set());
  CHECK(clients_after_settling(server, 3) == 3);
}

TEST_CASE("RedisStopFlag closes its connection", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("RedisStopFlag connections", 30s);
  parlab_test::RedisServer server;
  const parlab_test::ResourceSnapshot before;
  {
    RedisStopFlag flag(endpoint_of(server, "close"));
    flag.clear();
    CHECK(clients_after_settling(server, 1) == 1);
  }
  CHECK(clients_after_settling(server, 0) == 0);
  CHECK(before.leaks() == "");
}

TEST_CASE("RedisStopFlag rejects a bad endpoint with a clear message", "[lab04][task4]") {
  const parlab_test::ResourceSnapshot before;
  CHECK_THROWS_WITH(RedisStopFlag(RedisEndpoint{"127.0.0.1", 6379, ""}), ContainsSubstring("key"));
  CHECK_THROWS_AS(RedisStopFlag(RedisEndpoint{"127.0.0.1", 0, "k"}), std::invalid_argument);
  CHECK_THROWS_WITH(RedisStopFlag(RedisEndpoint{"127.0.0.1", 70000, "k"}), ContainsSubstring("port"));
  CHECK_THROWS_AS(RedisStopFlag(RedisEndpoint{"127.0.0.1", 1, "k"}), std::runtime_error);
  CHECK(before.leaks() == "");
}

TEST_CASE("is_prime_redis answers 0 to 4 even numbers squares and numbers near 2^64", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis on the cheap known answers", 120s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "cheap");
  const parlab_test::ResourceSnapshot before;
  const int mappings = lab04_test::shared_mappings();
  for (const KnownAnswer& want : lab04_test::cheap_answers()) {
    CAPTURE(want.n);
    const Verdict v = is_prime_redis(want.n, 2, where, 1000);
    CHECK(lab04_test::verdict_problems(want, 2, v) == "");
  }
  CHECK(before.leaks() == "");
  CHECK(lab04_test::shared_mappings() == mappings);
  CHECK(clients_after_settling(server, 0) == 0);
}

TEST_CASE("is_prime_redis proves 100109100129162907 prime", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis(100109100129162907, 2)", 120s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "prime");
  const Verdict v = is_prime_redis(lab04_test::kPrime2, 2, where, 100'000);
  CHECK(lab04_test::verdict_problems({lab04_test::kPrime2, true, 0}, 2, v) == "");
  CHECK(server.get(where.key) == std::optional<std::string>("0"));
}

TEST_CASE("is_prime_redis stops the other workers early when the factor opens the second range", "[lab04][task4]") {
  // The factor lies ten divisions into the finder's range (see lab04_support.hpp): the
  // others, reading the key every 10000 divisions, must stop long before their 75 or 115
  // million, however late the scheduler lets the finder run.
  struct Case {
    std::uint64_t n, factor;
    unsigned workers;
    std::size_t finder;
  };
  const Case c = GENERATE(Case{lab04_test::kEarlyFactorOf2, lab04_test::kEarlyFactorOf2Factor, 2, 1},
                          Case{lab04_test::kEarlyFactorOf4, lab04_test::kEarlyFactorOf4Factor, 4, 1});
  CAPTURE(c.n, c.workers);
  parlab_test::Watchdog watchdog("is_prime_redis(" + std::to_string(c.n) + ") up to four times", 180s);
  PARLAB_EXPLAIN("a worker kept going after the key was set: each child opens its own connection after fork and reads the key every check_every divisions");
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "composite");
  const parlab_test::ResourceSnapshot before;
  const Verdict v = is_prime_redis(c.n, c.workers, where, 10'000);
  CHECK(lab04_test::verdict_problems({c.n, false, c.factor}, c.workers, v) == "");
  CHECK(lab04_test::early_exit_in_some_attempt(c.n, c.finder, c.factor,
                                               [&] { return is_prime_redis(c.n, c.workers, where, 10'000); }) == "");
  CHECK(server.get(where.key) == std::optional<std::string>("1"));
  CHECK(before.leaks() == "");
  CHECK(clients_after_settling(server, 0) == 0);
}

TEST_CASE("is_prime_redis resets the key even when the pre-check decides", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis after a stale flag", 60s);
  PARLAB_EXPLAIN("the key of an earlier search is still set to 1: the parent clears it before anything else, also when the pre-check decides");
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "stale");
  server.set(where.key, "1");
  CHECK(is_prime_redis(1'000'003, 2, where).prime);
  CHECK(server.get(where.key) == std::optional<std::string>("0"));
  server.set(where.key, "1");
  const Verdict v = is_prime_redis(1'000'000'007, 2, where, 1);
  CHECK(lab04_test::verdict_problems({1'000'000'007, true, 0}, 2, v) == "");
  CHECK_FALSE(is_prime_redis(lab04_test::kComposite2, 2, where, 10'000).prime);
  CHECK(is_prime_redis(1'000'000'000'039, 2, where, 1000).prime);  // after a composite: reset again
}

TEST_CASE("is_prime_redis keeps each caller to its own key", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis with a raised neighbour key", 60s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "own");
  const RedisEndpoint neighbour = endpoint_of(server, "neighbour");
  server.set(neighbour.key, "1");
  CHECK(is_prime_redis(1'000'000'000'039, 2, where, 100).prime);
  CHECK(server.get(neighbour.key) == std::optional<std::string>("1"));
}

TEST_CASE("is_prime_redis rejects bad arguments and unreachable servers and leaks nothing", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis with bad arguments", 60s);
  const parlab_test::ResourceSnapshot before;
  const int mappings = lab04_test::shared_mappings();
  CHECK_THROWS_AS(is_prime_redis(lab04_test::kPrime1, 0, RedisEndpoint{}), std::invalid_argument);
  CHECK_THROWS_WITH(is_prime_redis(lab04_test::kPrime1, 2, RedisEndpoint{"127.0.0.1", -5, "k"}), ContainsSubstring("port"));
  CHECK_THROWS_WITH(is_prime_redis(lab04_test::kPrime1, 2, RedisEndpoint{"127.0.0.1", 1, "k"}), ContainsSubstring("Redis"));
  CHECK_THROWS_AS(is_prime_redis(4, 2, RedisEndpoint{"127.0.0.1", 1, "k"}), std::runtime_error);
  CHECK(before.leaks() == "");
  CHECK(lab04_test::shared_mappings() == mappings);
}
