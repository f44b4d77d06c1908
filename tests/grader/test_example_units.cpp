// The bundled examples as twists on the reference (grader/examples/<name>/twist.toml): every
// shipped twist fits today's reference and changes only the files it names, and a twist that
// does not fit (text not found, found twice, a bad key or path) is refused with a message
// that names the twist file, the entry and what to change.
#include <algorithm>
#include <filesystem>
#include <string>

#include "example_twist.hpp"
#include "examples.hpp"
#include "parlab_test/catch.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;
using parlab_test::ContainsSubstring;

namespace {

const fs::path source_root = PARLAB_GRADER_SOURCE_ROOT;
const fs::path solutions = source_root / "solutions";

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("parlab-grader-example-" + name + "-" + grader::random_hex(4));
  fs::create_directories(dir);
  return dir;
}

// A twist on lab 01's blocking_queue.cpp, written into its own example folder.
fs::path example_with_twist(const fs::path& parent, const std::string& twist_text) {
  const fs::path example = parent / "example";
  fs::create_directories(example);
  grader::write_file_atomically(example / "twist.toml", twist_text);
  return example;
}

}  // namespace

TEST_CASE("every bundled twist applies to the reference and changes only the files it names", "[examples]") {
  const fs::path scratch = fresh_dir("bundled");
  for (const auto& example : grader::find_examples(source_root / "grader" / "examples")) {
    if (!fs::exists(example / "twist.toml")) continue;
    INFO("example " << example.filename().string());
    const grader::ExampleTwist twist = grader::read_example_twist(example / "twist.toml");
    const fs::path submission = scratch / example.filename();
    grader::materialise_example(example, solutions, submission);
    for (const std::string& lab : grader::twisted_labs(twist)) {
      for (const auto& file : fs::recursive_directory_iterator(submission / lab)) {
        if (!file.is_regular_file()) continue;
        const fs::path relative = fs::relative(file.path(), submission);
        const bool twisted = std::any_of(twist.replacements.begin(), twist.replacements.end(),
                                         [&](const auto& r) { return r.file == relative; });
        INFO(relative.string());
        CHECK((grader::read_file(file.path()) != grader::read_file(solutions / relative)) == twisted);
      }
    }
  }
  grader::remove_tree_quietly(scratch);
}

TEST_CASE("a twist that does not fit the reference is refused with what to change", "[examples]") {
  const fs::path scratch = fresh_dir("refused");
  const std::string file = "file = \"01-queues/src/blocking_queue.cpp\"\n";
  SECTION("text that is not in the reference") {
    const auto example = example_with_twist(scratch, "[[replace]]\n" + file + "find = 'notify_some()'\nwith = 'x'\n");
    CHECK_THROWS_WITH(grader::materialise_example(example, solutions, scratch / "out"),
                      ContainsSubstring("twist.toml: [[replace]] entry 1") &&
                          ContainsSubstring("occurs 0 times in the reference's 01-queues/src/blocking_queue.cpp"));
  }
  SECTION("text found in more than one place") {
    const auto example = example_with_twist(scratch, "[[replace]]\n" + file + "find = 'notify_all();'\nwith = 'x'\n");
    CHECK_THROWS_WITH(grader::materialise_example(example, solutions, scratch / "out"), ContainsSubstring("not once"));
  }
  SECTION("an unknown key") {
    const auto example = example_with_twist(scratch, "[[replace]]\n" + file + "find = 'a'\nwith = 'b'\nreplace_all = true\n");
    CHECK_THROWS_WITH(grader::materialise_example(example, solutions, scratch / "out"), ContainsSubstring("unknown key `replace_all`"));
  }
  SECTION("a file outside a lab's sources") {
    const auto example = example_with_twist(scratch, "[[replace]]\nfile = '01-queues/../../etc/passwd'\nfind = 'a'\nwith = 'b'\n");
    CHECK_THROWS_WITH(grader::materialise_example(example, solutions, scratch / "out"), ContainsSubstring("must name a lab's source file"));
  }
  SECTION("no entry at all") {
    const auto example = example_with_twist(scratch, "# nothing\n");
    CHECK_THROWS_WITH(grader::materialise_example(example, solutions, scratch / "out"), ContainsSubstring("holds no [[replace]] entry"));
  }
  grader::remove_tree_quietly(scratch);
}
