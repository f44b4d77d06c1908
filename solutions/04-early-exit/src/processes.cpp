// Lab 04, task 3 (reference): early exit for processes with one byte of shared memory.
#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <sys/mman.h>

#include "parlab/child_process.hpp"
#include "parlab/lab04/early_exit.hpp"

namespace parlab::lab04 {

namespace {

void* map_shared(std::size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap (MAP_SHARED | MAP_ANONYMOUS)");
  return p;
}

// One RangeResult per worker in memory that parent and children share: each child
// writes its own slot, the parent reads them all after reaping the children.
class SharedResults {
 public:
  explicit SharedResults(std::size_t count)
      : count_(count), slots_(static_cast<RangeResult*>(map_shared(bytes()))) {
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
  RangeResult* slots_;
};

}  // namespace

SharedStopFlag::SharedStopFlag() : byte_(static_cast<unsigned char*>(map_shared(1))) {}

SharedStopFlag::~SharedStopFlag() { ::munmap(byte_, 1); }

// std::atomic_ref makes every access a real load or store the compiler may not merge or
// hoist out of the loop; relaxed is enough for a flag that carries no data.
bool SharedStopFlag::is_set() { return std::atomic_ref<unsigned char>(*byte_).load(std::memory_order_relaxed) != 0; }
void SharedStopFlag::raise() { std::atomic_ref<unsigned char>(*byte_).store(1, std::memory_order_relaxed); }
void SharedStopFlag::clear() { std::atomic_ref<unsigned char>(*byte_).store(0, std::memory_order_relaxed); }

Verdict is_prime_processes(std::uint64_t n, unsigned workers, std::uint64_t check_every) {
  const SearchPlan plan = plan_search(n, workers);
  if (plan.decided) return conclude(plan, {});

  SharedStopFlag flag;  // a fresh mapping per call: starts lowered
  const std::size_t count = plan.ranges.size();
  SharedResults slots(count);
  std::vector<ChildProcess> children;  // their destructors kill and reap, whatever happens
  children.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    children.push_back(ChildProcess::fork([&, i] {
      slots[i] = check_range(n, plan.ranges[i].lo, plan.ranges[i].hi, flag, check_every);
      return 0;
    }));
  }
  std::string failures;
  for (std::size_t i = 0; i < count; ++i) {
    const ExitStatus status = children[i].wait();
    if (!status.success()) {
      flag.raise();  // no answer without this worker: let the others stop early
      failures += (failures.empty() ? "" : "; ") + std::string("worker ") + std::to_string(i) + " " +
                  status.describe();
    }
  }
  if (!failures.empty()) {
    throw std::runtime_error("is_prime_processes(" + std::to_string(n) + "): " + failures +
                             " before reporting a result");
  }
  const std::vector<RangeResult> results = slots.copy();
  return conclude(plan, results);
}

}  // namespace parlab::lab04
