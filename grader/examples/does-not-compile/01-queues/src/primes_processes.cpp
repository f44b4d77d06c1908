// Lab 01, task 4 (reference): the prime pipeline on forked processes.
#include <algorithm>
#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "parlab/child_process.hpp"
#include "parlab/fd.hpp"
#include "parlab/lab01/pipeline.hpp"

namespace parlab::lab01 {
namespace {

// Up to this many records go out in one write(). It stays <= PIPE_BUF bytes, so the
// kernel writes it whole or not at all, and no reader can ever see part of a record.
constexpr std::size_t kRecordsPerWrite = PIPE_BUF / sizeof(TaskRecord);

void send_frame(int fd, FrameKind kind, unsigned worker, std::span<const std::byte> payload,
                std::uint64_t count) {
  write_value(fd, FrameHeader{kind, worker, count});
  write_all(fd, payload);
}

// The body of worker process `worker`. Returns the child's exit code.
int worker_main(unsigned worker, int task_fd, int result_fd, const RangeFunction& find) {
  TaskRecord record;
  while (read_value(task_fd, record)) {
    if (record.is_pill != 0) {
      send_frame(result_fd, FrameKind::finished, worker, {}, 0);
      return 0;
    }
    std::vector<std::uint64_t> primes;
    try {
      primes = find(Range{record.lo, record.hi});
    } catch (const std::exception& e) {
      const std::string what = e.what();
      send_frame(result_fd, FrameKind::failed, worker, std::as_bytes(std::span(what)), what.size());
      return 1;
    }
    if (!primes.empty()) {
      send_frame(result_fd, FrameKind::primes, worker, std::as_bytes(std::span(primes)), primes.size());
    }
  }
  return 2;  // the task pipe closed without a pill: the parent is gone
}

// Reads exactly bytes.size() bytes from a worker's result pipe. False when the pipe ends
// first, cleanly or in the middle of a frame: either way the worker is gone.
bool read_from_worker(int fd, std::span<std::byte> bytes) {
  try {
    return read_exact(fd, bytes);
  } catch (const std::runtime_error&) {
    return false;
  }
}

struct Worker {
  ChildProcess process;
  UniqueFd results;  // read end of this worker's result pipe
  bool finished = false;
};

// Builds the error for a worker whose result pipe closed before its finished frame.
WorkerDied died_early(unsigned index, Worker& w) {
  const pid_t pid = w.process.pid();
  // It closed its pipe, so it is exiting; give it a moment to be reapable.
  std::optional<ExitStatus> status;
  for (int i = 0; i < 200 && !(status = w.process.try_wait()); ++i) ::usleep(5000);
  const std::string how = status ? status->describe() : "closed its result pipe but is still running";
  return WorkerDied("primes_processes: worker " + std::to_string(index) + " (pid " +
                    std::to_string(pid) + ") " + how + " before sending its finished marker");
}

}  // namespace

std::vector<std::uint64_t> primes_processes(unsigned workers, std::uint64_t n, std::uint64_t chunk,
                                            const RangeFunction& find) {
  if (workers == 0) throw std::invalid_argument("primes_processes: workers must be at least 1, got 0")
  unsigned started = 0;
  if (chunk == 0) throw std::invalid_argument("primes_processes: chunk must be at least 1, got 0");

  // The records to send: every chunk, then one pill per worker.
  std::vector<TaskRecord> records;
  for (std::uint64_t lo = 0; lo < n; lo += std::min(chunk, n - lo)) {
    records.push_back(TaskRecord{lo, lo + std::min(chunk, n - lo), 0});
  }
  records.insert(records.end(), workers, TaskRecord{0, 0, 1});

  Pipe tasks = Pipe::create();
  std::vector<Worker> pool;
  pool.reserve(workers);
  for (unsigned w = 0; w < workers; ++w) {
    Pipe results = Pipe::create();
    auto child = ChildProcess::fork([&]() -> int {
      // Close every end this child does not use. A child holding the task pipe's write
      // end would keep its siblings from ever seeing end-of-file.
      tasks.write_end.reset();
      results.read_end.reset();
      for (auto& earlier : pool) earlier.results.reset();
      return worker_main(w, tasks.read_end.get(), results.write_end.get(), find);
    });
    results.write_end.reset();  // only the child writes here; its EOF must mean "child gone"
    pool.push_back(Worker{std::move(child), std::move(results.read_end)});
  }
  tasks.read_end.reset();  // if every worker dies, writes now fail with EPIPE instead of blocking
  const int flags = ::fcntl(tasks.write_end.get(), F_GETFL);
  ::fcntl(tasks.write_end.get(), F_SETFL, flags | O_NONBLOCK);

  SigpipeBlocker no_sigpipe;
  std::vector<std::uint64_t> primes;
  std::size_t sent = 0;
  unsigned running = workers;
  std::vector<pollfd> fds;
  std::vector<unsigned> fd_owner;  // which worker each pollfd after the first belongs to
  while (running > 0) {
    // Never block on one side only: while the task pipe is full, workers may be blocked
    // writing results, and only reading those unblocks them. poll() waits for either.
    fds.clear();
    fd_owner.clear();
    fds.push_back({sent < records.size() ? tasks.write_end.get() : -1, POLLOUT, 0});
    for (unsigned w = 0; w < workers; ++w) {
      if (!pool[w].finished) {
        fds.push_back({pool[w].results.get(), POLLIN, 0});
        fd_owner.push_back(w);
      }
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "poll");
    }

    if (fds[0].revents != 0 && sent < records.size()) {
      const std::size_t batch = std::min(kRecordsPerWrite, records.size() - sent);
      const ssize_t written = ::write(tasks.write_end.get(), records.data() + sent, batch * sizeof(TaskRecord));
      if (written > 0) {
        sent += static_cast<std::size_t>(written) / sizeof(TaskRecord);
      } else if (written < 0 && errno == EPIPE) {
        sent = records.size();  // every reader is gone; the result pipes will say why
      } else if (written < 0 && errno != EAGAIN && errno != EINTR) {
        throw std::system_error(errno, std::generic_category(), "write to task pipe");
      }
    }

    for (std::size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      const unsigned w = fd_owner[i - 1];
      FrameHeader header;
      if (!read_from_worker(pool[w].results.get(), std::as_writable_bytes(std::span(&header, 1)))) {
        throw died_early(w, pool[w]);
      }
      switch (header.kind) {
        case FrameKind::primes: {
          const std::size_t old = primes.size();
          primes.resize(old + header.count);
          if (!read_from_worker(pool[w].results.get(), std::as_writable_bytes(std::span(primes).subspan(old)))) {
            throw died_early(w, pool[w]);
          }
          break;
        }
        case FrameKind::finished:
          pool[w].finished = true;
          --running;
          break;
        case FrameKind::failed: {
          std::string what(header.count, '\0');
          if (!read_from_worker(pool[w].results.get(), std::as_writable_bytes(std::span(what)))) what = "?";
          throw WorkerDied("primes_processes: worker " + std::to_string(w) + " failed: " + what);
        }
        default:
          throw WorkerDied("primes_processes: worker " + std::to_string(w) + " sent a frame of unknown kind " +
                           std::to_string(static_cast<std::uint32_t>(header.kind)));
      }
    }
  }

  for (unsigned w = 0; w < workers; ++w) {
    const ExitStatus status = pool[w].process.wait();
    if (!status.success()) {
      throw WorkerDied("primes_processes: worker " + std::to_string(w) + " " + status.describe() +
                       " after finishing");
    }
  }
  std::sort(primes.begin(), primes.end());
  return primes;
}

}  // namespace parlab::lab01
