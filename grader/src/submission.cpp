#include "submission.hpp"

#include <cctype>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "util/command.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

constexpr std::uintmax_t max_archive_bytes = 64ULL << 20;

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool looks_like_lab_folder(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.size() >= 3 && std::isdigit(static_cast<unsigned char>(name[0])) &&
         std::isdigit(static_cast<unsigned char>(name[1])) && name[2] == '-' && fs::is_directory(p);
}

bool holds_lab_folders(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (looks_like_lab_folder(entry.path())) return true;
  }
  return false;
}

// Students zip "their folder", or the whole labs/ folder: look one or two levels down for
// the folder that holds the NN-slug folders.
fs::path find_submission_root(const fs::path& top) {
  fs::path dir = top;
  for (int depth = 0; depth < 3; ++depth) {
    if (holds_lab_folders(dir)) return dir;
    if (fs::is_directory(dir / "labs")) {
      dir = dir / "labs";
      continue;
    }
    std::vector<fs::path> subdirs;
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_directory() && !name.empty() && name[0] != '.' && name != "__MACOSX") subdirs.push_back(entry.path());
    }
    if (subdirs.size() != 1) break;
    dir = subdirs.front();
  }
  throw SubmissionError(fmt::format(
      "{} holds no lab folder: a submission mirrors labs/, e.g. 01-queues/src/blocking_queue.cpp", top.string()));
}

// Every entry must stay inside the folder it is unpacked into.
void check_entry_names(const std::vector<std::string>& names, const fs::path& archive) {
  for (const auto& name : names) {
    if (name.empty()) continue;
    if (name.front() == '/') {
      throw SubmissionError(fmt::format("{}: refusing an archive with an absolute path: {}", archive.string(), name));
    }
    for (const auto& part : fs::path(name)) {
      if (part == "..") {
        throw SubmissionError(fmt::format("{}: refusing an archive with a '..' path: {}", archive.string(), name));
      }
    }
  }
}

std::vector<std::string> non_empty_lines(const std::string& text) {
  std::vector<std::string> out;
  for (auto& line : split_lines(text)) {
    if (!trim(line).empty()) out.push_back(line);
  }
  return out;
}

void run_or_fail(const std::vector<std::string>& argv, const fs::path& archive, const char* what) {
  const CommandResult r = run_command(argv, command_options(std::chrono::minutes(2), 16384));
  if (!r.ok()) {
    throw SubmissionError(fmt::format("{}: cannot {} it ({}): {}", archive.string(), what, argv[0], trim(r.output)));
  }
}

std::vector<std::string> list_entries(const std::vector<std::string>& argv, const fs::path& archive) {
  const CommandResult r = run_command(argv, command_options(std::chrono::minutes(1)));
  if (!r.ok()) {
    throw SubmissionError(fmt::format("{} is not a readable archive ({}): {}", archive.string(), argv[0],
                                      first_lines(trim(r.output), 5)));
  }
  return non_empty_lines(r.output);
}

const char* python_zip_list =
    "import sys, zipfile\nfor n in zipfile.ZipFile(sys.argv[1]).namelist(): print(n)\n";

void unpack_zip(const fs::path& archive, const fs::path& into) {
  if (program_exists("unzip")) {
    check_entry_names(list_entries({"unzip", "-Z1", archive.string()}, archive), archive);
    run_or_fail({"unzip", "-q", "-o", archive.string(), "-d", into.string()}, archive, "unpack");
  } else if (program_exists("bsdtar")) {
    check_entry_names(list_entries({"bsdtar", "-tf", archive.string()}, archive), archive);
    run_or_fail({"bsdtar", "-xf", archive.string(), "-C", into.string()}, archive, "unpack");
  } else if (program_exists("python3")) {
    check_entry_names(list_entries({"python3", "-c", python_zip_list, archive.string()}, archive), archive);
    run_or_fail({"python3", "-m", "zipfile", "-e", archive.string(), into.string()}, archive, "unpack");
  } else {
    throw SubmissionError(fmt::format(
        "{}: unpacking a .zip needs unzip, bsdtar or python3, and none is installed "
        "(Debian: apt-get install unzip), or hand over the unpacked folder instead",
        archive.string()));
  }
}

void unpack_tar_gz(const fs::path& archive, const fs::path& into) {
  if (!program_exists("tar")) throw SubmissionError("unpacking a .tar.gz needs tar, which is not installed");
  check_entry_names(list_entries({"tar", "-tzf", archive.string()}, archive), archive);
  run_or_fail({"tar", "-xzf", archive.string(), "-C", into.string(), "--no-same-owner", "--no-same-permissions"},
              archive, "unpack");
}

}  // namespace

TemporaryDirectory::TemporaryDirectory(fs::path path) : path_(std::move(path)) { fs::create_directories(path_); }
TemporaryDirectory::~TemporaryDirectory() {
  if (!path_.empty()) remove_tree_quietly(path_);
}
TemporaryDirectory::TemporaryDirectory(TemporaryDirectory&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

OpenedSubmission open_submission(const fs::path& path, const fs::path& unpack_parent) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw SubmissionError(fmt::format("{} does not exist", path.string()));

  OpenedSubmission opened;
  if (fs::is_directory(status)) {
    opened.name = fs::absolute(path).lexically_normal().filename().string();
    if (opened.name.empty()) opened.name = fs::absolute(path).lexically_normal().parent_path().filename().string();
    opened.root = find_submission_root(fs::absolute(path));
    return opened;
  }
  if (!fs::is_regular_file(status)) throw SubmissionError(fmt::format("{} is neither a folder nor a file", path.string()));

  const std::string file = path.filename().string();
  const bool zip = ends_with(file, ".zip");
  const bool tar_gz = ends_with(file, ".tar.gz") || ends_with(file, ".tgz");
  if (!zip && !tar_gz) {
    throw SubmissionError(fmt::format("{} is not a submission: give a folder that mirrors labs/, a .zip or a .tar.gz",
                                      path.string()));
  }
  if (fs::file_size(path) > max_archive_bytes) {
    throw SubmissionError(fmt::format("{} is larger than {}: a submission holds a few source files",
                                      path.string(), human_bytes(max_archive_bytes)));
  }
  opened.name = file.substr(0, file.size() - (zip ? 4 : (ends_with(file, ".tgz") ? 4 : 7)));
  opened.unpacked = std::make_unique<TemporaryDirectory>(unpack_parent / ("unpacked-" + random_hex(6)));
  if (zip) {
    unpack_zip(path, opened.unpacked->path());
  } else {
    unpack_tar_gz(path, opened.unpacked->path());
  }
  opened.root = find_submission_root(opened.unpacked->path());
  return opened;
}

}  // namespace grader
