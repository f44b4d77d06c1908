#pragma once
// Lab 04: one big number, many workers, and a shared flag that calls the search off.
//
// The search for a divisor of n is cut into three steps:
//   1. a serial pre-check of the small odd divisors (3 .. kPrecheckLimit - 1), which
//      settles most composites at once and costs a few hundred divisions;
//   2. the remaining odd divisors up to isqrt(n) are split into one Range per worker;
//   3. every worker scans its range with check_range; the first to find a divisor
//      raises the shared StopFlag, and every other worker, which reads the flag once
//      every `check_every` divisions, stops soon after.
// Work is counted in divisions (one `n % d` each), not in seconds, so early exit can be
// checked on any machine, however busy.
//
// Tasks (see the handout, labs/04-early-exit/README.md):
//   1. check_range, plan_search, conclude             src/search.cpp
//   2. AtomicStopFlag, is_prime_threads                src/threads.cpp
//   3. SharedStopFlag, is_prime_processes              src/processes.cpp
//   4. RedisStopFlag, is_prime_redis                   src/redis.cpp

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "parlab/primes.hpp"
#include "parlab/range.hpp"

struct redisContext;  // hiredis

namespace parlab::lab04 {

// Odd divisors below this are tried serially by plan_search before any worker starts.
inline constexpr std::uint64_t kPrecheckLimit = 1000;
// The first divisor handed to a worker: the smallest odd number >= kPrecheckLimit.
inline constexpr std::uint64_t kFirstParallelDivisor = kPrecheckLimit | 1;
// More workers than this is a mistake (a fork bomb, or a negative number cast to unsigned).
inline constexpr unsigned kMaxWorkers = 256;
// check_every value meaning "never read the flag" (the search runs to the end of its range).
inline constexpr std::uint64_t kNeverCheck = 0;
// The default the seed notebooks used: read the flag once every 1000 divisions.
inline constexpr std::uint64_t kDefaultCheckEvery = 1000;

// ---------------------------------------------------------------------------------------
// The stop flag, whatever carries it: an atomic in memory (threads), a byte in a shared
// mapping (processes), a key in Redis (processes anywhere). Starts lowered.
class StopFlag {
 public:
  StopFlag() = default;
  StopFlag(const StopFlag&) = delete;
  StopFlag& operator=(const StopFlag&) = delete;
  virtual ~StopFlag() = default;

  // True once some worker raised the flag (since the last clear()).
  [[nodiscard]] virtual bool is_set() = 0;
  // Tells every other worker to stop.
  virtual void raise() = 0;
  // Lowers the flag again, for the next search.
  virtual void clear() = 0;
};

// How the scan of one range ended.
enum class Outcome : std::uint8_t {
  not_found,  // every divisor in the range was tried, none divides n
  found,      // `factor` divides n; this worker raised the flag
  stopped,    // the flag was up: someone else found a divisor, this range is unfinished
};

// Readable names for messages and test output: "not_found", "found", "stopped".
[[nodiscard]] constexpr const char* to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::not_found: return "not_found";
    case Outcome::found: return "found";
    case Outcome::stopped: return "stopped";
  }
  return "invalid";
}

struct RangeResult {
  Outcome outcome = Outcome::not_found;
  std::uint64_t factor = 0;     // the divisor found when outcome == found, else 0
  std::uint64_t divisions = 0;  // how many `n % d` this scan computed
};

