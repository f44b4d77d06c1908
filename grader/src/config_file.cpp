#include "config_file.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace grader {

namespace {

template <class T>
void read_number(const toml::table& table, const char* section, const char* key, const std::filesystem::path& file,
                 double minimum, double maximum, T& out) {
  const auto node = table[section][key];
  if (!node) return;
  const auto value = node.value<double>();
  if (!value || *value < minimum || *value > maximum) {
    throw std::runtime_error(fmt::format("{}: [{}] {} must be a number from {} to {}", file.string(), section, key, minimum, maximum));
  }
  out = static_cast<T>(*value);
}

}  // namespace

void apply_config_file(const std::filesystem::path& file, GraderOptions& options, ReportSettings& report) {
  toml::table table;
  try {
    table = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(fmt::format("{}:{}: {}", file.string(), e.source().begin.line, e.description()));
  }
  double case_timeout_s = std::chrono::duration<double>(options.limits.wall).count();
  read_number(table, "limits", "case_timeout_s", file, 1, 3600, case_timeout_s);
  options.limits.wall = std::chrono::milliseconds(static_cast<long long>(case_timeout_s * 1000));
  read_number(table, "limits", "cpu_s", file, 1, 36000, options.limits.cpu_seconds);
  double memory_mb = static_cast<double>(options.limits.address_space >> 20);
  read_number(table, "limits", "memory_mb", file, 64, 1 << 20, memory_mb);
  options.limits.address_space = static_cast<std::uint64_t>(memory_mb) << 20;
  options.limits.memory = options.limits.address_space;
  double disk_mb = static_cast<double>(options.limits.disk >> 20);
  read_number(table, "limits", "disk_mb", file, 1, 1 << 20, disk_mb);
  options.limits.disk = static_cast<std::uint64_t>(disk_mb) << 20;
  double file_mb = static_cast<double>(options.limits.file_size >> 20);
  read_number(table, "limits", "file_size_mb", file, 1, 1 << 20, file_mb);
  options.limits.file_size = static_cast<std::uint64_t>(file_mb) << 20;
  read_number(table, "limits", "open_files", file, 16, 65536, options.limits.open_files);
  read_number(table, "limits", "processes", file, 4, 65536, options.limits.processes);
  double output_mb = static_cast<double>(options.limits.output_bytes >> 20);
  read_number(table, "limits", "output_mb", file, 1, 1 << 16, output_mb);
  options.limits.output_bytes = static_cast<std::uint64_t>(output_mb) << 20;
  read_number(table, "timing", "rounds", file, 1, 50, options.timing_settings.rounds);
  read_number(table, "timing", "min_efficiency", file, 0, 1, options.timing_settings.min_efficiency);
  read_number(table, "timing", "max_spread", file, 0, 10, options.timing_settings.max_spread);
  read_number(table, "timing", "too_close_margin", file, 0, 1, options.timing_settings.too_close_margin);
  read_number(table, "timing", "max_machine_slowdown", file, 1, 100, options.timing_settings.max_machine_slowdown);
  read_number(table, "tsan", "slowdown", file, 1, 100, options.tsan_slowdown);
  double compile_s = static_cast<double>(options.compile_seconds.count());
  read_number(table, "compile", "timeout_s", file, 5, 3600, compile_s);
  options.compile_seconds = std::chrono::seconds(static_cast<long long>(compile_s));
  double compile_mb = static_cast<double>(options.compile_memory >> 20);
  read_number(table, "compile", "memory_mb", file, 256, 1 << 20, compile_mb);
  options.compile_memory = static_cast<std::uint64_t>(compile_mb) << 20;
  double compile_output_mb = static_cast<double>(options.compile_output >> 20);
  read_number(table, "compile", "output_mb", file, 16, 1 << 16, compile_output_mb);
  options.compile_output = static_cast<std::uint64_t>(compile_output_mb) << 20;
  if (const auto v = table["report"]["hidden_visibility"].value<std::string>()) report.hidden_visibility = *v;
}

}  // namespace grader
