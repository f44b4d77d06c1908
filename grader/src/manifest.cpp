#include "manifest.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/files.hpp"

namespace grader {

namespace {

using nlohmann::json;

const json& member(const json& object, const char* key, const fs::path& file) {
  if (!object.is_object() || !object.contains(key)) {
    throw std::runtime_error(fmt::format("{}: missing field '{}'", file.string(), key));
  }
  return object.at(key);
}

std::vector<std::string> string_list(const json& object, const char* key) {
  std::vector<std::string> out;
  if (object.contains(key) && object.at(key).is_array()) {
    for (const auto& item : object.at(key)) out.push_back(item.get<std::string>());
  }
  return out;
}

// A misspelt rubric key would silently score the task the default way: refuse it.
void check_task_keys(const json& task, const fs::path& file) {
  static const std::set<std::string> known = {"id", "title", "tag", "points", "hints", "any_failure_costs_at_least"};
  if (!task.is_object()) throw std::runtime_error(fmt::format("{}: every entry of 'tasks' must be an object", file.string()));
  for (const auto& [key, value] : task.items()) {
    if (known.count(key) == 0) {
      throw std::runtime_error(fmt::format("{}: task '{}' has an unknown field '{}'; the fields are id, title, tag, "
                                           "points, hints, any_failure_costs_at_least",
                                           file.string(), task.value("id", std::string{"?"}), key));
    }
  }
}

double failure_share(const json& task, const fs::path& file) {
  if (!task.contains("any_failure_costs_at_least")) return 0;
  const json& value = task.at("any_failure_costs_at_least");
  if (!value.is_number() || value.get<double>() <= 0 || value.get<double>() > 1) {
    throw std::runtime_error(fmt::format("{}: task '{}': any_failure_costs_at_least must be a share of the task's "
                                         "points, a number above 0 and at most 1 (0.5: one failed case costs at least half)",
                                         file.string(), task.value("id", std::string{"?"})));
  }
  return value.get<double>();
}

}  // namespace

double LabManifest::max_points() const {
  double total = 0;
  for (const auto& t : tasks) total += t.points;
  for (const auto& p : performance) total += p.points;
  return total;
}

LabManifest load_manifest(const fs::path& lab_directory) {
  const fs::path file = lab_directory / "lab.json";
  json doc;
  try {
    doc = json::parse(read_file(file));
  } catch (const json::exception& e) {
    throw std::runtime_error(fmt::format("{}: not valid JSON: {}", file.string(), e.what()));
  }
  try {
    LabManifest lab;
    lab.directory = lab_directory;
    lab.id = member(doc, "lab", file).get<std::string>();
    lab.slug = member(doc, "slug", file).get<std::string>();
    lab.title = member(doc, "title", file).get<std::string>();
    lab.editable = string_list(doc, "editable");
    lab.has_hidden_tests = !string_list(doc, "hidden_tests").empty();
    lab.race_check = doc.value("race_check", false);
    if (doc.contains("benchmark") && doc.at("benchmark").is_object()) {
      lab.benchmark_target = doc.at("benchmark").value("target", std::string{});
      lab.benchmark_args = string_list(doc.at("benchmark"), "grading_args");
    }
    for (const auto& t : member(doc, "tasks", file)) {
      check_task_keys(t, file);
      lab.tasks.push_back({member(t, "id", file).get<std::string>(), t.value("title", std::string{}),
                           member(t, "tag", file).get<std::string>(), member(t, "points", file).get<double>(),
                           string_list(t, "hints"), failure_share(t, file)});
    }
    if (doc.contains("performance")) {
      for (const auto& p : doc.at("performance")) {
        lab.performance.push_back({member(p, "id", file).get<std::string>(), p.value("title", std::string{}),
                                   member(p, "metric", file).get<std::string>(),
                                   member(p, "threshold", file).get<double>(), member(p, "points", file).get<double>()});
      }
    }
    if (lab.editable.empty()) throw std::runtime_error(file.string() + ": 'editable' lists no file");
    for (const auto& e : lab.editable) {
      if (e.empty() || e.front() == '/' || e.find("..") != std::string::npos) {
        throw std::runtime_error(fmt::format("{}: editable path '{}' must be lab-relative", file.string(), e));
      }
    }
    return lab;
  } catch (const json::exception& e) {
    throw std::runtime_error(fmt::format("{}: unexpected field type: {}", file.string(), e.what()));
  }
}

LabCatalog discover_labs(const fs::path& source_root) {
  const fs::path labs_dir = source_root / "labs";
  if (!fs::is_directory(labs_dir)) {
    throw std::runtime_error(labs_dir.string() + " does not exist: is --source-dir a parlab tree?");
  }
  LabCatalog catalog;
  for (const auto& entry : fs::directory_iterator(labs_dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.size() < 3 || !std::isdigit(static_cast<unsigned char>(name[0])) ||
        !std::isdigit(static_cast<unsigned char>(name[1])) || name[2] != '-') {
      continue;
    }
    if (!fs::exists(entry.path() / "lab.json")) continue;  // a lab still being written
    try {
      catalog.labs.push_back(load_manifest(entry.path()));
    } catch (const std::exception& e) {
      catalog.broken.push_back({name, e.what()});
    }
  }
  std::sort(catalog.labs.begin(), catalog.labs.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return catalog;
}

std::vector<LabManifest> select_labs(const LabCatalog& catalog, const std::vector<std::string>& ids) {
  const auto& all = catalog.labs;
  if (ids.empty()) return all;
  std::vector<LabManifest> chosen;
  for (std::string id : ids) {
    if (id.size() == 1 && std::isdigit(static_cast<unsigned char>(id[0]))) id = "0" + id;
    const auto found = std::find_if(all.begin(), all.end(), [&](const auto& lab) { return lab.id == id || lab.slug == id; });
    if (found == all.end()) {
      for (const auto& broken : catalog.broken) {
        if (broken.folder.rfind(id, 0) == 0) throw std::runtime_error("lab " + id + ": " + broken.error);
      }
      std::string known;
      for (const auto& lab : all) known += (known.empty() ? "" : ", ") + lab.id;
      throw std::invalid_argument(fmt::format("unknown lab '{}'; this tree has labs {}", id, known));
    }
    if (std::none_of(chosen.begin(), chosen.end(), [&](const auto& lab) { return lab.id == found->id; })) {
      chosen.push_back(*found);
    }
  }
  std::sort(chosen.begin(), chosen.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return chosen;
}

}  // namespace grader