// ---------------------------------------------------------------------------------------
// Task 1. Scans the odd divisors d with from <= d < to, in ascending order (an even
// `from` starts at from + 1).
//  - If d divides n: raises `flag` and returns {found, d, divisions so far}.
//  - The flag is read once after every `check_every` divisions (after division
//    check_every, 2 * check_every, ...), before the next one. If it is up, returns
//    {stopped, 0, divisions so far}. check_every == kNeverCheck: the flag is never read.
//  - After the last divisor: {not_found, 0, divisions}. The flag is not read after the
//    last division: there is no next one to call off.
//  - A range with no odd divisor in it (from >= to, or from = to - 1 even) divides
//    nothing and reads no flag: {not_found, 0, 0}.
// Throws std::invalid_argument if from < 3 (1 divides everything, 2 is the parity test,
// not a division), or if to > isqrt(n) + 1 (a divisor above the square root is never
// needed, and a caller that asks for one computed its bound wrongly). The message names
// the bad bound ("from" or "to") and its value.
[[nodiscard]] RangeResult check_range(std::uint64_t n, std::uint64_t from, std::uint64_t to,
                                      StopFlag& flag, std::uint64_t check_every);

// One worker's share of a search and how it ended.
struct WorkerReport {
  Range divisors;  // the odd divisors in [lo, hi) this worker was given
  RangeResult result;
};

// The answer to "is n prime?", with the work that went into it.
struct Verdict {
  bool prime = false;
  std::uint64_t factor = 0;              // a divisor 1 < factor < n when n >= 4 is composite; else 0
  std::uint64_t precheck_divisions = 0;  // divisions of the serial pre-check
  std::vector<WorkerReport> workers;     // one per worker started; empty if the pre-check decided

  // Every division: pre-check plus all workers.
  [[nodiscard]] std::uint64_t divisions() const noexcept {
    std::uint64_t total = precheck_divisions;
    for (const auto& w : workers) total += w.result.divisions;
    return total;
  }
  // The most divisions any one worker did: with one core per worker, this is what the
  // wall-clock time follows.
  [[nodiscard]] std::uint64_t busiest_worker_divisions() const noexcept {
    std::uint64_t most = 0;
    for (const auto& w : workers) most = w.result.divisions > most ? w.result.divisions : most;
    return most;
  }
};

// What is left to do after the serial part of the search.
struct SearchPlan {
  std::uint64_t n = 0;
  bool decided = false;       // true: `verdict` is final, start no worker
  Verdict verdict;            // prime/factor when decided; precheck_divisions always
  std::vector<Range> ranges;  // when not decided: one range of divisors per worker
};

// Task 1. The serial part of a search:
//  - n < 2 is not prime; 2 and 3 are; an even n >= 4 has the factor 2 (no division counted);
//  - the pre-check tries the odd divisors 3, 5, ... up to min(isqrt(n), kPrecheckLimit - 1)
//    (each one counts as a division); a divisor found there decides the answer;
//  - if isqrt(n) < kFirstParallelDivisor, no divisor is left: n is prime;
//  - otherwise the odd divisors kFirstParallelDivisor .. isqrt(n) are split into
//    min(workers, their count) consecutive ranges whose numbers of odd divisors differ by
//    at most one; each range starts at an odd number and the last ends at isqrt(n) + 1.
// Throws std::invalid_argument, whose message names workers, if workers == 0 or
// workers > kMaxWorkers.
[[nodiscard]] SearchPlan plan_search(std::uint64_t n, unsigned workers);

// Task 1. The verdict once every worker has returned: `results[i]` is the result of
// plan.ranges[i]. Composite if some worker found a divisor (the smallest one found
// becomes `factor`), prime if every worker reached the end of its range. The verdict
// keeps plan.verdict's precheck_divisions, and workers[i] is {plan.ranges[i], results[i]}.
// A decided plan has no ranges: with no results, it returns plan.verdict unchanged.
// Throws std::invalid_argument if results.size() != plan.ranges.size(), and
// std::runtime_error if some worker stopped although no worker found a divisor (the
// flag was raised by someone else, e.g. left over from an earlier search: no answer).
[[nodiscard]] Verdict conclude(const SearchPlan& plan, std::span<const RangeResult> results);

// ---------------------------------------------------------------------------------------
// Task 2. The flag for threads of one process: a std::atomic<bool>.
class AtomicStopFlag final : public StopFlag {
 public:
  AtomicStopFlag() = default;
  [[nodiscard]] bool is_set() override;
  void raise() override;
  void clear() override;

