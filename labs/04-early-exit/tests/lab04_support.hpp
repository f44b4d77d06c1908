#pragma once
// Lab 04 test helpers, shared by the visible and the hidden tests.
//
// The tests call the lab's code (check_range, the flags, plan_search, is_prime_*) only
// inside parlab_test::isolated(), in a forked child, and check what it returns here.

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "parlab/lab04/early_exit.hpp"
#include "parlab_test/isolated.hpp"

// How a RangeResult, a Verdict and a SearchPlan cross isolated() (as JSON; a Range is [lo, hi]).
namespace parlab::lab04 {

inline void to_json(nlohmann::json& j, const RangeResult& r) {
  j = {{"outcome", r.outcome}, {"factor", r.factor}, {"divisions", r.divisions}};
}
inline void from_json(const nlohmann::json& j, RangeResult& r) {
  j.at("outcome").get_to(r.outcome);
  j.at("factor").get_to(r.factor);
  j.at("divisions").get_to(r.divisions);
}

inline nlohmann::json range_to_json(Range r) { return {r.lo, r.hi}; }
inline Range range_from_json(const nlohmann::json& j) { return {j.at(0).get<std::uint64_t>(), j.at(1).get<std::uint64_t>()}; }

inline void to_json(nlohmann::json& j, const WorkerReport& w) { j = {{"divisors", range_to_json(w.divisors)}, {"result", w.result}}; }
inline void from_json(const nlohmann::json& j, WorkerReport& w) {
  w.divisors = range_from_json(j.at("divisors"));
  j.at("result").get_to(w.result);
}

inline void to_json(nlohmann::json& j, const Verdict& v) {
  j = {{"prime", v.prime}, {"factor", v.factor}, {"precheck_divisions", v.precheck_divisions}, {"workers", v.workers}};
}
inline void from_json(const nlohmann::json& j, Verdict& v) {
  j.at("prime").get_to(v.prime);
  j.at("factor").get_to(v.factor);
  j.at("precheck_divisions").get_to(v.precheck_divisions);
  j.at("workers").get_to(v.workers);
}

inline void to_json(nlohmann::json& j, const SearchPlan& p) {
  nlohmann::json ranges = nlohmann::json::array();
  for (const Range r : p.ranges) ranges.push_back(range_to_json(r));
  j = {{"n", p.n}, {"decided", p.decided}, {"verdict", p.verdict}, {"ranges", ranges}};
}
inline void from_json(const nlohmann::json& j, SearchPlan& p) {
  j.at("n").get_to(p.n);
  j.at("decided").get_to(p.decided);
  j.at("verdict").get_to(p.verdict);
  p.ranges.clear();
  for (const auto& r : j.at("ranges")) p.ranges.push_back(range_from_json(r));
}

}  // namespace parlab::lab04

