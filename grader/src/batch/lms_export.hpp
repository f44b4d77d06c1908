#pragma once
// Gradebook files an LMS imports as they are, one assignment column per lab:
//
//   canvas.csv  Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section,
//               then "Lab 01", ...; the second row is "Points Possible" with each lab's
//               maximum (Canvas creates a missing assignment with those points). Canvas
//               matches a student by ID, then SIS User ID, then SIS Login ID, then name;
//               a row it cannot match is shown for you to match, not dropped.
//   moodle.csv  Moodle's CSV grade import: Name, User ID, ID number, Username, Email
//               address, then "Lab 01", ...; in the import form, choose the identifying
//               column under "Map from" and map each lab column to its grade item. Moodle
//               aborts a whole import at a row whose user it cannot find, so only students
//               with an identifier are written (without a roster: Username = folder name).
//
// A lab the grader failed on is left blank (an import then leaves that grade alone); a
// rejected submission, a lab not handed in and a student with no submission get 0.

#include <string>
#include <vector>

#include "batch/gradebook.hpp"
#include "batch/lms_roster.hpp"

namespace grader {

[[nodiscard]] std::string render_canvas_csv(const std::vector<LabColumn>& labs, const ClassList& list);
[[nodiscard]] std::string render_moodle_csv(const std::vector<LabColumn>& labs, const ClassList& list);

// "Lab 01": the assignment's name in both files.
[[nodiscard]] std::string lms_assignment_name(const LabColumn& lab);

}  // namespace grader
