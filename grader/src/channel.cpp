#include "channel.hpp"

#include <filesystem>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/text.hpp"

namespace grader {

std::string AssertionFailure::describe() const {
  const std::string where = file.empty() ? "" : fmt::format("{}:{}: ", std::filesystem::path(file).filename().string(), line);
  std::string text;
  // Catch gives the expression as written in the macro, e.g. "CHECK( a == b )".
  const bool has_expression = !expression.empty() && !contains(expression, "{Unknown expression");
  if (has_expression) {
    text = where + (expression.rfind(macro, 0) == 0 ? expression : fmt::format("{}({})", macro, expression));
    if (!expansion.empty() && expansion != expression) text += fmt::format(" with expansion: {}", expansion);
    if (!message.empty()) text += fmt::format(" - {}", message);
  } else {
    text = where + (message.empty() ? macro : message);
  }
  if (!info.empty() && info != message) text += fmt::format(" [{}]", replace_all(info, "\n", "; "));
  return text;
}

std::string ChannelReport::explanation() const {
  for (const auto& f : failures) {
    if (!f.explanation.empty()) return f.explanation;
  }
  return last_explanation;
}

namespace {

// The listener's prefix for a PARLAB_EXPLAIN line among the INFO lines (parlab_test/explain.hpp).
constexpr std::string_view explanation_prefix = "what this usually means: ";

// Moves the PARLAB_EXPLAIN line (the innermost, i.e. the last) out of f.info.
void split_explanation(AssertionFailure& f) {
  std::string rest;
  for (const auto& line : split_lines(f.info)) {
    if (line.rfind(explanation_prefix, 0) == 0) {
      f.explanation = line.substr(explanation_prefix.size());
    } else {
      rest += (rest.empty() ? "" : "\n") + line;
    }
  }
  f.info = rest;
}

std::uint64_t parse_hex(const std::string& text) {
  return text.rfind("0x", 0) == 0 ? std::stoull(text.substr(2), nullptr, 16) : 0;
}

CrashStack parse_crash_stack(const nlohmann::json& record) {
  CrashStack crash;
  crash.pid = record.value("pid", 0L);
  crash.test_pid = record.value("test_pid", 0L);
  crash.signal = record.value("signal", 0);
  crash.exit_code = record.value("exit_code", -1);
  try {
    crash.base = parse_hex(record.value("base", std::string{}));
    std::istringstream words(record.value("frames", std::string{}));
    for (std::string word; words >> word;) {
      if (word.starts_with("=")) {
        crash.fault_frames.push_back(crash.frames.size());
        word.erase(0, 1);
      }
      crash.frames.push_back(parse_hex(word));
    }
  } catch (const std::exception&) {
    crash.frames.clear();  // not a number: not one of ours
  }
  return crash;
}

}  // namespace

ChannelReport parse_channel(const std::string& text, const std::string& case_name, const std::string& nonce) {
  ChannelReport report;
  bool all_passed = true;
  for (const auto& line : split_lines(text)) {
    nlohmann::json record;
    try {
      record = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      continue;
    }
    if (!record.is_object() || !record.contains("event") || !record["event"].is_string()) continue;
    const std::string event = record["event"].get<std::string>();
    const std::string name = record.value("name", std::string{});
    const std::string record_nonce = record.value("nonce", std::string{});
    try {
      if (event == "case_started" && name == case_name) {
        report.started = true;
      } else if (event == "assertion_failed") {
        AssertionFailure f;
        f.file = record.value("file", std::string{});
        f.line = record.value("line", 0L);
        f.macro = record.value("macro", std::string{});
        f.expression = record.value("expression", std::string{});
        f.expansion = record.value("expansion", std::string{});
        f.message = record.value("message", std::string{});
        f.info = record.value("info", std::string{});
        split_explanation(f);
        ++report.failures_seen;
        if (report.failures.size() < 20) report.failures.push_back(std::move(f));
      } else if (event == "crash_stack" && report.started) {
        if (report.crash_stacks.size() < 4) report.crash_stacks.push_back(parse_crash_stack(record));
      } else if (event == "explanation" && report.started) {
        report.last_explanation = record.value("text", std::string{});
      } else if (event == "case_ended") {
        if (record_nonce != nonce) {
          report.forged_records = true;
        } else if (name == case_name) {
          report.ended = true;
          all_passed = all_passed && record.value("passed", false);
          report.assertions_passed += record.value("assertions_passed", std::size_t{0});
        }
      } else if (event == "run_ended") {
        if (record_nonce == nonce) {
          report.run_ended = true;
        } else {
          report.forged_records = true;
        }
      }
    } catch (const nlohmann::json::exception&) {
      continue;  // a field of the wrong type: not one of ours
    }
  }
  report.passed = report.ended && all_passed;
  return report;
}

}  // namespace grader
