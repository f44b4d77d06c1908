#include "sandbox/process_table.hpp"

#include <cerrno>
#include <cstdio>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace grader {

namespace {

bool parse_int(const std::string& text, long& value) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  while (begin < end && (*begin == ' ' || *begin == '\t')) ++begin;
  return std::from_chars(begin, end, value).ec == std::errc{};
}

// The value after `key` on its line of a /proc status text, or false without one.
bool field_value(std::string_view text, std::string_view key, long& value) {
  const auto at = text.find(key);
  if (at == std::string_view::npos) return false;
  const char* begin = text.data() + at + key.size();
  const char* end = text.data() + text.size();
  while (begin < end && (*begin == ' ' || *begin == '\t')) ++begin;
  return std::from_chars(begin, end, value).ec == std::errc{};
}

// One read() of /proc/PID/status into a stack buffer: beside a fork bomb the watcher reads
// a thousand of these per sample on a starved CPU, so no stream, no allocation. The
// fields we need (State, PPid, Uid, Threads) are all in its first 4 KiB.
bool read_entry(pid_t pid, ProcessEntry& entry) {
  char path[32];
  std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(pid));
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[4096];
  const ssize_t got = ::read(fd, buffer, sizeof buffer);
  ::close(fd);
  if (got <= 0) return false;
  const std::string_view text(buffer, static_cast<std::size_t>(got));
  entry.pid = pid;
  long parent = 0, uid = 0, threads = 1;
  if (!field_value(text, "\nPPid:", parent) || !field_value(text, "\nUid:", uid)) return false;
  if (field_value(text, "\nThreads:", threads)) entry.threads = static_cast<unsigned>(threads);
  entry.parent = static_cast<pid_t>(parent);
  entry.uid = static_cast<uid_t>(uid);
  if (const auto at = text.find("\nState:"); at != std::string_view::npos) {
    const auto letter = text.find_first_not_of(" \t", at + 7);
    if (letter != std::string_view::npos) entry.state = text[letter];
  }
  return true;
}

}  // namespace

std::vector<ProcessEntry> read_process_table() {
  std::vector<ProcessEntry> table;
  std::error_code ec;
  for (const auto& dir : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = dir.path().filename().string();
    long pid = 0;
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0])) || !parse_int(name, pid)) continue;
    ProcessEntry entry;
    if (read_entry(static_cast<pid_t>(pid), entry)) table.push_back(entry);  // it may have exited meanwhile
  }
  return table;
}

std::vector<pid_t> living_processes_of(const std::vector<ProcessEntry>& table, uid_t uid) {
  std::vector<pid_t> out;
  for (const auto& e : table) {
    if (e.uid == uid && e.state != 'Z' && e.state != 'X') out.push_back(e.pid);
  }
  return out;
}

unsigned tasks_of(const std::vector<ProcessEntry>& table, uid_t uid) {
  unsigned total = 0;
  for (const auto& e : table) {
    if (e.uid == uid && e.state != 'X') total += e.threads;
  }
  return total;
}

unsigned tasks_owned_by(uid_t uid) {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return 0;
  unsigned total = 0;
  while (const dirent* entry = ::readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    char path[sizeof entry->d_name + 16];  // "/proc/" + the name + "/task"
    struct stat info {};
    std::snprintf(path, sizeof path, "/proc/%s", entry->d_name);
    if (::stat(path, &info) != 0 || info.st_uid != uid) continue;
    // /proc/PID/task links to itself, its parent and one folder per thread.
    std::snprintf(path, sizeof path, "/proc/%s/task", entry->d_name);
    total += ::stat(path, &info) == 0 && info.st_nlink > 2 ? static_cast<unsigned>(info.st_nlink - 2) : 1U;
  }
  ::closedir(proc);
  return total;
}

std::vector<pid_t> descendants_of(const std::vector<ProcessEntry>& table, pid_t root) {
  std::vector<pid_t> out;
  std::vector<pid_t> frontier = {root};
  while (!frontier.empty()) {
    const pid_t parent = frontier.back();
    frontier.pop_back();
    for (const auto& e : table) {
      if (e.parent == parent && e.pid != root) {
        out.push_back(e.pid);
        frontier.push_back(e.pid);
      }
    }
  }
  return out;
}

std::size_t kill_every_process_of_uid(uid_t uid, std::chrono::milliseconds patience) {
  const auto give_up = std::chrono::steady_clock::now() + patience;
  const std::size_t found = living_processes_of(read_process_table(), uid).size();
  if (found == 0) return 0;
  while (true) {
    const pid_t killer = ::fork();
    if (killer == 0) {
      // As `uid`, kill(-1) signals every process of that uid except the caller.
      if (::setgroups(0, nullptr) == 0 && ::setgid(static_cast<gid_t>(uid)) == 0 && ::setuid(uid) == 0) {
        ::kill(-1, SIGKILL);
      }
      ::_exit(0);
    }
    if (killer > 0) {
      int status = 0;
      while (::waitpid(killer, &status, 0) < 0 && errno == EINTR) {
      }
    }
    const auto alive = living_processes_of(read_process_table(), uid);
    if (alive.empty() || std::chrono::steady_clock::now() > give_up) return found;
    for (const pid_t pid : alive) ::kill(pid, SIGKILL);  // also covers a failed fork above
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void reap_adopted_zombies(const std::set<pid_t>& keep) {
  const pid_t self = ::getpid();
  for (const auto& e : read_process_table()) {
    if (e.parent == self && e.state == 'Z' && keep.count(e.pid) == 0) {
      int status = 0;
      ::waitpid(e.pid, &status, WNOHANG);
    }
  }
}

}  // namespace grader
