// Lab 04, task 4: hidden tests for the Redis flag and is_prime_redis, against a real
// redis-server started by each test (parlab_test::RedisServer) with keys of its own.
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "../../labs/04-early-exit/tests/lab04_support.hpp"
#include "parlab_test/catch.hpp"
#include "parlab_test/explain.hpp"
#include "parlab_test/isolated.hpp"
#include "parlab_test/process_checks.hpp"
#include "parlab_test/redis_server.hpp"
#include "parlab_test/watchdog.hpp"

// Every call into the lab's code runs in a child (parlab_test::isolated); the checks run
// here on what it handed back. What a call leaves behind (fds, children, mappings, Redis
// connections) is counted in the child it ran in, before the child's exit closes it all.
using namespace std::chrono_literals;
using namespace parlab::lab04;
using lab04_test::KnownAnswer;
using lab04_test::VerdictAndLeaks;
using parlab_test::ContainsSubstring;
using parlab_test::isolated;

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

// Verdicts with what their calls left behind, and the Redis clients still connected then.
struct SearchesAndClients {
  VerdictAndLeaks run;
  long clients = 0;
};
void to_json(nlohmann::json& j, const SearchesAndClients& s) { j = {{"run", s.run}, {"clients", s.clients}}; }
void from_json(const nlohmann::json& j, SearchesAndClients& s) {
  j.at("run").get_to(s.run);
  j.at("clients").get_to(s.clients);
}

// Runs `searches` (which returns the verdicts) in one child and counts what they leave behind.
template <class Searches>
SearchesAndClients searched_in_one_child(const parlab_test::RedisServer& server, Searches searches) {
  return isolated([&] {
    const parlab_test::ResourceSnapshot before;
    SearchesAndClients out;
    out.run.mappings_before = lab04_test::shared_mappings();
    out.run.verdicts = searches();
    out.run.leaks = before.leaks();
    out.run.mappings_after = lab04_test::shared_mappings();
    out.clients = clients_after_settling(server, 0);
    return out;
  });
}

// What three RedisStopFlags a, b (one key) and c (another) said, and the clients connected.
struct ThreeFlags {
  bool b_after_a_raised;
  bool c_after_a_raised;
  bool a_after_key_0;
  bool a_after_key_yes;
  long clients;
};

}  // namespace

TEST_CASE("two RedisStopFlags on one key see each other and not other keys", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("RedisStopFlags on a local redis-server", 30s);
  parlab_test::RedisServer server;
  const RedisEndpoint mine = endpoint_of(server, "mine");
  const RedisEndpoint other = endpoint_of(server, "other");
  const ThreeFlags seen = isolated([&] {
    ThreeFlags three{};
    RedisStopFlag a(mine), b(mine), c(other);
    a.raise();
    three.b_after_a_raised = b.is_set();
    three.c_after_a_raised = c.is_set();
    server.set(mine.key, "0");
    three.a_after_key_0 = a.is_set();
    server.set(mine.key, "yes");  // anything but "1" is lowered
    three.a_after_key_yes = a.is_set();
    three.clients = clients_after_settling(server, 3);
    return three;
  });
  CHECK(seen.b_after_a_raised);
  CHECK_FALSE(seen.c_after_a_raised);
  CHECK_FALSE(seen.a_after_key_0);
  CHECK_FALSE(seen.a_after_key_yes);
  CHECK(seen.clients == 3);
}

TEST_CASE("RedisStopFlag closes its connection", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("RedisStopFlag connections", 30s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "close");
  const auto [clients_while_open, clients_after, leaks] = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    long while_open = 0;
    {
      RedisStopFlag flag(where);
      flag.clear();
      while_open = clients_after_settling(server, 1);
    }
    const long after = clients_after_settling(server, 0);
    return std::tuple{while_open, after, before.leaks()};
  });
  CHECK(clients_while_open == 1);
  CHECK(clients_after == 0);
  CHECK(leaks == "");
}

TEST_CASE("RedisStopFlag rejects a bad endpoint with a clear message", "[lab04][task4]") {
  const auto flag_at = [](RedisEndpoint endpoint) { return [endpoint] { RedisStopFlag flag(endpoint); }; };
  const auto empty_key = flag_at(RedisEndpoint{"127.0.0.1", 6379, ""});
  const auto port_zero = flag_at(RedisEndpoint{"127.0.0.1", 0, "k"});
  const auto port_too_big = flag_at(RedisEndpoint{"127.0.0.1", 70000, "k"});
  const auto nobody_listening = flag_at(RedisEndpoint{"127.0.0.1", 1, "k"});
  CHECK_THROWS_WITH(isolated(empty_key), ContainsSubstring("key"));
  CHECK_THROWS_AS(isolated(port_zero), std::invalid_argument);
  CHECK_THROWS_WITH(isolated(port_too_big), ContainsSubstring("port"));
  CHECK_THROWS_AS(isolated(nobody_listening), std::runtime_error);
  // The same calls again in one child, which sees what they leave behind in it.
  const std::string leaks = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    lab04_test::ignore_thrown<std::invalid_argument>(empty_key);
    lab04_test::ignore_thrown<std::invalid_argument>(port_zero);
    lab04_test::ignore_thrown<std::invalid_argument>(port_too_big);
    lab04_test::ignore_thrown<std::runtime_error>(nobody_listening);
    return before.leaks();
  });
  CHECK(leaks == "");
}

