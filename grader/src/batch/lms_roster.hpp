#pragma once
// The class list an LMS knows: roster.csv, which the instructor exports from Canvas or
// Moodle (or writes) and which maps each submission folder to the student's LMS
// identifiers. Optional: without it the exports identify students by folder name.
//
//   folder,name,id,sis_id,login,email,section
//   alice,"Liddell, Alice",1001,S-17,aliddell,alice@example.edu,Section A
//
// Only `folder` is required, plus at least one identifier (id, sis_id, login or email) per
// row; columns may come in any order. Matching it with the graded submissions gives the
// class list: a student in the roster who handed in nothing is on it with 0 points, and a
// submission that is not in the roster stays on it too, flagged.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "batch/journal.hpp"

namespace grader {

struct RosterPerson {
  std::string folder;   // the submission entry's name: alice for alice/ or alice.zip
  std::string name;     // as the LMS shows it ("Liddell, Alice")
  std::string id;       // the LMS's own user id (Canvas "ID", Moodle "User ID")
  std::string sis_id;   // the institution's id (Canvas "SIS User ID", Moodle "ID number")
  std::string login;    // Canvas "SIS Login ID", Moodle "Username"
  std::string email;
  std::string section;

  [[nodiscard]] bool has_identifier() const { return !id.empty() || !sis_id.empty() || !login.empty() || !email.empty(); }
};

struct LmsRoster {
  std::vector<RosterPerson> people;  // in the file's order
};

// Throws std::invalid_argument naming the file, the line and what to fix: no `folder`
// column, an unknown column, a row without an identifier, a folder listed twice, a CSV
// syntax error.
[[nodiscard]] LmsRoster parse_lms_roster(std::string_view text, const std::string& file_name);
[[nodiscard]] LmsRoster read_lms_roster(const std::filesystem::path& path);

struct ClassMember {
  std::optional<RosterPerson> person;   // absent: the submission is not in the roster
  std::optional<StudentRecord> record;  // absent: in the roster, but nothing handed in
  [[nodiscard]] std::string display_name() const;
};

struct ClassList {
  bool has_roster = false;
  std::vector<ClassMember> members;  // the graded submissions in order, then the roster's missing ones
  std::vector<std::string> notes;    // one per mismatch, saying what the exports did about it
};

[[nodiscard]] ClassList match_roster(const std::vector<StudentRecord>& records, const std::optional<LmsRoster>& roster);

}  // namespace grader
