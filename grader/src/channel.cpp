#include "channel.hpp"

#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "parlab/manifest/result_channel.hpp"
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

CrashStack crash_stack_of(const parlab::manifest::ChannelRecord& record) {
  CrashStack crash;
  crash.pid = record.pid;
  crash.test_pid = record.test_pid;
  crash.signal = record.signal;
  crash.exit_code = record.exit_code;
  try {
    crash.base = parse_hex(record.base);
    std::istringstream words(record.frames);
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
  using Event = parlab::manifest::ChannelRecord::Event;
  ChannelReport report;
  bool all_passed = true;
  for (const auto& line : split_lines(text)) {
    auto record = parlab::manifest::parse_channel_record(line);
    if (!record) continue;
    if (record->event == Event::case_started && record->name == case_name) {
      report.started = true;
    } else if (record->event == Event::assertion_failed) {
      AssertionFailure f{std::move(record->file),      record->line,
                         std::move(record->macro),     std::move(record->expression),
                         std::move(record->expansion), std::move(record->message),
                         std::move(record->info),      {}};
      split_explanation(f);
      ++report.failures_seen;
      if (report.failures.size() < 20) report.failures.push_back(std::move(f));
    } else if (record->event == Event::crash_stack && report.started) {
      if (report.crash_stacks.size() < 4) report.crash_stacks.push_back(crash_stack_of(*record));
    } else if (record->event == Event::explanation && report.started) {
      report.last_explanation = record->text;
    } else if (record->event == Event::case_ended) {
      if (record->nonce != nonce) {
        report.forged_records = true;
      } else if (record->name == case_name) {
        report.ended = true;
        all_passed = all_passed && record->passed;
        report.assertions_passed += record->assertions_passed;
      }
    } else if (record->event == Event::run_ended) {
      if (record->nonce == nonce) {
        report.run_ended = true;
      } else {
        report.forged_records = true;
      }
    }
  }
  report.passed = report.ended && all_passed;
  return report;
}

}  // namespace grader
