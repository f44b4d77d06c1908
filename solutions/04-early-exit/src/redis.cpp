// Lab 04, task 4 (reference): early exit for processes with the flag in Redis.
#include <cerrno>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <hiredis/hiredis.h>
#include <sys/mman.h>
#include <sys/time.h>

#include "parlab/child_process.hpp"
#include "parlab/lab04/early_exit.hpp"

namespace parlab::lab04 {

namespace {

std::string where(const RedisEndpoint& e) { return e.host + ":" + std::to_string(e.port); }

struct ReplyDeleter {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

// Runs one command; the key is always an argument (%s), never part of the format.
Reply command(redisContext* ctx, const RedisEndpoint& e, const char* format, const char* arg1,
              const char* arg2 = nullptr) {
  void* raw = arg2 == nullptr ? redisCommand(ctx, format, arg1) : redisCommand(ctx, format, arg1, arg2);
  Reply reply(static_cast<redisReply*>(raw));
  if (!reply) {
    throw std::runtime_error("Redis at " + where(e) + ": the connection failed (" +
                             (ctx->err != 0 ? std::string(ctx->errstr) : std::string("no reply")) + ")");
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    throw std::runtime_error("Redis at " + where(e) + " answered with an error: " +
                             std::string(reply->str, reply->len));
  }
  return reply;
}

// One RangeResult per worker in a shared mapping (as in task 3): the flag travels through
// Redis, the results through memory the children share with their parent.
class SharedResults {
 public:
  explicit SharedResults(std::size_t count) : count_(count) {
    void* p = ::mmap(nullptr, bytes(), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    slots_ = static_cast<RangeResult*>(p);
    for (std::size_t i = 0; i < count_; ++i) slots_[i] = RangeResult{};
  }
  ~SharedResults() { ::munmap(slots_, bytes()); }
  SharedResults(const SharedResults&) = delete;
  SharedResults& operator=(const SharedResults&) = delete;

  RangeResult& operator[](std::size_t i) noexcept { return slots_[i]; }
  [[nodiscard]] std::vector<RangeResult> copy() const { return {slots_, slots_ + count_}; }

 private:
  [[nodiscard]] std::size_t bytes() const noexcept { return count_ * sizeof(RangeResult); }
  std::size_t count_;
  RangeResult* slots_ = nullptr;
};

}  // namespace

RedisStopFlag::RedisStopFlag(RedisEndpoint endpoint) : endpoint_(std::move(endpoint)) {
  if (endpoint_.key.empty()) throw std::invalid_argument("RedisStopFlag: the key is empty");
  if (endpoint_.port < 1 || endpoint_.port > 65535) {
    throw std::invalid_argument("RedisStopFlag: port " + std::to_string(endpoint_.port) +
                                " is not in 1..65535");
  }
  const timeval timeout{5, 0};
  context_ = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, timeout);
  if (context_ == nullptr || context_->err != 0) {
    const std::string why = context_ != nullptr ? context_->errstr : "out of memory";
    if (context_ != nullptr) redisFree(context_);
    context_ = nullptr;
    throw std::runtime_error("cannot connect to Redis at " + where(endpoint_) + ": " + why);
  }
}

RedisStopFlag::~RedisStopFlag() {
  if (context_ != nullptr) redisFree(context_);
}

bool RedisStopFlag::is_set() {
  const Reply r = command(context_, endpoint_, "GET %s", endpoint_.key.c_str());
  return r->type == REDIS_REPLY_STRING && std::string(r->str, r->len) == "1";
}

void RedisStopFlag::raise() { (void)command(context_, endpoint_, "SET %s %s", endpoint_.key.c_str(), "1"); }

void RedisStopFlag::clear() { (void)command(context_, endpoint_, "SET %s %s", endpoint_.key.c_str(), "0"); }

Verdict is_prime_redis(std::uint64_t n, unsigned workers, const RedisEndpoint& endpoint,
                       std::uint64_t check_every) {
  const SearchPlan plan = plan_search(n, workers);  // validates workers before any connection
  RedisStopFlag parent(endpoint);
  parent.clear();  // whatever an earlier search left behind
  if (plan.decided) return conclude(plan, {});

  const std::size_t count = plan.ranges.size();
  SharedResults slots(count);
  std::vector<ChildProcess> children;
  children.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    children.push_back(ChildProcess::fork([&, i] {
      RedisStopFlag flag(endpoint);  // this child's own connection
      slots[i] = check_range(n, plan.ranges[i].lo, plan.ranges[i].hi, flag, check_every);
      return 0;
    }));
  }
  std::string failures;
  for (std::size_t i = 0; i < count; ++i) {
    const ExitStatus status = children[i].wait();
    if (!status.success()) {
      parent.raise();
      failures += (failures.empty() ? "" : "; ") + std::string("worker ") + std::to_string(i) + " " +
                  status.describe();
    }
  }
  if (!failures.empty()) {
    throw std::runtime_error("is_prime_redis(" + std::to_string(n) + "): " + failures +
                             " before reporting a result");
  }
  const std::vector<RangeResult> results = slots.copy();
  return conclude(plan, results);
}

}  // namespace parlab::lab04
