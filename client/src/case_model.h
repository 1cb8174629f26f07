// Private to the client library: the one place that maps the domain's fields onto the sync engine's
// targets (registers, collections, texts). docs/case-model.md is this file in prose; a change here is a
// change of the stored and synced format and must be made there too. Every other file asks these
// functions for a target and never spells one.
#pragma once

#include <string>
#include <string_view>

#include "casepack/operation.h"

namespace casepack::case_model {

inline constexpr std::string_view kCaseObject = "case";
// Case-level registers: event-type, subject-name, area, status, lead-agency, venue, facilitators,
// legal-hold; key dates as "date/<key>".
inline Target CaseField(std::string_view field) { return {std::string(kCaseObject), std::string(field)}; }
inline Target KeyDateField(std::string_view key) { return CaseField("date/" + std::string(key)); }
// Collections of the case (keys: item ids; values: JSON of the item).
inline const Target kDocuments = {"case", "documents"};
inline const Target kAttendees = {"case", "attendees"};
inline const Target kActions = {"case", "actions"};
inline const Target kChronology = {"case", "chronology"};
inline const Target kFeedback = {"case", "feedback"};
// MAPM (002): the reviews of the action plan, every one kept (§10); values: MapmReview JSON.
inline const Target kReviews = {"case", "reviews"};
// MAPM case registers (002 §5-§9): chair, minute-taker, meeting-time (HH:MM), informs-family,
// family-awareness, minutes-to-family ("yes"/"no"); through CaseField like the other case registers.
// Texts: one per note section, and the facilitator's comments for the report.
inline const Target kComments = {"report", "comments"};
// The report's recipients (docs/reports.md): a collection keyed by RecipientKey, values {"role", "name"};
// each recipient's sent date is its own register, so two devices recording a send merge.
inline const Target kRecipients = {"report", "recipients"};
inline Target RecipientField(std::string_view key) { return {"recipient/" + std::string(key), "sent"}; }
inline Target NoteText(std::string_view section) { return {"notes", std::string(section)}; }
// Per-item registers whose concurrent values matter (an attendee's status, an action's owner and due).
inline Target AttendeeField(std::string_view id, std::string_view f) { return {"attendee/" + std::string(id), std::string(f)}; }
inline Target ActionField(std::string_view id, std::string_view f) { return {"action/" + std::string(id), std::string(f)}; }
// Issue 16. Case registers: "mas-referral" (JSON, kept), "report-writer". An action's 001 plan fields are
// registers of the action (recommendation, rationale, outcome, measure, progress); to whom it was reported
// back is a collection of the action (key: the target, value: the date). The MAPF planning group is a
// collection (value: the member's JSON without id and agreement); each member's agreement is its own kept
// register, so two devices recording it merge.
inline Target ActionReported(std::string_view id) { return {"action/" + std::string(id), "reported"}; }
inline const Target kPlanningGroup = {"case", "planning-group"};
// The chronology's header (001 Appendix 1): one register per field — subject, from, to (YYYY-MM-DD),
// completed-by, date (YYYY-MM-DD), version; an empty value is "not set".
inline Target ChronologyHeaderField(std::string_view f) { return {"chronology-header", std::string(f)}; }
inline Target MemberField(std::string_view id, std::string_view f) { return {"member/" + std::string(id), std::string(f)}; }

}  // namespace casepack::case_model
