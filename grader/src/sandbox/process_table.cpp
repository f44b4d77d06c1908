#include "sandbox/process_table.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <grp.h>
#include <signal.h>
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

bool read_entry(pid_t pid, ProcessEntry& entry) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  if (!status) return false;
  entry.pid = pid;
  bool have_uid = false, have_parent = false;
  std::string line;
  while (std::getline(status, line)) {
    long value = 0;
    if (line.rfind("State:", 0) == 0 && line.size() > 7) {
      const auto pos = line.find_first_not_of(" \t", 6);
      if (pos != std::string::npos) entry.state = line[pos];
    } else if (line.rfind("PPid:", 0) == 0 && parse_int(line.substr(5), value)) {
      entry.parent = static_cast<pid_t>(value);
      have_parent = true;
    } else if (line.rfind("Uid:", 0) == 0 && parse_int(line.substr(4), value)) {
      entry.uid = static_cast<uid_t>(value);
      have_uid = true;
    } else if (line.rfind("Threads:", 0) == 0 && parse_int(line.substr(8), value)) {
      entry.threads = static_cast<unsigned>(value);
      break;  // the last field we need; the rest of the file is long
    }
  }
  return have_uid && have_parent;
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
    if (e.uid == uid && e.state != 'Z' && e.state != 'X') total += e.threads;
  }
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
