// Tests of the shared manifest model (labs/common/manifest, parlab_manifest): the reading
// of lab.json that the grader and the `parlab` command share, its error messages, the lab
// lookup both accept, and the readers of the result channel, benchmark reports and Catch2
// listings.
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "parlab/manifest/benchmark_report.hpp"
#include "parlab/manifest/catch_cli.hpp"
#include "parlab/manifest/lab.hpp"
#include "parlab/manifest/result_channel.hpp"
#include "parlab_test/catch.hpp"

namespace fs = std::filesystem;
using namespace parlab::manifest;
using parlab_test::ContainsSubstring;

namespace {

// A labs/ tree of its own, removed at the end of the test.
class ScratchTree {
 public:
  ScratchTree() : root_(fs::temp_directory_path() / ("parlab-manifest-test-" + std::to_string(std::random_device{}()))) {
    fs::create_directories(root_ / "labs");
  }
  ~ScratchTree() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  ScratchTree(const ScratchTree&) = delete;
  ScratchTree& operator=(const ScratchTree&) = delete;

  fs::path add_lab(const std::string& folder, const std::string& manifest) const {
    const fs::path dir = root_ / "labs" / folder;
    fs::create_directories(dir);
    std::ofstream(dir / "lab.json") << manifest;
    return dir;
  }
  [[nodiscard]] const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

// A good manifest with `task_extra` added to its one task and `top_extra` to the top.
std::string manifest(const std::string& slug, const std::string& task_extra = "", const std::string& top_extra = "") {
  return R"({"lab": ")" + slug.substr(0, 2) + R"(", "slug": ")" + slug + R"(", "title": "t", "editable": ["src/a.cpp"],)" +
         top_extra + R"( "tasks": [{"id": "task1", "title": "one", "tag": "[task1]", "points": 20)" + task_extra + "}]}";
}

}  // namespace

TEST_CASE("every lab of this tree loads and answers to its number and slug and name", "[manifest]") {
  const Catalog catalog = discover_labs(PARLAB_SOURCE_DIR);
  REQUIRE(catalog.broken.empty());
  REQUIRE(catalog.labs.size() >= 5);
  for (const std::string name : {"1", "01", "01-queues", "queues"}) {
    const Lab* lab = find_lab(catalog.labs, name);
    REQUIRE(lab != nullptr);
    CHECK(lab->slug == "01-queues");
  }
  CHECK(find_lab(catalog.labs, "09") == nullptr);
  CHECK(find_lab(catalog.labs, "queue") == nullptr);
  CHECK(find_lab(catalog.labs, "") == nullptr);
  const Lab& queues = *find_lab(catalog.labs, "queues");
  CHECK(queues.visible_target() == "lab01_visible");
  CHECK(queues.hidden_target() == "lab01_hidden");
  CHECK(queues.benchmark_target == "lab01_bench");
  CHECK(queues.task("2").id == "task2");
  CHECK(queues.task("[task3]").id == "task3");
  CHECK_THROWS_WITH(queues.task("9"), ContainsSubstring("its tasks are: task1 (tag [task1])"));
  CHECK(queues.max_points() == 100);
  // Only lab 04's Redis task runs a server of its own: every other case is refused TCP
  // without bubblewrap (grader/src/sandbox/landlock.hpp).
  for (const Lab& lab : catalog.labs) {
    for (const auto& task : lab.tasks) {
      INFO(lab.slug << " " << task.id);
      CHECK(task.loopback_tcp == (lab.slug == "04-early-exit" && task.id == "task4"));
    }
  }
}

TEST_CASE("a broken manifest is refused naming the file and the key and what was expected", "[manifest]") {
  const ScratchTree tree;
  const auto refusal = [&](const std::string& folder, const std::string& text) {
    const fs::path dir = tree.add_lab(folder, text);
    try {
      (void)load_lab(dir);
    } catch (const std::runtime_error& e) {
      const std::string message = e.what();
      CHECK_THAT(message, ContainsSubstring((dir / "lab.json").string() + ": "));
      return message;
    }
    FAIL("the manifest of " << folder << " was accepted");
    return std::string{};
  };
  CHECK_THAT(refusal("01-a", R"({"lab": "01", "slug": "01-a", "title": "t", "editable": ["a.cpp"],
                                     "tasks": [{"id": "task1", "tag": "[task1]", "points": "30"}]})"),
             ContainsSubstring("tasks[0].points: expected a number, found a string (\"30\")"));
  CHECK_THAT(refusal("02-b", R"({"lab": "02", "slug": "02-b", "title": "t", "editable": ["a.cpp"]})"),
             ContainsSubstring("missing key 'tasks' (expected an array of objects)"));
  CHECK_THAT(refusal("03-c", manifest("03-c", R"(, "any_failure_cost": 0.5)")),
             ContainsSubstring("tasks[0]: unknown field 'any_failure_cost'"));
  CHECK_THAT(refusal("04-d", manifest("04-d", R"(, "any_failure_costs_at_least": 1.5)")),
             ContainsSubstring("tasks[0].any_failure_costs_at_least: expected a share"));
  CHECK_THAT(refusal("05-e", manifest("05-e", "", R"( "race_chek": true,)")), ContainsSubstring("unknown field 'race_chek'"));
  CHECK_THAT(refusal("06-f", manifest("07-f")), ContainsSubstring("slug: expected the folder's name '06-f', found '07-f'"));
  CHECK_THAT(refusal("08-g", manifest("08-g", "", R"( "headers": ["a.hpp", 3],)")),
             ContainsSubstring("headers[1]: expected a string, found a number (3)"));
  CHECK_THAT(refusal("09-h", "{\"lab\": "), ContainsSubstring("not valid JSON"));
  CHECK_THAT(refusal("10-i", manifest("10-i", R"(, "loopback_tcp": "yes")")),
             ContainsSubstring("tasks[0].loopback_tcp: expected true or false"));
}

