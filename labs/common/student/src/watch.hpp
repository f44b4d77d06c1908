#pragma once
// Watching a lab's source folder with inotify: calls `on_change` after each save.

#include <chrono>
#include <filesystem>
#include <functional>

namespace parlab::student {

// Blocks, calling `on_change(seconds_since_the_save_was_seen)`... after every burst of
// writes to files in `dir` (editors often write a file in several steps, or write a new
// file and rename it over the old one: both are caught). Returns after `max_runs` calls
// (0: never).
void watch_directory(const std::filesystem::path& dir, const std::function<void()>& on_change,
                     unsigned max_runs);

}  // namespace parlab::student
