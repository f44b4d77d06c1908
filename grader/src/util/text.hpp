#pragma once
// Small text helpers for reports people read.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace grader {

[[nodiscard]] std::vector<std::string> split_lines(std::string_view text);
[[nodiscard]] std::string trim(std::string_view text);
[[nodiscard]] bool contains(std::string_view haystack, std::string_view needle);
[[nodiscard]] std::string replace_all(std::string text, std::string_view from, std::string_view to);
// At most `max_lines` lines and `max_bytes` bytes, with a note saying how much was cut.
[[nodiscard]] std::string first_lines(std::string_view text, std::size_t max_lines, std::size_t max_bytes = 8192);
// Keeps valid UTF-8 and replaces anything else, so JSON and HTML writers never choke on
// the bytes a crashing program printed.
[[nodiscard]] std::string sanitize_utf8(std::string_view bytes);
[[nodiscard]] std::string html_escape(std::string_view text);
// Any bytes (a student's output, a case name) as HTML text: invalid UTF-8 replaced, then escaped.
[[nodiscard]] std::string html_text(std::string_view bytes);
// "1.2 s", "850 ms".
[[nodiscard]] std::string human_seconds(double seconds);
[[nodiscard]] std::string human_bytes(unsigned long long bytes);
// A name that is safe as one folder name: letters, digits, '-', '_' and '.' kept, anything
// else (a '/', a space, a quote) replaced by '_'; never empty, never "." or "..".
[[nodiscard]] std::string safe_file_name(std::string_view name);
// Now, as ISO 8601 in UTC: "2026-11-26T01:10:21Z".
[[nodiscard]] std::string utc_now();
// A random lowercase hex word (from /dev/urandom), for nonces and unique names.
[[nodiscard]] std::string random_hex(std::size_t bytes);

}  // namespace grader