namespace lab04_test {

// The numbers of the curriculum, with their smallest factors.
inline constexpr std::uint64_t kSmallComposite = 112272535095295;   // 5 * 109 * 206004651551
inline constexpr std::uint64_t kComposite1 = 100109100129100369;    // 95362951 * 1049769319
inline constexpr std::uint64_t kComposite1Factor = 95362951;
inline constexpr std::uint64_t kComposite2 = 100109100129101027;    // 171656941 * 583192847
inline constexpr std::uint64_t kComposite2Factor = 171656941;
inline constexpr std::uint64_t kSevenComposite = 1109100129100369;  // 7 * 79 * 4993 * 10487 * 38303
inline constexpr std::uint64_t kPrime1 = 100109100129100151;
inline constexpr std::uint64_t kPrime2 = 100109100129162907;
// Early exit, checked in divisions whatever the machine's load: the only factor lies ten
// divisions into the second range, so the finder raises the flag as soon as it first runs,
// while every other worker would need tens of millions of divisions (a second or more of
// CPU even on a fast machine) to finish its range. A scheduler that lets the finder wait a
// whole time slice costs the others a few million divisions at most.
inline constexpr std::uint64_t kEarlyFactorOf2 = 89999379449995859;    // 150000001 * 599995859
inline constexpr std::uint64_t kEarlyFactorOf2Factor = 150000001;      // range 1 of 2 starts at 149999983
inline constexpr std::uint64_t kEarlyFactorOf4 = 846394360629926299;   // 230000003 * 3679975433
inline constexpr std::uint64_t kEarlyFactorOf4Factor = 230000003;      // range 1 of 4 starts at 229999985

// Divisions that serial trial division (odd divisors from 3 upwards) does before it meets
// the odd divisor d.
[[nodiscard]] constexpr std::uint64_t serial_divisions_to(std::uint64_t d) { return (d - 3) / 2 + 1; }

// How often a ScriptedFlag was read and raised.
struct FlagUse {
  std::uint64_t reads = 0;
  std::uint64_t raises = 0;
};

// A flag the test controls: it reads as raised from the `raised_from`-th read on
// (1 = the first read; 0 = never), and counts reads and raises.
class ScriptedFlag final : public parlab::lab04::StopFlag {
 public:
  explicit ScriptedFlag(std::uint64_t raised_from = 0) : raised_from_(raised_from) {}
  bool is_set() override {
    ++reads;
    return raised || (raised_from_ != 0 && reads >= raised_from_);
  }
  void raise() override {
    ++raises;
    raised = true;
  }
  void clear() override { raised = false; }
  [[nodiscard]] FlagUse use() const { return {reads, raises}; }

  std::uint64_t reads = 0;
  std::uint64_t raises = 0;
  bool raised = false;

 private:
  std::uint64_t raised_from_;
};

// One check_range scan and what it did with its ScriptedFlag.
struct Scan {
  parlab::lab04::RangeResult result;
  FlagUse flag;
};

// check_range(n, from, to, flag, check_every) with a fresh ScriptedFlag(raised_from), run in
// an isolated() child; its exception, if any, is thrown here.
inline Scan scan(std::uint64_t n, std::uint64_t from, std::uint64_t to, std::uint64_t check_every,
                 std::uint64_t raised_from = 0) {
  return parlab_test::isolated([=] {
    ScriptedFlag flag(raised_from);
    const parlab::lab04::RangeResult result = parlab::lab04::check_range(n, from, to, flag, check_every);
    return Scan{result, flag.use()};
  });
}

// Runs `call` and ignores an exception of type E (the test checks elsewhere that it is thrown):
// for a child that makes failing calls only to see what they leave behind.
template <class E, class Call>
void ignore_thrown(Call call) {
  try {
    (void)call();
  } catch (const E&) {
  }
}

// Verdicts and what the calls that made them left behind in the process they ran in (a
// parlab_test::ResourceSnapshot's leaks, shared mappings before and after).
struct VerdictAndLeaks {
  std::vector<parlab::lab04::Verdict> verdicts;
  std::string leaks;
  int mappings_before = 0;
  int mappings_after = 0;
};
inline void to_json(nlohmann::json& j, const VerdictAndLeaks& r) {
  j = {{"verdicts", r.verdicts}, {"leaks", r.leaks}, {"mappings_before", r.mappings_before}, {"mappings_after", r.mappings_after}};
}
inline void from_json(const nlohmann::json& j, VerdictAndLeaks& r) {
  j.at("verdicts").get_to(r.verdicts);
  j.at("leaks").get_to(r.leaks);
  j.at("mappings_before").get_to(r.mappings_before);
  j.at("mappings_after").get_to(r.mappings_after);
}

// Shared mappings of this process (the 's' in the permissions column of
// /proc/self/maps): a SharedStopFlag that is never unmapped shows up here.
[[nodiscard]] inline int shared_mappings() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  int count = 0;
  while (std::getline(maps, line)) {
    std::istringstream fields(line);
    std::string range, perms;
    fields >> range >> perms;
    if (perms.size() == 4 && perms[3] == 's') ++count;
  }
  return count;
}

