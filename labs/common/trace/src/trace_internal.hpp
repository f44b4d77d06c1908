#pragma once
// What the two halves of the tracing layer share: trace.cpp records (compiled for speed, it
// runs inside timed code) and trace_file.cpp writes the JSON file (compiled for build speed,
// it runs once at the end).

#include <cstdint>
#include <filesystem>
#include <vector>

#include <sys/types.h>

#include "parlab/trace.hpp"

namespace parlab::trace::detail {

struct Event {
  const char* name;
  const char* category;
  Arg a0, a1;
  std::int64_t begin_ns;
  std::int64_t end_ns;  // == begin_ns for an instant
  bool instant;
};

struct RecordedEvent {
  Event event;
  pid_t pid, tid;
};

// What a session needs to write its file; set before tracing turns on, read after it is off
// (or in a forked child, which has its own copy).
struct SessionInfo {
  std::filesystem::path out;
  std::filesystem::path parts;
  std::int64_t t0 = 0;
  pid_t root_pid = 0;
  bool active = false;
};
SessionInfo& session_info();

// A copy of this process's events of the current session; `dropped` gets how many were lost.
std::vector<RecordedEvent> own_events(std::uint64_t& dropped);

}  // namespace parlab::trace::detail
