#pragma once
// Turns gdb's "thread apply all bt" of a hung test into sentences: where every thread
// was and what it waited for ("thread 3: consumer blocked in BlockingQueue<…>::pop,
// called from prime_worker (primes_threads.cpp:15), waiting on a condition variable").

#include <string>
#include <vector>

namespace grader {

struct ThreadSummary {
  std::string thread;   // "thread 3"
  std::string where;    // "BlockingQueue<…>::pop (blocking_queue.cpp:30), called from prime_worker"
  std::string waiting;  // "waiting on a condition variable", "waiting for a mutex", "running"
  bool is_test_harness = false;  // Catch's main loop or the test's watchdog
  std::string child_pid;         // the child process it ran in ("456"); empty in the test process
                                 // (or in the parlab_test::isolated() child, which runs the code under test)
};

struct HangSummary {
  std::string headline;  // one line, e.g. "consumer blocked in pop: waiting for an item or a pill that never comes"
  std::vector<ThreadSummary> threads;
};

// `student_files` ("primes_threads.cpp"): a thread is placed at its innermost frame in one of
// them, else at its innermost frame of lab or common code. gdb_output may hold several
// processes (sandbox/hang_backtrace.hpp); the headline then also says what a child did.
[[nodiscard]] HangSummary summarize_backtrace(const std::string& gdb_output,
                                              const std::vector<std::string>& student_files = {});

// For a test stopped at the memory or process limit: " When it was stopped, thread 1 of the
// test process was in hostile_act (primes_threads.cpp:5)." The first thread in lab code is
// most likely the one allocating (or forking); empty when none was.
[[nodiscard]] std::string where_it_was_stopped(const HangSummary& summary);

// "parlab::lab01::BlockingQueue<std::variant<...> >::pop" -> "BlockingQueue<…>::pop".
[[nodiscard]] std::string shorten_function_name(const std::string& name);

}  // namespace grader