// "n = 91: prime = false, factor = 7, 3 divisions in 0 workers" for CAPTURE / INFO.
[[nodiscard]] inline std::string describe(std::uint64_t n, const parlab::lab04::Verdict& v) {
  std::ostringstream out;
  out << "n = " << n << ": prime = " << (v.prime ? "true" : "false") << ", factor = " << v.factor
      << ", pre-check " << v.precheck_divisions << " divisions";
  for (std::size_t i = 0; i < v.workers.size(); ++i) {
    const auto& w = v.workers[i];
    out << "; worker " << i << " " << w.divisors << ": " << parlab::lab04::to_string(w.result.outcome)
        << " after " << w.result.divisions << " divisions";
    if (w.result.outcome == parlab::lab04::Outcome::found) out << " (factor " << w.result.factor << ")";
  }
  return out.str();
}

// Odd numbers in [r.lo, r.hi) when r.lo is odd: the divisions a full scan of r costs.
[[nodiscard]] constexpr std::uint64_t odd_count(parlab::Range r) {
  return r.hi > r.lo ? (r.hi - r.lo + 1) / 2 : 0;
}

}  // namespace lab04_test

namespace lab04_test {

// Numbers every transport must answer, cheap enough for any worker count.
struct KnownAnswer {
  std::uint64_t n;
  bool prime;
  std::uint64_t factor;  // the only divisor a search can find below isqrt(n), or 0 where
                         // several exist (then any proper divisor is right)
};

inline const std::vector<KnownAnswer>& cheap_answers() {
  static const std::vector<KnownAnswer> answers = {
      {0, false, 0},
      {1, false, 0},
      {2, true, 0},
      {3, true, 0},
      {4, false, 2},
      {6, false, 2},
      {9, false, 3},
      {1'000'000'000'000'000'000, false, 2},
      {18446744073709551614u, false, 2},        // 2^64 - 2
      {18446744073709551615u, false, 3},        // 2^64 - 1
      {kSmallComposite, false, 5},
      {kSevenComposite, false, 7},
      {1'000'003, true, 0},                     // prime, decided by the pre-check
      {1'018'081, false, 1009},                 // 1009^2: the factor is the last divisor
      {1'000'006'000'009, false, 1'000'003},    // 1000003^2
      {1'000'000'000'039, true, 0},
      {18446744073709551571u, false, 0},        // 2^64 - 45 = 11071 * ...
      {18446744073709551461u, false, 0},        // 2^64 - 155 = 76511 * ...
  };
  return answers;
}

}  // namespace lab04_test

namespace lab04_test {

// Empty if `v` is a right answer for `want` and its bookkeeping adds up: the workers got
// exactly the ranges plan_search (run in an isolated() child) hands out, none did more divisions than its range
// holds, a `found` worker's factor divides n, a `not_found` one scanned its whole range.
[[nodiscard]] inline std::string verdict_problems(const KnownAnswer& want, unsigned workers,
                                                  const parlab::lab04::Verdict& v) {
  using parlab::lab04::Outcome;
  std::ostringstream out;
  const std::uint64_t n = want.n;
  if (v.prime != want.prime) out << "prime = " << v.prime << ", expected " << want.prime << ". ";
  if (!want.prime && n >= 4) {
    if (v.factor <= 1 || v.factor >= n || n % v.factor != 0) {
      out << "factor " << v.factor << " is not a proper divisor. ";
    } else if (want.factor != 0 && v.factor != want.factor) {
      out << "factor " << v.factor << ", expected " << want.factor << ". ";
    }
  }
  if (want.prime && v.factor != 0) out << "a prime with factor " << v.factor << ". ";
  const auto plan = parlab_test::isolated([&] { return parlab::lab04::plan_search(n, workers); });
  if (v.workers.size() != plan.ranges.size()) {
    out << v.workers.size() << " worker reports for " << plan.ranges.size() << " ranges. ";
  } else {
    for (std::size_t i = 0; i < v.workers.size(); ++i) {
      const auto& w = v.workers[i];
      if (!(w.divisors == plan.ranges[i])) out << "worker " << i << " has range " << w.divisors << ". ";
      const std::uint64_t full = odd_count(plan.ranges[i]);
      if (w.result.divisions > full) out << "worker " << i << " did more divisions than its range holds. ";
      if (w.result.outcome == Outcome::not_found && w.result.divisions != full) {
        out << "worker " << i << " reports not_found after " << w.result.divisions << " of " << full << " divisions. ";
      }
      if (w.result.outcome == Outcome::found && (w.result.factor == 0 || n % w.result.factor != 0)) {
        out << "worker " << i << " found " << w.result.factor << ", which does not divide n. ";
      }
    }
  }
  if (v.precheck_divisions != plan.verdict.precheck_divisions) {
    out << "pre-check divisions " << v.precheck_divisions << ", expected " << plan.verdict.precheck_divisions << ". ";
  }
  const std::string problems = out.str();
  return problems.empty() ? problems : describe(n, v) + "\n  " + problems;
}

}  // namespace lab04_test

