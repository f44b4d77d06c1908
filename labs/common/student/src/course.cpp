#include "course.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace parlab::student {
namespace fs = std::filesystem;

const Task& Lab::task(const std::string& task_id) const {
  // "2", "task2" and "[task2]" all name task 2.
  std::string wanted = task_id;
  if (!wanted.empty() && wanted.front() == '[') wanted = wanted.substr(1, wanted.size() - 2);
  if (!wanted.empty() && std::all_of(wanted.begin(), wanted.end(), ::isdigit)) wanted = "task" + wanted;
  for (const auto& t : tasks) {
    if (t.id == wanted) return t;
  }
  std::string known;
  for (const auto& t : tasks) known += (known.empty() ? "" : ", ") + t.id + " (tag " + t.tag + ")";
  throw std::invalid_argument("lab " + id + " has no task '" + task_id + "'; its tasks are: " + known);
}

Course Course::load(const fs::path& source_dir, const fs::path& build_dir) {
  Course course{source_dir, build_dir, {}};
  const fs::path labs_dir = source_dir / "labs";
  if (!fs::is_directory(labs_dir)) {
    throw std::runtime_error(labs_dir.string() + " does not exist: run parlab from a parlab checkout, or pass --source DIR");
  }
  std::vector<fs::path> manifests;
  for (const auto& entry : fs::directory_iterator(labs_dir)) {
    const auto manifest = entry.path() / "lab.json";
    if (entry.is_directory() && fs::exists(manifest)) manifests.push_back(manifest);
  }
  std::sort(manifests.begin(), manifests.end());
  for (const auto& path : manifests) {
    std::ifstream in(path);
    nlohmann::json j;
    try {
      in >> j;
      Lab lab;
      lab.id = j.at("lab").get<std::string>();
      lab.slug = j.at("slug").get<std::string>();
      lab.title = j.at("title").get<std::string>();
      lab.dir = path.parent_path();
      lab.editable = j.at("editable").get<std::vector<std::string>>();
      lab.race_check = j.value("race_check", false);
      for (const auto& t : j.at("tasks")) {
        lab.tasks.push_back(Task{t.at("id").get<std::string>(), t.at("title").get<std::string>(),
                                 t.at("tag").get<std::string>(), t.at("points").get<int>(),
                                 t.value("hints", std::vector<std::string>{})});
      }
      if (j.contains("benchmark")) {
        lab.bench_target = j["benchmark"].value("target", "");
        lab.bench_grading_args = j["benchmark"].value("grading_args", std::vector<std::string>{});
      }
      for (const auto& p : j.value("performance", nlohmann::json::array())) {
        lab.performance.push_back({p.at("id").get<std::string>(), p.at("title").get<std::string>(),
                                   p.at("metric").get<std::string>(), p.at("threshold").get<double>()});
        lab.performance_points += p.value("points", 0);
      }
      course.labs.push_back(std::move(lab));
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error("cannot read the lab manifest " + path.string() + ": " + e.what());
    }
  }
  if (course.labs.empty()) throw std::runtime_error("no lab manifests found under " + labs_dir.string());
  return course;
}

const Lab& Course::lab(const std::string& name) const {
  for (const auto& lab : labs) {
    const std::string suffix = lab.slug.substr(lab.slug.find('-') + 1);
    const bool numeric = !name.empty() && std::all_of(name.begin(), name.end(), ::isdigit);
    if (name == lab.id || name == lab.slug || name == suffix || (numeric && std::stoi(name) == std::stoi(lab.id))) {
      return lab;
    }
  }
  std::string known;
  for (const auto& lab : labs) known += "\n  " + lab.id + "  " + lab.slug + "  " + lab.title;
  throw std::invalid_argument("no lab called '" + name + "'. The labs are:" + known);
}

}  // namespace parlab::student
