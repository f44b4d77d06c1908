#pragma once
// Lab 01 test helpers, shared by the visible and the hidden tests. The tests call the
// queue and the pipelines only inside parlab_test::isolated() (a forked child) and check
// what the child hands back; these helpers turn what happened there -- an exception, a
// result message -- into plain values that can cross back to the test process.

#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "parlab/lab01/pipeline.hpp"

namespace lab01_test {

// What came of `call`, in words a CHECK in the test process can compare: `expected_name`
// when it threw an Expected (or a type derived from it), otherwise what it did instead.
template <class Expected, class Call>
std::string outcome_of(Call&& call, const std::string& expected_name) {
  try {
    std::forward<Call>(call)();
    return "returned normally";
  } catch (const Expected&) {
    return expected_name;
  } catch (const std::exception& e) {
    return std::string("threw another exception: ") + e.what();
  } catch (...) {
    return "threw something that is not a std::exception";
  }
}

// The message of what `call` threw (for a check on the text), or "returned normally".
template <class Call>
std::string message_of(Call&& call) {
  try {
    std::forward<Call>(call)();
    return "returned normally";
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "threw something that is not a std::exception";
  }
}

// One ResultMessage as plain fields: which alternative it was and what it carried.
struct SeenResult {
  std::string kind;  // "PrimeBatch", "WorkerFinished" or "WorkerFailed"
  unsigned worker = 0;
  std::vector<std::uint64_t> primes;  // a PrimeBatch's primes
  std::string error;                  // a WorkerFailed's exception message
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SeenResult, kind, worker, primes, error)

inline SeenResult seen(const parlab::lab01::ResultMessage& message) {
  using namespace parlab::lab01;
  if (const auto* batch = std::get_if<PrimeBatch>(&message)) return {"PrimeBatch", batch->worker, batch->primes, ""};
  if (const auto* finished = std::get_if<WorkerFinished>(&message)) return {"WorkerFinished", finished->worker, {}, ""};
  const auto& failed = std::get<WorkerFailed>(message);
  // (rethrowing an empty exception_ptr is undefined: say what it was instead)
  const std::string error = failed.error ? message_of([&] { std::rethrow_exception(failed.error); }) : "an empty exception_ptr";
  return {"WorkerFailed", failed.worker, {}, error};
}

// Pops messages from `results` one at a time, `kinds` being the kind expected at each place,
// as a test that REQUIREs each message's kind would: it stops after the first message of
// another kind, so that a wrong message never leaves the child waiting for one that will
// not come. The test process then checks the kinds and the contents.
inline std::vector<SeenResult> pop_expecting(parlab::lab01::BlockingQueue<parlab::lab01::ResultMessage>& results,
                                             const std::vector<std::string>& kinds) {
  std::vector<SeenResult> popped;
  for (const auto& kind : kinds) {
    popped.push_back(seen(results.pop()));
    if (popped.back().kind != kind) break;
  }
  return popped;
}

// What a pipeline returned, and the fds and children it left behind in the process it ran in.
struct PrimesAndLeaks {
  std::vector<std::uint64_t> primes;
  std::string leaks;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PrimesAndLeaks, primes, leaks)

}  // namespace lab01_test
