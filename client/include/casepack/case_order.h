// The order people read case lists in: by the child's name or initials in the reader's alphabet (ICU
// collation, casepack/collation.h: with Welsh, "Llinos" after "Lowri"), then by the next deadline, then by
// id so that the order never depends on how the store happened to return the rows. Or deadline first, for
// a Business Unit officer working down what is due. Client-side only: no Qt (the window sorts with it too).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "casepack/cases.h"
#include "casepack/dates.h"
#include "casepack/labels.h"

namespace casepack {

enum class CaseOrder { kSubject, kDeadline };
// "subject" or "deadline"; kInvalidArgument otherwise.
Result<CaseOrder> ParseCaseOrder(std::string_view s);

// The earliest due date, as of `today`, of a step not yet done (open cases only); nullopt when nothing is due.
std::optional<Date> NextDeadline(const CaseSummary& c, const Date& today);

// Sorts `cases` in place. Cases with no next deadline come after those with one.
void SortCases(std::vector<CaseSummary>& cases, CaseOrder order, Language lang, const Date& today);

}  // namespace casepack
