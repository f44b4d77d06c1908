#include "parlab/bench.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "parlab/stopwatch.hpp"

namespace parlab::bench {

Summary summarize(std::span<const double> samples) {
  if (samples.empty()) throw std::invalid_argument("summarize: no samples");
  std::vector<double> v(samples.begin(), samples.end());
  std::sort(v.begin(), v.end());
  const auto at = [&](double q) {
    const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) ;
    return v[std::min(v.size() - 1, i == 0 ? 0 : i - 1)];
  };
  Summary s;
  s.count = v.size();
  s.min = v.front();
  s.max = v.back();
  s.median = v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  s.p90 = at(0.9);
  return s;
}

std::vector<double> time_repeated(const std::function<void()>& once, unsigned warmup,
                                  unsigned repetitions) {
  for (unsigned i = 0; i < warmup; ++i) once();
  std::vector<double> seconds;
  seconds.reserve(repetitions);
  for (unsigned i = 0; i < repetitions; ++i) {
    Stopwatch sw;
    once();
    seconds.push_back(sw.seconds());
  }
  return seconds;
}

nlohmann::json to_json(const Summary& s) {
  return {{"min", s.min}, {"median", s.median}, {"p90", s.p90}, {"max", s.max}, {"count", s.count}};
}

nlohmann::json to_json(const ParallelCapacity& c) {
  return {{"workers", c.workers},        {"speedup", c.speedup},
          {"speedup_min", c.speedup_min}, {"speedup_max", c.speedup_max},
          {"efficiency", c.efficiency()}, {"rounds", c.rounds}};
}

void write_report(const std::string& path, const nlohmann::json& report) {
  if (path.empty()) return;
  const std::filesystem::path target(path);
  const std::filesystem::path tmp = target.string() + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) throw std::runtime_error("cannot write benchmark report to " + tmp.string());
    out << report.dump(2) << '\n';
    if (!out.flush()) throw std::runtime_error("writing " + tmp.string() + " failed");
  }
  std::filesystem::rename(tmp, target);
}

std::string human_seconds(double seconds) {
  if (seconds >= 1.0) return fmt::format("{:.2f} s", seconds);
  if (seconds >= 1e-3) return fmt::format("{:.1f} ms", seconds * 1e3);
  if (seconds >= 1e-6) return fmt::format("{:.1f} us", seconds * 1e6);
  return fmt::format("{:.0f} ns", seconds * 1e9);
}

}  // namespace parlab::bench
