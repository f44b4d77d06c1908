#include "batch/lms_roster.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include <csv.h>
#include <fmt/format.h>

#include "util/files.hpp"
#include "util/text.hpp"

namespace grader {

namespace {

// The header names each field accepts: ours first, then what Canvas and Moodle exports call it.
const std::map<std::string, std::string RosterPerson::*> column_names = {
    {"folder", &RosterPerson::folder},       {"name", &RosterPerson::name},
    {"student", &RosterPerson::name},        {"id", &RosterPerson::id},
    {"user id", &RosterPerson::id},          {"sis_id", &RosterPerson::sis_id},
    {"sis user id", &RosterPerson::sis_id},  {"id number", &RosterPerson::sis_id},
    {"idnumber", &RosterPerson::sis_id},     {"login", &RosterPerson::login},
    {"sis login id", &RosterPerson::login},  {"username", &RosterPerson::login},
    {"email", &RosterPerson::email},         {"email address", &RosterPerson::email},
    {"section", &RosterPerson::section},
};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// libcsv calls back per field and per record; this collects the records.
struct CsvRows {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> current;
  static void on_field(void* data, size_t size, void* self) {
    static_cast<CsvRows*>(self)->current.emplace_back(static_cast<const char*>(data), size);
  }
  static void on_record(int, void* self) {
    auto* rows = static_cast<CsvRows*>(self);
    rows->rows.push_back(std::move(rows->current));
    rows->current.clear();
  }
};

// RAII owner of a libcsv parser.
class CsvParser {
 public:
  CsvParser() {
    if (csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI) != 0) throw std::runtime_error("csv_init failed");
  }
  ~CsvParser() { csv_free(&parser_); }
  CsvParser(const CsvParser&) = delete;
  CsvParser& operator=(const CsvParser&) = delete;
  csv_parser* get() { return &parser_; }

 private:
  csv_parser parser_{};
};

std::vector<std::vector<std::string>> parse_csv(std::string_view text, const std::string& file_name) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // Excel's byte-order mark
  CsvParser parser;
  CsvRows rows;
  if (csv_parse(parser.get(), text.data(), text.size(), CsvRows::on_field, CsvRows::on_record, &rows) != text.size() ||
      csv_fini(parser.get(), CsvRows::on_field, CsvRows::on_record, &rows) != 0) {
    throw std::invalid_argument(fmt::format("{} is not valid CSV ({}, near record {}): quote fields that hold commas, "
                                            "quotes or line breaks, and double the quotes inside them",
                                            file_name, csv_strerror(csv_error(parser.get())), rows.rows.size() + 1));
  }
  return rows.rows;
}

}  // namespace

LmsRoster parse_lms_roster(std::string_view text, const std::string& file_name) {
  const auto rows = parse_csv(text, file_name);
  if (rows.empty()) throw std::invalid_argument(file_name + " is empty: its first line names the columns (folder,name,id,...)");
  std::vector<std::string RosterPerson::*> fields;
  for (const auto& header : rows[0]) {
    const auto it = column_names.find(lower(trim(header)));
    if (it == column_names.end()) {
      throw std::invalid_argument(fmt::format("{}: unknown column '{}'; the columns are folder, name, id, sis_id, login, "
                                              "email and section (or Canvas's and Moodle's names for them)",
                                              file_name, header));
    }
    fields.push_back(it->second);
  }
  if (std::find(fields.begin(), fields.end(), &RosterPerson::folder) == fields.end()) {
    throw std::invalid_argument(file_name + " has no 'folder' column: it says which submission folder (alice for "
                                "alice/ or alice.zip) belongs to which LMS student");
  }
  LmsRoster roster;
  std::set<std::string> folders;
  for (std::size_t line = 1; line < rows.size(); ++line) {
    const auto& row = rows[line];
    if (std::all_of(row.begin(), row.end(), [](const auto& f) { return trim(f).empty(); })) continue;
    if (row.size() != fields.size()) {
      throw std::invalid_argument(fmt::format("{} record {} has {} fields, the header {}", file_name, line + 1, row.size(),
                                              fields.size()));
    }
    RosterPerson person;
    for (std::size_t i = 0; i < row.size(); ++i) person.*fields[i] = trim(row[i]);
    if (person.folder.empty()) throw std::invalid_argument(fmt::format("{} record {} has no folder", file_name, line + 1));
    if (!person.has_identifier()) {
      throw std::invalid_argument(fmt::format("{} record {} ({}) has no identifier: give its id, sis_id, login or email, "
                                              "or the LMS cannot tell who it is",
                                              file_name, line + 1, person.folder));
    }
    if (!folders.insert(person.folder).second) {
      throw std::invalid_argument(fmt::format("{} lists the folder '{}' twice (record {}): one row per student",
                                              file_name, person.folder, line + 1));
    }
    roster.people.push_back(std::move(person));
  }
  return roster;
}

LmsRoster read_lms_roster(const std::filesystem::path& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw std::invalid_argument(path.string() + " does not exist: give the roster file (folder,name,id,...) or leave --roster out");
  }
  return parse_lms_roster(read_file(path), path.string());
}

std::string ClassMember::display_name() const {
  if (person && !person->name.empty()) return person->name;
  return person ? person->folder : record->student;
}

ClassList match_roster(const std::vector<StudentRecord>& records, const std::optional<LmsRoster>& roster) {
  ClassList list;
  list.has_roster = roster.has_value();
  std::map<std::string, const RosterPerson*> by_folder;
  if (roster) {
    for (const auto& person : roster->people) by_folder.emplace(person.folder, &person);
  }
  if (!roster) {
    list.notes.push_back("No roster: canvas.csv names each student by folder name (Canvas matches names, and asks about "
                         "the rest); moodle.csv gives the folder name as Username. Give --roster roster.csv (folder,name,"
                         "id,sis_id,login,email,section) to export the LMS's own identifiers.");
  }
  std::set<std::string> handed_in;
  for (const auto& record : records) {
    ClassMember member;
    member.record = record;
    handed_in.insert(record.student);
    if (const auto it = by_folder.find(record.student); it != by_folder.end()) {
      member.person = *it->second;
    } else if (roster) {
      list.notes.push_back(fmt::format("{} handed in work but is not in the roster: canvas.csv has the row under the folder "
                                       "name (Canvas asks you to match it), moodle.csv leaves it out (Moodle stops an "
                                       "import at a row it cannot match). Add the student to the roster and run the "
                                       "batch again.",
                                       record.student));
    }
    list.members.push_back(std::move(member));
  }
  if (roster) {
    for (const auto& person : roster->people) {
      if (handed_in.count(person.folder) != 0) continue;
      list.notes.push_back(fmt::format("{} ({}) is in the roster but handed in nothing (no {} in the class folder): 0 "
                                       "points in the exports",
                                       person.name.empty() ? person.folder : person.name, person.folder, person.folder));
      list.members.push_back(ClassMember{person, std::nullopt});
    }
  }
  return list;
}

}  // namespace grader
