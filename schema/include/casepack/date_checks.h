// Key dates that cannot be right: a date typed into a case by a person is checked against the others and
// against today before it is stored, because a wrong year silently moves deadlines and the purge date (a
// review "in 2072" keeps a child's record for 46 more years). Checked on a person's change only (CaseService
// CreateCase and UpdateCase); what sync receives was checked on the device that made it.
#pragma once

#include <set>
#include <string>

#include "casepack/dates.h"
#include "casepack/domain.h"
#include "casepack/result.h"

namespace casepack {

// No step of the guidance is planned further ahead than this.
inline constexpr int kMaxYearsAhead = 2;

// kInvalidArgument, in one line naming the key, the date and why, when a key date in `changed` is more than
// kMaxYearsAhead years after `today`, or comes before the date it follows (MAS: the conference, then the
// booking and the event, then the Summary Report; MAPF: the agreement, then the event, then the report;
// MAPM: the meeting, then the minutes and the reviews).
[[nodiscard]] Status CheckKeyDatesPlausible(const Case& c, const Date& today, const std::set<std::string>& changed);

}  // namespace casepack
