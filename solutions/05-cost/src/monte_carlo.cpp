// Lab 05, task 3: Monte Carlo pi on threads and processes (reference solution).
#include "parlab/lab05/monte_carlo.hpp"

#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"

namespace parlab::lab05 {
namespace {

void validate(const char* who, std::uint64_t samples, unsigned workers) {
  if (samples == 0) throw std::invalid_argument(std::string(who) + ": samples must be at least 1");
  if (workers == 0) throw std::invalid_argument(std::string(who) + ": workers must be at least 1");
}

}  // namespace

std::uint64_t worker_seed(std::uint64_t seed, unsigned worker) {
  // For one seed, (worker + 1) * odd constant is different for every worker, and mix64 is a
  // bijection: no two workers share a stream. Mixing the seed first means that neighbouring
  // seeds do not give overlapping worker sets, as seed + worker would.
  return mix64(mix64(seed) + (std::uint64_t{worker} + 1) * 0x9e3779b97f4a7c15ULL);
}

std::uint64_t count_inside(std::uint64_t samples, std::uint64_t stream_seed) {
  Rng rng(stream_seed);
  std::uint64_t inside = 0;
  for (std::uint64_t i = 0; i < samples; ++i) {
    const double x = rng.uniform();
    const double y = rng.uniform();
    inside += x * x + y * y <= 1.0 ? 1 : 0;
  }
  return inside;
}

PiEstimate estimate_pi_threads(std::uint64_t samples, unsigned workers, std::uint64_t seed) {
  validate("estimate_pi_threads", samples, workers);
  std::vector<std::uint64_t> counts(workers, 0);  // one slot per worker: nothing is shared
  {
    std::vector<std::jthread> threads;
    threads.reserve(workers);
    for (unsigned w = 0; w < workers; ++w) {
      threads.emplace_back([&counts, samples, workers, seed, w] {
        counts[w] = count_inside(worker_share(samples, workers, w), worker_seed(seed, w));
      });
    }
  }  // every jthread joins here, also when starting one of them threw
  PiEstimate result{samples, 0, workers};
  for (const std::uint64_t c : counts) result.inside += c;
  return result;
}

PiEstimate estimate_pi_processes(std::uint64_t samples, unsigned workers, std::uint64_t seed) {
  validate("estimate_pi_processes", samples, workers);
  std::vector<UniqueFd> results;  // read ends, one per worker
  std::vector<ChildProcess> children;
  results.reserve(workers);
  children.reserve(workers);
  for (unsigned w = 0; w < workers; ++w) {
    Pipe pipe = Pipe::create();
    children.push_back(ChildProcess::fork([&] {
      pipe.read_end.reset();
      for (auto& earlier : results) earlier.reset();  // other workers' pipes are none of our business
      write_value(pipe.write_end.get(), count_inside(worker_share(samples, workers, w), worker_seed(seed, w)));
      return 0;
    }));
    pipe.write_end.reset();
    results.push_back(std::move(pipe.read_end));
  }

  PiEstimate result{samples, 0, workers};
  for (unsigned w = 0; w < workers; ++w) {
    std::uint64_t count = 0;
    const bool got = read_value(results[w].get(), count);
    results[w].reset();
    const ExitStatus status = children[w].wait();
    if (!got || !status.success()) {
      throw std::runtime_error("estimate_pi_processes: worker " + std::to_string(w) +
                               (got ? " sent its count but its process " : " sent no count, and its process ") +
                               (status.exited ? "" : "was ") + status.describe());
    }
    result.inside += count;
  }
  return result;
}

}  // namespace parlab::lab05
