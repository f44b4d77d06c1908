#pragma once
// Lab 02, given code (read it, do not edit it): run a list of chunks on worker threads
// and record who did what, or simulate the same schedule under a cost model.
//
// The executor measures real time, so its numbers move with the machine's load. The
// simulator is deterministic: it is what grading uses to judge how well a chunking
// balances the work.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "parlab/range.hpp"

namespace parlab::lab02 {

// How chunks are handed to workers.
enum class Assignment {
  dynamic,      // an idle worker takes the next chunk in order (one shared counter)
  round_robin,  // static: chunk i goes to worker i mod N, decided before anything runs
  blocks,       // static: worker w gets the contiguous chunks [w*K/N, (w+1)*K/N)
};
[[nodiscard]] std::string_view to_string(Assignment a) noexcept;

// max / mean of the loads: 1.0 is perfect balance, 2.0 means the busiest worker did
// twice the average. Returns 1.0 when every load is 0 (nothing to balance).
// Throws std::invalid_argument for an empty span or a negative load.
[[nodiscard]] double imbalance(std::span<const double> loads);

// Empty if `chunks` is a valid chunking of r: ascending, no gap, no overlap, no empty
// chunk, first starts at r.lo, last ends at r.hi (no chunks at all for an empty r).
// Otherwise one sentence describing the first problem found.
[[nodiscard]] std::string describe_cover_problem(Range r, std::span<const Range> chunks);

// ---- The cost model and the simulator ------------------------------------------------

// The cost of a chunk when one number x costs x^exponent, plus a fixed cost per chunk
// (handing a chunk to a worker is never free):
//     cost([lo, hi)) = per_chunk + integral from lo to hi of x^exponent dx.
// Computed without cancellation, so chunks near 2^63 get accurate costs too.
struct PowerLawCost {
  double exponent = 0.5;
  double per_chunk = 0.0;
  [[nodiscard]] double operator()(Range r) const;
};
using CostModel = std::function<double(Range)>;

struct SimulatedWorker {
  double load = 0.0;                // total cost of the chunks it ran
  std::vector<std::size_t> chunks;  // their indices, in the order it ran them
};

struct Simulation {
  std::vector<SimulatedWorker> workers;
  double makespan = 0.0;   // when the last worker finishes: the largest load
  double mean_load = 0.0;
  double imbalance = 1.0;  // makespan / mean_load
};

// Replays a schedule without running anything. With Assignment::dynamic, chunks are
// taken in order, each by the worker that becomes free first (ties: the lowest worker
// number), which is what real threads pulling from a shared counter approximate.
// Throws std::invalid_argument if workers == 0.
[[nodiscard]] Simulation simulate(std::span<const Range> chunks, unsigned workers,
                                  const CostModel& cost,
                                  Assignment assignment = Assignment::dynamic);

// ---- The executor: real threads --------------------------------------------------------

// The work done for one chunk; its return value is summed (e.g. the primes counted).
using ChunkWork = std::function<std::uint64_t(Range)>;

struct ChunkRun {
  std::size_t index = 0;     // position in the chunk list
  Range range;
  double start = 0.0;        // seconds since the executor started
  double end = 0.0;
  std::uint64_t result = 0;  // what the work returned
};

struct WorkerRecord {
  double busy = 0.0;           // seconds spent inside the work function
  std::vector<ChunkRun> runs;  // in the order this worker ran them
};

struct Execution {
  std::vector<WorkerRecord> workers;
  double wall = 0.0;        // seconds from start until the last worker finished
  std::uint64_t total = 0;  // sum of every chunk's result
  // max busy / mean busy over the workers.
  [[nodiscard]] double imbalance() const;
  [[nodiscard]] std::size_t chunks_run() const noexcept;
};

// Runs every chunk once on `workers` threads and records, per worker, its busy time and
// each chunk it ran with start and end times. If `work` throws, the other workers stop
// taking new chunks, every thread is joined, and the first exception is rethrown.
// Throws std::invalid_argument if workers == 0.
[[nodiscard]] Execution execute(std::span<const Range> chunks, unsigned workers,
                                const ChunkWork& work,
                                Assignment assignment = Assignment::dynamic);

// The chunk indices worker `worker` runs, in order, under a static assignment
// (round_robin or blocks) of `count` chunks to `workers` workers. The simulator and the
// executor both use it, so they always agree on who runs what.
// Throws std::invalid_argument for Assignment::dynamic, workers == 0 or worker >= workers.
[[nodiscard]] std::vector<std::size_t> static_share(Assignment assignment, std::size_t count,
                                                    unsigned workers, unsigned worker);

}  // namespace parlab::lab02
