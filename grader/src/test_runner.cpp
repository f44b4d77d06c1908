#include "test_runner.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include <fmt/format.h>

#include "backtrace.hpp"
#include "race_report.hpp"
#include "channel.hpp"
#include "crash_place.hpp"
#include "verdict.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

constexpr const char* tsan_marker = "WARNING: ThreadSanitizer:";

// Calls work(i, worker) for i in [0, count) on `jobs` threads.
void parallel_for(std::size_t count, unsigned jobs, const std::function<void(std::size_t, unsigned)>& work) {
  std::atomic<std::size_t> next{0};
  std::vector<std::jthread> threads;
  for (unsigned w = 0; w < std::max(1u, jobs); ++w) {
    threads.emplace_back([&, w] {
      for (std::size_t i = next++; i < count; i = next++) work(i, w);
    });
  }
}

std::string strip(std::string text, const TestRunSettings& settings) {
  for (const auto& prefix : settings.strip_prefixes) text = replace_all(std::move(text), prefix, "");
  return text;
}

std::vector<std::string> run_arguments(const std::filesystem::path& executable, const std::string& name) {
  std::vector<std::string> argv = {executable.string()};
  for (auto& a : catch_arguments_for(name)) argv.push_back(std::move(a));
  return argv;
}

// The test's own words on what its failure usually means, after the verdict's.
void append_explanation(CaseResult& c) {
  if (!c.explanation.empty()) c.summary += " What this usually means: " + c.explanation + ".";
}

// Ends the summary's last sentence (Catch's own texts have no full stop) and adds `text`.
void append_sentence(std::string& summary, const std::string& text) {
  if (!summary.empty() && summary.back() != '.') summary += '.';
  summary += text;
}

// The record that explains the verdict: for a crash the signal's, at the memory limit the
// failed allocation's, else the first one.
const CrashStack& telling_crash(const std::vector<CrashStack>& crashes, Verdict verdict) {
  for (const auto& c : crashes) {
    if ((verdict == Verdict::crashed && c.signal != 0) || (verdict == Verdict::memory_limit && c.signal == 0)) return c;
  }
  return crashes.front();
}

// What the student's code was doing when the case crashed, hit the memory limit or hung:
// the innermost frame in a file the student edits, and in which process.
void add_where_it_happened(CaseResult& out, const SandboxResult& run, const ChannelReport& channel,
                           const std::filesystem::path& executable, const TestRunSettings& settings) {
  if (out.verdict == Verdict::passed) return;
  const bool died = out.verdict == Verdict::crashed || out.verdict == Verdict::memory_limit;
  if (!channel.crash_stacks.empty() && (died || out.verdict == Verdict::failed)) {
    const CrashStack& crash = telling_crash(channel.crash_stacks, out.verdict);
    const CrashPlace place = student_place_of(crash, executable, settings.student_files);
    if (crash.pid != crash.test_pid) {
      // The test process itself may have gone on and failed an assertion about it.
      append_sentence(out.summary, describe_child_ending(crash, place));
    } else if (died) {
      append_sentence(out.summary, describe_crash_place(crash, place));
    } else if (crash.signal == 0 && crash.exit_code >= 0 && channel.started && !channel.ended) {
      append_sentence(out.summary, describe_early_exit(crash, place));
    }
  }
  if (run.backtrace.empty()) return;
  const HangSummary hang = summarize_backtrace(run.backtrace, settings.student_files);
  for (const auto& t : hang.threads) out.hang_threads.push_back(fmt::format("{}: {}, {}", t.thread, t.where, t.waiting));
  if (out.verdict == Verdict::timed_out) {
    out.hang_headline = hang.headline;
    if (!hang.headline.empty()) append_sentence(out.summary, " Where it hung: " + hang.headline + ".");
  } else if (out.verdict == Verdict::memory_limit || out.verdict == Verdict::process_limit) {
    append_sentence(out.summary, where_it_was_stopped(hang));
  }
}

}  // namespace