TEST_CASE("is_prime_redis answers 0 to 4 even numbers squares and numbers near 2^64", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis on the cheap known answers", 120s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "cheap");
  const auto& answers = lab04_test::cheap_answers();
  const SearchesAndClients searched = searched_in_one_child(server, [&] {
    std::vector<Verdict> verdicts;
    for (const KnownAnswer& want : answers) verdicts.push_back(is_prime_redis(want.n, 2, where, 1000));
    return verdicts;
  });
  REQUIRE(searched.run.verdicts.size() == answers.size());
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const KnownAnswer& want = answers[i];
    CAPTURE(want.n);
    CHECK(lab04_test::verdict_problems(want, 2, searched.run.verdicts[i]) == "");
  }
  CHECK(searched.run.leaks == "");
  CHECK(searched.run.mappings_after == searched.run.mappings_before);
  CHECK(searched.clients == 0);
}

TEST_CASE("is_prime_redis proves 100109100129162907 prime", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis(100109100129162907, 2)", 120s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "prime");
  const Verdict v = isolated([&] { return is_prime_redis(lab04_test::kPrime2, 2, where, 100'000); });
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
  // The first search and up to three more attempts at early exit, all in one child.
  const SearchesAndClients searched = searched_in_one_child(server, [&] {
    std::vector<Verdict> verdicts{is_prime_redis(c.n, c.workers, where, 10'000)};
    for (const Verdict& v : lab04_test::early_exit_attempts(c.n, c.finder, c.factor,
                                                            [&] { return is_prime_redis(c.n, c.workers, where, 10'000); })) {
      verdicts.push_back(v);
    }
    return verdicts;
  });
  const std::vector<Verdict>& verdicts = searched.run.verdicts;
  REQUIRE(verdicts.size() >= 2);
  CHECK(lab04_test::verdict_problems({c.n, false, c.factor}, c.workers, verdicts.front()) == "");
  CHECK(lab04_test::early_exit_in_some({verdicts.begin() + 1, verdicts.end()}, c.n, c.finder, c.factor) == "");
  CHECK(server.get(where.key) == std::optional<std::string>("1"));
  CHECK(searched.run.leaks == "");
  CHECK(searched.clients == 0);
}

TEST_CASE("is_prime_redis resets the key even when the pre-check decides", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis after a stale flag", 60s);
  PARLAB_EXPLAIN("the key of an earlier search is still set to 1: the parent clears it before anything else, also when the pre-check decides");
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "stale");
  server.set(where.key, "1");
  CHECK(isolated([&] { return is_prime_redis(1'000'003, 2, where); }).prime);
  CHECK(server.get(where.key) == std::optional<std::string>("0"));
  server.set(where.key, "1");
  const Verdict v = isolated([&] { return is_prime_redis(1'000'000'007, 2, where, 1); });
  CHECK(lab04_test::verdict_problems({1'000'000'007, true, 0}, 2, v) == "");
  CHECK_FALSE(isolated([&] { return is_prime_redis(lab04_test::kComposite2, 2, where, 10'000); }).prime);
  CHECK(isolated([&] { return is_prime_redis(1'000'000'000'039, 2, where, 1000); }).prime);  // after a composite: reset again
}

TEST_CASE("is_prime_redis keeps each caller to its own key", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis with a raised neighbour key", 60s);
  parlab_test::RedisServer server;
  const RedisEndpoint where = endpoint_of(server, "own");
  const RedisEndpoint neighbour = endpoint_of(server, "neighbour");
  server.set(neighbour.key, "1");
  CHECK(isolated([&] { return is_prime_redis(1'000'000'000'039, 2, where, 100); }).prime);
  CHECK(server.get(neighbour.key) == std::optional<std::string>("1"));
}

TEST_CASE("is_prime_redis rejects bad arguments and unreachable servers and leaks nothing", "[lab04][task4]") {
  parlab_test::Watchdog watchdog("is_prime_redis with bad arguments", 60s);
  const auto search = [](std::uint64_t n, unsigned workers, RedisEndpoint endpoint) {
    return [n, workers, endpoint] { return is_prime_redis(n, workers, endpoint); };
  };
  const auto no_workers = search(lab04_test::kPrime1, 0, RedisEndpoint{});
  const auto negative_port = search(lab04_test::kPrime1, 2, RedisEndpoint{"127.0.0.1", -5, "k"});
  const auto nobody_listening = search(lab04_test::kPrime1, 2, RedisEndpoint{"127.0.0.1", 1, "k"});
  const auto decided_but_nobody_listening = search(4, 2, RedisEndpoint{"127.0.0.1", 1, "k"});
  CHECK_THROWS_AS(isolated(no_workers), std::invalid_argument);
  CHECK_THROWS_WITH(isolated(negative_port), ContainsSubstring("port"));
  CHECK_THROWS_WITH(isolated(nobody_listening), ContainsSubstring("Redis"));
  CHECK_THROWS_AS(isolated(decided_but_nobody_listening), std::runtime_error);
  // The same calls again in one child, which sees what they leave behind in it.
  const VerdictAndLeaks run = isolated([&] {
    const parlab_test::ResourceSnapshot before;
    VerdictAndLeaks leftovers;
    leftovers.mappings_before = lab04_test::shared_mappings();
    lab04_test::ignore_thrown<std::invalid_argument>(no_workers);
    lab04_test::ignore_thrown<std::invalid_argument>(negative_port);
    lab04_test::ignore_thrown<std::runtime_error>(nobody_listening);
    lab04_test::ignore_thrown<std::runtime_error>(decided_but_nobody_listening);
    leftovers.leaks = before.leaks();
    leftovers.mappings_after = lab04_test::shared_mappings();
    return leftovers;
  });
  CHECK(run.leaks == "");
  CHECK(run.mappings_after == run.mappings_before);
}
