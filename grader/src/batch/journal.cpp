#include "batch/journal.hpp"

#include <cerrno>
#include <span>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/files.hpp"

namespace grader {

namespace {

using nlohmann::json;

constexpr const char* journal_format = "parlab-batch-journal/1";

void write_line(int fd, const std::string& line, const std::filesystem::path& path) {
  try {
    parlab::write_all(fd, std::as_bytes(std::span(line.data(), line.size())));
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot append to " + path.string() + ": " + e.what());
  }
  // The record counts only once it is on disk: a crash after this line keeps it.
  if (::fdatasync(fd) != 0) throw std::system_error(errno, std::generic_category(), "fdatasync " + path.string());
}

std::string differences(const json& written, const json& wanted) {
  std::string out;
  for (const auto& [key, value] : wanted.items()) {
    const json before = written.contains(key) ? written[key] : json();
    if (before != value) out += fmt::format("\n  {}: the journal has {}, this run has {}", key, before.dump(), value.dump());
  }
  return out;
}

}  // namespace

std::string outcome_text(Outcome outcome) { return json(outcome).get<std::string>(); }

json to_json(const StudentRecord& r) {
  json labs = json::array();
  for (const auto& lab : r.labs) {
    labs.push_back({{"id", lab.id}, {"status", lab.status}, {"points", lab.points}, {"max_points", lab.max_points}});
  }
  json tasks = json::array();
  for (const auto& t : r.tasks) tasks.push_back({{"lab", t.lab}, {"id", t.id}, {"earned", t.earned}, {"points", t.points}});
  json performance = json::array();
  for (const auto& p : r.performance) {
    performance.push_back({{"lab", p.lab}, {"id", p.id}, {"status", p.status}, {"median_ratio", p.median_ratio},
                           {"threshold", p.threshold}});
  }
  return {{"student", r.student}, {"fingerprint", r.fingerprint}, {"outcome", r.outcome}, {"score", r.score},
          {"max_score", r.max_score}, {"labs", labs}, {"failed_cases", r.failed_cases}, {"tasks", tasks},
          {"performance", performance}, {"message", r.message}, {"report", r.report}, {"seconds", r.seconds},
          {"phase_seconds", r.phase_seconds}, {"lab_phase_seconds", r.lab_phase_seconds}, {"finished_at", r.finished_at}};
}

StudentRecord record_from_json(const json& j) {
  StudentRecord r;
  try {
    r.student = j.at("student").get<std::string>();
    r.fingerprint = j.at("fingerprint").get<std::string>();
    r.outcome = state_from_json<Outcome>(j.at("outcome"), "outcome");
    r.score = j.at("score").get<double>();
    r.max_score = j.at("max_score").get<double>();
    // Journals written before the outcome had its own type gave an ungraded record one lab
    // entry per lab carrying the outcome as its status: they say nothing the outcome does not.
    for (const auto& lab : r.outcome == Outcome::graded ? j.at("labs") : json::array()) {
      r.labs.push_back(LabPoints{lab.at("id").get<std::string>(), state_from_json<LabStatus>(lab.at("status"), "lab status"),
                                 lab.at("points").get<double>(), lab.at("max_points").get<double>()});
    }
    r.failed_cases = j.at("failed_cases").get<std::vector<std::string>>();
    for (const auto& t : j.value("tasks", json::array())) {
      r.tasks.push_back(TaskOutcome{t.at("lab").get<std::string>(), t.at("id").get<std::string>(),
                                    t.at("earned").get<double>(), t.at("points").get<double>()});
    }
    for (const auto& p : j.value("performance", json::array())) {
      r.performance.push_back(PerformanceOutcome{p.at("lab").get<std::string>(), p.at("id").get<std::string>(),
                                                 state_from_json<PerfStatus>(p.at("status"), "performance status"),
                                                 p.at("median_ratio").get<double>(),
                                                 p.at("threshold").get<double>()});
    }
    r.message = j.at("message").get<std::string>();
    r.report = j.at("report").get<std::string>();
    r.seconds = j.at("seconds").get<double>();
    r.finished_at = j.at("finished_at").get<std::string>();
    r.phase_seconds = j.value("phase_seconds", decltype(r.phase_seconds){});
    r.lab_phase_seconds = j.value("lab_phase_seconds", decltype(r.lab_phase_seconds){});
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("a journal record is malformed: ") + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("a journal record has an ") + e.what());
  }
  return r;
}

Journal::Journal(const std::filesystem::path& path, const json& settings) : path_(path) {
  const json header = {{"format", journal_format}, {"settings", settings}};
  if (!std::filesystem::exists(path)) {
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    fd_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644));
    if (!fd_.valid()) throw std::system_error(errno, std::generic_category(), "create " + path.string());
    write_line(fd_.get(), header.dump() + "\n", path);
    return;
  }

  const std::string text = read_file(path);
  std::size_t complete = text.rfind('\n');
  complete = complete == std::string::npos ? 0 : complete + 1;
  if (complete < text.size()) {
    notes_.push_back(fmt::format("{}: removed an unfinished last record ({} bytes; the batch was stopped while writing "
                                 "it); that student is graded again",
                                 path.string(), text.size() - complete));
  }
  std::size_t line_number = 0;
  for (std::size_t start = 0; start < complete;) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    json j;
    try {
      j = json::parse(line);
    } catch (const json::exception& e) {
      if (line_number == 1) throw std::invalid_argument(path.string() + " is not a parlab batch journal: give another --out folder");
      throw std::runtime_error(fmt::format("{} line {} is damaged ({}); the journal is append-only and this line was "
                                           "complete, so something else changed it. Move the file away to regrade "
                                           "everything, or fix the line.",
                                           path.string(), line_number, e.what()));
    }
    if (line_number == 1) {
      if (!j.is_object() || j.value("format", "") != journal_format) {
        throw std::invalid_argument(path.string() + " is not a parlab batch journal: give another --out folder");
      }
      if (j["settings"] != settings) {
        throw std::invalid_argument(fmt::format(
            "{} was written by a batch with other settings:{}\nRerun with the same options to resume it, or give "
            "another --out folder to start a new batch.",
            path.string(), differences(j["settings"], settings)));
      }
      continue;
    }
    StudentRecord record;
    try {
      record = record_from_json(j);
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format("{} line {}: {}", path.string(), line_number, e.what()));
    }
    ++records_read_;
    latest_[record.student] = std::move(record);
  }
  if (line_number == 0) throw std::invalid_argument(path.string() + " has no header line: give another --out folder");

  fd_.reset(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  if (!fd_.valid()) throw std::system_error(errno, std::generic_category(), "open " + path.string());
  if (complete < text.size()) {
    if (::ftruncate(fd_.get(), static_cast<off_t>(complete)) != 0 || ::fdatasync(fd_.get()) != 0) {
      throw std::system_error(errno, std::generic_category(), "truncate " + path.string());
    }
  }
}

void Journal::append(const StudentRecord& record) {
  const std::lock_guard lock(mutex_);
  write_line(fd_.get(), to_json(record).dump() + "\n", path_);
  latest_[record.student] = record;
}

}  // namespace grader
