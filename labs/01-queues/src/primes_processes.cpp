// Lab 01, task 4: the prime pipeline on forked processes.
#include <algorithm>
#include <vector>

#include <poll.h>
#include <unistd.h>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab/lab01/pipeline.hpp"
#include "parlab/todo.hpp"

namespace parlab::lab01 {

std::vector<std::uint64_t> primes_processes(unsigned workers, std::uint64_t n, std::uint64_t chunk,
                                            const RangeFunction& find) {
  // TODO (task 4): one task pipe shared by all workers (TaskRecords), one result pipe per
  // worker (FrameHeader + payload). Fork the workers with parlab::ChildProcess; in each
  // child and in the parent, close every pipe end that side does not use. Feed tasks and
  // read results at the same time (poll), or the pipes can fill up and deadlock. A result
  // pipe that reaches end-of-file before its "finished" frame means the worker died:
  // throw WorkerDied. Wait for every child.
  (void)workers, (void)n, (void)chunk, (void)find;
  todo("primes_processes (lab 01, task 4)");
}

}  // namespace parlab::lab01
