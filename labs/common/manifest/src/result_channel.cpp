#include "parlab/manifest/result_channel.hpp"

#include <nlohmann/json.hpp>

namespace parlab::manifest {

namespace {

std::optional<ChannelRecord::Event> event_named(const std::string& name) {
  using Event = ChannelRecord::Event;
  if (name == "case_started") return Event::case_started;
  if (name == "assertion_failed") return Event::assertion_failed;
  if (name == "explanation") return Event::explanation;
  if (name == "crash_stack") return Event::crash_stack;
  if (name == "case_ended") return Event::case_ended;
  if (name == "run_ended") return Event::run_ended;
  return std::nullopt;
}

}  // namespace

std::optional<ChannelRecord> parse_channel_record(std::string_view line) {
  const auto record = nlohmann::json::parse(line, nullptr, false);
  if (record.is_discarded() || !record.is_object() || !record.contains("event") || !record["event"].is_string()) {
    return std::nullopt;
  }
  const auto event = event_named(record["event"].get<std::string>());
  if (!event) return std::nullopt;
  try {
    ChannelRecord r;
    r.event = *event;
    r.name = record.value("name", std::string{});
    r.nonce = record.value("nonce", std::string{});
    r.passed = record.value("passed", false);
    r.assertions_passed = record.value("assertions_passed", std::size_t{0});
    r.file = record.value("file", std::string{});
    r.line = record.value("line", 0L);
    r.macro = record.value("macro", std::string{});
    r.expression = record.value("expression", std::string{});
    r.expansion = record.value("expansion", std::string{});
    r.message = record.value("message", std::string{});
    r.info = record.value("info", std::string{});
    r.text = record.value("text", std::string{});
    r.pid = record.value("pid", 0L);
    r.test_pid = record.value("test_pid", 0L);
    r.signal = record.value("signal", 0);
    r.exit_code = record.value("exit_code", -1);
    r.base = record.value("base", std::string{});
    r.frames = record.value("frames", std::string{});
    return r;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // a field of the wrong type: not one of ours
  }
}

}  // namespace parlab::manifest
