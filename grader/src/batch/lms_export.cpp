#include "batch/lms_export.hpp"

#include <fmt/format.h>

namespace grader {

namespace {

// The cell for one lab: blank where the grader failed (an import leaves the grade as it
// is), the points otherwise; 0 for a student with no submission.
std::string lab_cell(const ClassMember& member, const LabColumn& lab) {
  if (!member.record) return "0";
  if (member.record->outcome == Outcome::grader_failed) return "";
  const LabPoints* points = find_lab(*member.record, lab.id);
  if (points != nullptr && points->status == LabStatus::grader_error) return "";
  return points_text(points != nullptr ? points->points : 0);
}

std::string lab_cells(const std::vector<LabColumn>& labs, const ClassMember& member) {
  std::string out;
  for (const auto& lab : labs) out += "," + lab_cell(member, lab);
  return out;
}

std::string assignment_headers(const std::vector<LabColumn>& labs) {
  std::string out;
  for (const auto& lab : labs) out += "," + csv_field(lms_assignment_name(lab));
  return out;
}

}  // namespace

std::string lms_assignment_name(const LabColumn& lab) { return "Lab " + lab.id; }

std::string render_canvas_csv(const std::vector<LabColumn>& labs, const ClassList& list) {
  std::string out = "Student,ID,SIS User ID,SIS Login ID,Section" + assignment_headers(labs) + "\n";
  out += "Points Possible,,,,";
  for (const auto& lab : labs) out += "," + points_text(lab.max_points);
  out += "\n";
  for (const auto& member : list.members) {
    const RosterPerson none;
    const RosterPerson& p = member.person ? *member.person : none;
    out += fmt::format("{},{},{},{},{}{}\n", csv_field(member.display_name()), csv_field(p.id), csv_field(p.sis_id),
                       csv_field(p.login), csv_field(p.section), lab_cells(labs, member));
  }
  return out;
}

std::string render_moodle_csv(const std::vector<LabColumn>& labs, const ClassList& list) {
  std::string out = "Name,User ID,ID number,Username,Email address" + assignment_headers(labs) + "\n";
  for (const auto& member : list.members) {
    RosterPerson p;
    if (member.person) {
      p = *member.person;
    } else if (!list.has_roster) {
      p.login = member.record->student;  // no roster: the folder name is the best guess at a username
    } else {
      continue;  // not in the roster: Moodle would abort the import at this row (see the notes)
    }
    out += fmt::format("{},{},{},{},{}{}\n", csv_field(member.display_name()), csv_field(p.id), csv_field(p.sis_id),
                       csv_field(p.login), csv_field(p.email), lab_cells(labs, member));
  }
  return out;
}

}  // namespace grader
