#include "parlab/manifest/lab.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "json_fields.hpp"

namespace parlab::manifest {

namespace fs = std::filesystem;
using detail::Fields;

namespace {

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// "NN-" followed by a name: the folder names the build, the kit and the grader take as labs.
bool is_lab_folder_name(const std::string& name) {
  return name.size() > 3 && std::isdigit(static_cast<unsigned char>(name[0])) &&
         std::isdigit(static_cast<unsigned char>(name[1])) && name[2] == '-';
}

nlohmann::json parse_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(file.string() + ": not valid JSON: " + e.what());
  }
}

Task read_task(const Fields& t) {
  t.allow_only({"id", "title", "tag", "points", "hints", "any_failure_costs_at_least", "loopback_tcp"});
  Task task{t.text("id"), t.text_or("title", ""), t.text("tag"), t.number("points"), t.texts("hints"), 0,
            t.flag_or("loopback_tcp", false)};
  if (t.has("any_failure_costs_at_least")) {
    task.any_failure_costs_at_least = t.number("any_failure_costs_at_least");
    if (task.any_failure_costs_at_least <= 0 || task.any_failure_costs_at_least > 1) {
      t.fail("any_failure_costs_at_least",
             "expected a share of the task's points, a number above 0 and at most 1 (0.5: one failed case costs at "
             "least half)");
    }
  }
  return task;
}

PerformanceTask read_performance(const Fields& p) {
  p.allow_only({"id", "title", "metric", "threshold", "points"});
  return {p.text("id"), p.text_or("title", ""), p.text("metric"), p.number("threshold"), p.number("points")};
}

}  // namespace

double Lab::max_points() const {
  double total = performance_points();
  for (const auto& t : tasks) total += t.points;
  return total;
}

double Lab::performance_points() const {
  double total = 0;
  for (const auto& p : performance) total += p.points;
  return total;
}

const Task& Lab::task(const std::string& name) const {
  std::string wanted = name;
  if (wanted.size() >= 2 && wanted.front() == '[' && wanted.back() == ']') wanted = wanted.substr(1, wanted.size() - 2);
  if (all_digits(wanted)) wanted = "task" + wanted;
  for (const auto& t : tasks) {
    if (t.id == wanted) return t;
  }
  std::string known;
  for (const auto& t : tasks) known += (known.empty() ? "" : ", ") + t.id + " (tag " + t.tag + ")";
  throw std::invalid_argument("lab " + id + " has no task '" + name + "'; its tasks are: " + known);
}

Lab load_lab(const fs::path& lab_directory) {
  const fs::path file = lab_directory / "lab.json";
  const nlohmann::json doc = parse_file(file);
  const Fields top(doc, file, "");
  top.allow_only({"lab", "slug", "title", "handout", "summary", "editable", "headers", "given", "visible_tests",
                  "hidden_tests", "files", "race_check", "benchmark", "tasks", "performance"});
  Lab lab;
  lab.directory = lab_directory;
  lab.id = top.text("lab");
  if (lab.id.size() != 2 || !all_digits(lab.id)) top.fail("lab", "expected a two-digit id such as \"01\", found \"" + lab.id + "\"");
  lab.slug = top.text("slug");
  const std::string folder = lab_directory.filename().string();
  if (lab.slug != folder) top.fail("slug", "expected the folder's name '" + folder + "', found '" + lab.slug + "'");
  if (lab.slug.rfind(lab.id + "-", 0) != 0) top.fail("slug", "expected it to start with the lab id and a dash, '" + lab.id + "-'");
  lab.title = top.text("title");
  lab.editable = top.texts("editable");
  if (lab.editable.empty()) top.fail("editable", "expected at least one file the student edits, found none");
  for (const auto& e : lab.editable) {
    if (e.empty() || e.front() == '/' || e.find("..") != std::string::npos) {
      top.fail("editable", "expected lab-relative paths, found '" + e + "'");
    }
  }
  for (const char* list : {"headers", "given", "visible_tests", "files"}) (void)top.texts(list);
  (void)top.text_or("handout", "");
  (void)top.text_or("summary", "");
  lab.has_hidden_tests = !top.texts("hidden_tests").empty();
  lab.race_check = top.flag_or("race_check", false);
  if (const auto benchmark = top.object_if_present("benchmark")) {
    benchmark->allow_only({"target", "sources", "grading_args"});
    lab.benchmark_target = benchmark->text("target");
    (void)benchmark->texts("sources");
    lab.benchmark_args = benchmark->texts("grading_args");
  }
  for (const auto& t : top.objects("tasks", true)) lab.tasks.push_back(read_task(t));
  for (const auto& p : top.objects("performance", false)) lab.performance.push_back(read_performance(p));
  return lab;
}

Catalog discover_labs(const fs::path& source_root) {
  const fs::path labs_dir = source_root / "labs";
  if (!fs::is_directory(labs_dir)) throw std::runtime_error(labs_dir.string() + " does not exist: this is not a parlab tree");
  Catalog catalog;
  for (const auto& entry : fs::directory_iterator(labs_dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !is_lab_folder_name(name)) continue;
    if (!fs::exists(entry.path() / "lab.json")) continue;  // a lab still being written
    try {
      catalog.labs.push_back(load_lab(entry.path()));
    } catch (const std::exception& e) {
      catalog.broken.push_back({name, e.what()});
    }
  }
  std::sort(catalog.labs.begin(), catalog.labs.end(), [](const Lab& a, const Lab& b) { return a.id < b.id; });
  std::sort(catalog.broken.begin(), catalog.broken.end(), [](const auto& a, const auto& b) { return a.folder < b.folder; });
  return catalog;
}

bool names_lab(const std::string& slug, const std::string& name) {
  if (name.empty() || !is_lab_folder_name(slug)) return false;
  if (name == slug || name == slug.substr(3)) return true;
  // "1", "01" and "001" are the same number; compare digits without leading zeros.
  if (!all_digits(name)) return false;
  const auto strip = [](const std::string& digits) {
    const auto first = digits.find_first_not_of('0');
    return first == std::string::npos ? std::string("0") : digits.substr(first);
  };
  return strip(name) == strip(slug.substr(0, 2));
}

const Lab* find_lab(const std::vector<Lab>& labs, const std::string& name) {
  const auto found = std::find_if(labs.begin(), labs.end(), [&](const Lab& lab) { return names_lab(lab.slug, name); });
  return found == labs.end() ? nullptr : &*found;
}

}  // namespace parlab::manifest