TEST_CASE("discovery lists a broken lab beside the good ones and lookup finds both by name", "[manifest]") {
  const ScratchTree tree;
  tree.add_lab("01-good", manifest("01-good", R"(, "any_failure_costs_at_least": 0.5)"));
  tree.add_lab("02-bad", "[" + manifest("02-bad").substr(1));
  fs::create_directories(tree.root() / "labs" / "03-unwritten");  // no lab.json yet: not a lab
  fs::create_directories(tree.root() / "labs" / "common");
  const Catalog catalog = discover_labs(tree.root());
  REQUIRE(catalog.labs.size() == 1);
  CHECK(catalog.labs[0].tasks.at(0).any_failure_costs_at_least == 0.5);
  REQUIRE(catalog.broken.size() == 1);
  CHECK(catalog.broken[0].folder == "02-bad");
  CHECK(names_lab(catalog.broken[0].folder, "bad"));
  CHECK(names_lab(catalog.broken[0].folder, "2"));
  CHECK_FALSE(names_lab(catalog.broken[0].folder, "3"));
  CHECK_THROWS_WITH(discover_labs(tree.root() / "nowhere"), ContainsSubstring("does not exist"));
}

TEST_CASE("the benchmark report is the last JSON object whatever was printed around it", "[manifest]") {
  CHECK(find_benchmark_report(R"({"metrics": {"a": 1}})")->at("metrics").at("a") == 1);
  const auto noisy = find_benchmark_report("student says {hello}\n{ not json\n{\n  \"metrics\": {\"a\": 2}\n}\n");
  REQUIRE(noisy.has_value());
  CHECK(noisy->at("metrics").at("a") == 2);
  CHECK_FALSE(find_benchmark_report("no report here\n").has_value());
  CHECK_FALSE(find_benchmark_report("").has_value());
}

TEST_CASE("result channel records are read field by field and anything else is ignored", "[manifest]") {
  using Event = ChannelRecord::Event;
  const auto ended = parse_channel_record(R"({"event":"case_ended","name":"a","passed":true,"assertions_passed":3,"nonce":"n"})");
  REQUIRE(ended.has_value());
  CHECK(ended->event == Event::case_ended);
  CHECK(ended->name == "a");
  CHECK(ended->passed);
  CHECK(ended->assertions_passed == 3);
  CHECK(ended->nonce == "n");
  const auto failed = parse_channel_record(R"({"event":"assertion_failed","file":"x.cpp","line":7,"macro":"CHECK"})");
  REQUIRE(failed.has_value());
  CHECK(failed->line == 7);
  CHECK(failed->macro == "CHECK");
  CHECK_FALSE(parse_channel_record("printed by the student").has_value());
  CHECK_FALSE(parse_channel_record(R"({"event":"case_ended","passed":"yes"})").has_value());
  CHECK_FALSE(parse_channel_record(R"({"event":"made_up"})").has_value());
  CHECK_FALSE(parse_channel_record(R"(["event"])").has_value());
}

TEST_CASE("Catch2 listings and test specs", "[manifest]") {
  CHECK(catch_listed_names("one\r\n\ntwo\nNo test cases matched '[x]'\n") == std::vector<std::string>{"one", "two"});
  CHECK(catch_test_spec("a, b [c] *d* \"e\" \\") == "a\\, b \\[c\\] \\*d\\* \\\"e\\\" \\\\");
  CHECK(catch_test_spec("~not") == "\\~not");
  CHECK(catch_test_spec("#file") == "\\#file");
  CHECK(catch_test_spec("a~b") == "a~b");
  CHECK_FALSE(catch_list_arguments().empty());
}