namespace lab04_test {

// Empty if the search exited early: worker `finder` found the divisor, every other worker
// stopped before the end of its range, and all of them together did less work than
// serial trial division does to reach the same divisor.
[[nodiscard]] inline std::string early_exit_problems(std::uint64_t n, const parlab::lab04::Verdict& v,
                                                     std::size_t finder, std::uint64_t factor) {
  using parlab::lab04::Outcome;
  std::ostringstream out;
  for (std::size_t i = 0; i < v.workers.size(); ++i) {
    const auto& w = v.workers[i];
    if (i == finder) {
      if (w.result.outcome != Outcome::found || w.result.factor != factor) out << "worker " << i << " did not find " << factor << ". ";
    } else if (w.result.outcome != Outcome::stopped || w.result.divisions >= odd_count(w.divisors)) {
      out << "worker " << i << " did not stop early. ";
    }
  }
  if (v.workers.size() <= finder) out << "only " << v.workers.size() << " workers. ";
  if (v.divisions() >= serial_divisions_to(factor)) {
    out << v.divisions() << " divisions in all, not fewer than serial trial division's " << serial_divisions_to(factor) << ". ";
  }
  const std::string problems = out.str();
  return problems.empty() ? problems : describe(n, v) + "\n  " + problems;
}

// Early exit depends on the scheduler: on a busy machine one worker may wait for a core
// while another runs. A search that never reads its flag fails every attempt; a correct
// one passes at least one of `attempts` with near certainty.
// early_exit_attempts: the verdicts of up to `attempts` calls of `search`, up to the first
// that exits early. It calls the search where it runs: inside an isolated() call.
template <class Search>
[[nodiscard]] std::vector<parlab::lab04::Verdict> early_exit_attempts(std::uint64_t n, std::size_t finder, std::uint64_t factor,
                                                                      Search search, int attempts = 3) {
  std::vector<parlab::lab04::Verdict> verdicts;
  for (int i = 0; i < attempts; ++i) {
    verdicts.push_back(search());
    if (early_exit_problems(n, verdicts.back(), finder, factor).empty()) break;
  }
  return verdicts;
}

// Empty if one of the attempts exited early, else the problems of the last one (judged here,
// in the test process, whatever the child that made them thought of them).
[[nodiscard]] inline std::string early_exit_in_some(const std::vector<parlab::lab04::Verdict>& verdicts, std::uint64_t n,
                                                    std::size_t finder, std::uint64_t factor) {
  std::string problems = verdicts.empty() ? "no attempt was made. " : "";
  for (const auto& v : verdicts) {
    problems = early_exit_problems(n, v, finder, factor);
    if (problems.empty()) break;
  }
  return problems;
}

// Up to `attempts` searches, all in one isolated() child; empty if one of them exited early,
// else the last one's problems.
template <class Search>
[[nodiscard]] std::string early_exit_in_some_attempt(std::uint64_t n, std::size_t finder, std::uint64_t factor,
                                                     Search search, int attempts = 3) {
  const auto verdicts = parlab_test::isolated([&] { return early_exit_attempts(n, finder, factor, search, attempts); });
  return early_exit_in_some(verdicts, n, finder, factor);
}

}  // namespace lab04_test