 private:
  std::atomic<bool> up_{false};
};

// Task 2. Is n prime? plan_search, then one std::thread (or std::jthread) per range, all
// sharing one AtomicStopFlag, then conclude. Every thread is joined before it returns or
// throws; an exception thrown in a worker is rethrown in the caller.
// Throws std::invalid_argument for a bad `workers` (see plan_search).
[[nodiscard]] Verdict is_prime_threads(std::uint64_t n, unsigned workers,
                                       std::uint64_t check_every = kDefaultCheckEvery);

// ---------------------------------------------------------------------------------------
// Task 3. The flag for forked processes: one byte in a mapping made with
// mmap(nullptr, 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0). A child
// forked after construction shares the same byte with its parent. Read and written with
// std::atomic_ref<unsigned char> (relaxed). Not copyable, not movable.
class SharedStopFlag final : public StopFlag {
 public:
  // Maps the byte (zero: lowered). Throws std::system_error if mmap fails.
  SharedStopFlag();
  // Unmaps it.
  ~SharedStopFlag() override;
  [[nodiscard]] bool is_set() override;
  void raise() override;
  void clear() override;

 private:
  unsigned char* byte_ = nullptr;
};

// Task 3. Is n prime? plan_search, then one forked child process per range, all sharing
// one SharedStopFlag; each child sends its RangeResult back to the parent (through a
// shared mapping or a pipe: your choice) and leaves with _exit (parlab::ChildProcess).
// Every child is reaped and every mapping and fd released before it returns or throws.
// A child that dies without a result becomes a std::runtime_error naming the worker by its
// index ("worker 1") and how it ended, as ExitStatus::describe() words it ("killed by
// signal 9 (SIGKILL, Killed)"). Throws std::invalid_argument for a bad `workers`.
[[nodiscard]] Verdict is_prime_processes(std::uint64_t n, unsigned workers,
                                         std::uint64_t check_every = kDefaultCheckEvery);

// ---------------------------------------------------------------------------------------
// Task 4. Where the Redis flag lives.
struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string key = "parlab:lab04:stop";  // the flag: "0" lowered, "1" raised
};

// Task 4. The flag as a Redis key, through hiredis: is_set() is GET key == "1", raise()
// is SET key 1, clear() is SET key 0. Each object owns one connection (redisContext);
// a connection is never shared between processes, so every child opens its own.
class RedisStopFlag final : public StopFlag {
 public:
  // Connects (with a timeout of a few seconds). Throws std::invalid_argument, whose
  // message names the key or the port, if the key is empty or the port is not in
  // 1..65535, and std::runtime_error naming host:port if
  // the server cannot be reached. Does not touch the key.
  explicit RedisStopFlag(RedisEndpoint endpoint);
  // Closes the connection (redisFree).
  ~RedisStopFlag() override;
  // Each throws std::runtime_error naming the endpoint (host:port) if Redis answers with
  // an error (e.g. WRONGTYPE when the key holds a list) or the connection is lost.
  [[nodiscard]] bool is_set() override;
  void raise() override;
  void clear() override;

  [[nodiscard]] const RedisEndpoint& endpoint() const noexcept { return endpoint_; }

 private:
  RedisEndpoint endpoint_;
  redisContext* context_ = nullptr;
};

// Task 4. Is n prime? Like is_prime_processes, with the flag in Redis at `endpoint`. The
// call first connects and resets the key to "0", whatever n is (a flag left up by an
// earlier call must not stop this one), and leaves it "1" if a worker found a divisor,
// "0" otherwise. Every connection
// it opened is closed before it returns or throws.
// Throws std::invalid_argument for a bad `workers` (checked first, before any
// connection), port or key, and std::runtime_error if Redis cannot be reached.
[[nodiscard]] Verdict is_prime_redis(std::uint64_t n, unsigned workers, const RedisEndpoint& endpoint,
                                     std::uint64_t check_every = kDefaultCheckEvery);

}  // namespace parlab::lab04
