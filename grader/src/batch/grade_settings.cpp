#include "batch/grade_settings.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "util/files.hpp"

namespace grader {

namespace {

using json = nlohmann::json;

// Every setting, once: its key in the file and the field it is. `Options` and `Report` are
// const for writing, not for reading.
template <class Options, class Report, class Visit>
void visit_settings(Options& o, Report& r, Visit&& visit) {
  visit("source_root", o.source_root);
  visit("work_dir", o.work_dir);
  visit("labs", o.lab_ids);
  visit("jobs", o.jobs);
  visit("timing", o.timing);
  visit("tsan", o.tsan);
  visit("progress", o.progress);
  visit("isolation", o.isolation);
  visit("case_wall_ms", o.limits.wall);
  visit("case_cpu_s", o.limits.cpu_seconds);
  visit("case_address_space_bytes", o.limits.address_space);
  visit("case_memory_bytes", o.limits.memory);
  visit("case_disk_bytes", o.limits.disk);
  visit("case_file_size_bytes", o.limits.file_size);
  visit("case_open_files", o.limits.open_files);
  visit("case_processes", o.limits.processes);
  visit("case_output_bytes", o.limits.output_bytes);
  visit("compile_s", o.compile_seconds);
  visit("compile_memory_bytes", o.compile_memory);
  visit("compile_output_bytes", o.compile_output);
  visit("tsan_slowdown", o.tsan_slowdown);
  visit("timing_rounds", o.timing_settings.rounds);
  visit("timing_min_efficiency", o.timing_settings.min_efficiency);
  visit("timing_max_spread", o.timing_settings.max_spread);
  visit("timing_too_close_margin", o.timing_settings.too_close_margin);
  visit("timing_max_machine_slowdown", o.timing_settings.max_machine_slowdown);
  visit("slots", o.slots);
  visit("hidden_visibility", r.hidden_visibility);
}

template <class T>
struct is_duration : std::false_type {};
template <class Rep, class Period>
struct is_duration<std::chrono::duration<Rep, Period>> : std::true_type {};

template <class T>
json encode(const T& value) {
  if constexpr (std::is_same_v<T, std::filesystem::path>) {
    return value.string();
  } else if constexpr (is_duration<T>::value) {
    return value.count();
  } else {
    return value;
  }
}

// What a JSON value must be to go into a field of type T, for the error message.
template <class T>
bool fits(const json& v, const char*& expected) {
  if constexpr (std::is_same_v<T, bool>) {
    expected = "true or false";
    return v.is_boolean();
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::filesystem::path>) {
    expected = "a string";
    return v.is_string();
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    expected = "an array of strings";
    return v.is_array() && std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_string(); });
  } else if constexpr (std::is_floating_point_v<T>) {
    expected = "a number";
    return v.is_number();
  } else {
    expected = "a whole number, 0 or more";
    return v.is_number_unsigned();
  }
}

template <class T>
void decode(const json& file, const char* key, T& field, const std::filesystem::path& path) {
  if (!file.contains(key)) throw std::runtime_error(fmt::format("{}: the setting \"{}\" is missing", path.string(), key));
  const char* expected = "";
  if (!fits<T>(file[key], expected)) {
    throw std::runtime_error(fmt::format("{}: \"{}\" must be {}, not {}", path.string(), key, expected, file[key].dump()));
  }
  if constexpr (is_duration<T>::value) {
    field = T(file[key].get<typename T::rep>());
  } else if constexpr (std::is_same_v<T, std::filesystem::path>) {
    field = file[key].get<std::string>();
  } else {
    field = file[key].get<T>();
  }
}

}  // namespace

json settings_to_json(const GraderOptions& options, const ReportSettings& report) {
  json out = json::object();
  visit_settings(options, report, [&](const char* key, const auto& field) { out[key] = encode(field); });
  return out;
}

void read_settings_file(const std::filesystem::path& file, GraderOptions& options, ReportSettings& report) {
  json settings;
  try {
    settings = json::parse(read_file(file));
  } catch (const json::parse_error& e) {
    throw std::runtime_error(fmt::format("{}: not a settings file: {}", file.string(), e.what()));
  }
  if (!settings.is_object()) throw std::runtime_error(file.string() + ": a settings file holds one JSON object");
  std::size_t known = 0;
  visit_settings(options, report, [&](const char* key, auto& field) {
    decode(settings, key, field, file);
    ++known;
  });
  if (known != settings.size()) {
    const json expected = settings_to_json(options, report);
    for (const auto& [key, value] : settings.items()) {
      (void)value;
      if (!expected.contains(key)) throw std::runtime_error(fmt::format("{}: unknown setting \"{}\"", file.string(), key));
    }
  }
}

json settings_that_change_grades(json settings) {
  for (const char* key : {"work_dir", "jobs", "slots", "progress"}) settings.erase(key);
  return settings;
}

}  // namespace grader