std::vector<CaseResult> run_test_cases(Sandbox& sandbox, const std::vector<TestCase>& cases,
                                       const std::map<Suite, std::filesystem::path>& executables,
                                       const TestRunSettings& settings) {
  std::vector<CaseResult> results(cases.size());
  const auto started = std::chrono::steady_clock::now();
  parallel_for(cases.size(), settings.jobs, [&](std::size_t i, unsigned worker) {
    const TestCase& test = cases[i];
    CaseResult& out = results[i];
    out.name = test.name;
    out.suite = test.suite;
    out.task_id = test.task_id;
    out.worker = worker;
    out.started_at = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    SandboxRequest request;
    request.argv = run_arguments(executables.at(test.suite), test.name);
    request.environment = settings.environment;
    request.limits = settings.limits;
    request.result_channel = true;
    request.backtrace_on_timeout = true;
    request.loopback_tcp = settings.loopback_tcp_tasks.contains(test.task_id);
    const SandboxResult run = sandbox.run(request);
    const ChannelReport channel = parse_channel(run.channel, test.name, run.nonce);
    const CaseVerdict verdict = decide_verdict(run, channel, settings.limits);

    out.verdict = verdict.verdict;
    out.summary = verdict.summary;
    out.seconds = run.seconds;
    for (const auto& f : channel.failures) out.assertions.push_back(f.describe());
    if (out.verdict != Verdict::passed) out.output = strip(first_lines(run.output, 120, 24 * 1024), settings);
    out.summary = strip(out.summary, settings);
    for (auto& a : out.assertions) a = strip(a, settings);
    add_where_it_happened(out, run, channel, request.argv.front(), settings);
    out.explanation = strip(channel.explanation(), settings);
    if (out.verdict != Verdict::passed) append_explanation(out);
    if (channel.forged_records) {
      out.summary += " (Records with a wrong nonce were written to the grader's result channel and ignored.)";
    }
  });
  return results;
}

void rerun_under_tsan(Sandbox& sandbox, std::vector<CaseResult>& cases,
                      const std::map<Suite, std::filesystem::path>& tsan_executables,
                      const TestRunSettings& settings) {
  std::vector<std::size_t> passed;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (cases[i].verdict == Verdict::passed) passed.push_back(i);
  }
  parallel_for(passed.size(), settings.jobs, [&](std::size_t k, unsigned) {
    CaseResult& c = cases[passed[k]];
    SandboxRequest request;
    request.argv = run_arguments(tsan_executables.at(c.suite), c.name);
    request.environment = settings.environment;
    request.limits = settings.limits;
    request.result_channel = true;
    request.loopback_tcp = settings.loopback_tcp_tasks.contains(c.task_id);
    const SandboxResult run = sandbox.run(request);
    const auto marker = run.output.find(tsan_marker);
    if (marker != std::string::npos) {
      c.verdict = Verdict::race_detected;
      const TrimmedRace race = trim_race_report(first_lines(std::string_view(run.output).substr(marker), 120, 24 * 1024),
                                                settings.student_files);
      c.race_report = strip(first_lines(race.report, 60, 12 * 1024), settings);
      const auto line_end = run.output.find('\n', marker);
      std::string kind = trim(run.output.substr(marker + std::string_view(tsan_marker).size(),
                                                      line_end == std::string::npos ? std::string::npos
                                                                                    : line_end - marker - std::string_view(tsan_marker).size()));
      if (const auto pid = kind.find(" (pid="); pid != std::string::npos) kind.erase(pid);
      c.summary = fmt::format("The test passes, but ThreadSanitizer found a {} when it reran it: two threads touch "
                              "the same memory without synchronisation. {}",
                              kind.empty() ? "data race" : kind,
                              race.in_student.empty() ? std::string("The report below names both accesses.")
                                                      : "In your code: " + race.in_student + ".");
      append_explanation(c);
      return;
    }
    const ChannelReport channel = parse_channel(run.channel, c.name, run.nonce);
    const CaseVerdict verdict = decide_verdict(run, channel, settings.limits);
    if (verdict.verdict != Verdict::passed) {
      c.tsan_note = "Under ThreadSanitizer (much slower) this test did not pass: " + verdict.summary;
    }
  });
}

}  // namespace grader
