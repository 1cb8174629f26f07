// What a Multi-Agency Professionals' Meeting records beyond its notes (002): who chaired it and who took the
// minutes (§5, §6), the time it started (§7 item 1), who tells the child and family the outcome (§8),
// whether the family knew of it, agreed or objected (§9), whether the minutes go to the family (§7), and
// every review of its action plan (§10), each with the next one agreed. Pure types and rules; stored as
// the case's registers and a collection (docs/case-model.md), shown by `case show` and the minutes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "casepack/dates.h"
#include "casepack/result.h"

namespace casepack {

// 002 §9: the family was not told of the meeting (and the invited agencies agreed it goes ahead without
// them knowing), was told, agreed to it, or objected (then a different approach, e.g. a Strategy
// Discussion, is considered).
enum class FamilyAwareness { kNotInformed, kInformed, kAgreed, kObjected };
std::string_view ToString(FamilyAwareness a);  // "not-informed", "informed", "agreed", "objected"
Result<FamilyAwareness> ParseFamilyAwareness(std::string_view text);

// One review of the action plan (002 §10: "at a minimum of every three months"), and the next review it
// agreed, if any.
struct MapmReview {
  Date held;
  std::optional<Date> next;
  std::string note;  // optional: what the review found
};
Status ValidateMapmReview(const MapmReview& r);
nlohmann::json ToJson(const MapmReview& r);
Result<MapmReview> MapmReviewFromJson(const nlohmann::json& j);

struct MapmRecord {
  std::string chair;          // "Name (Agency)": arranged by the convening agency from those attending (§6)
  std::string minute_taker;   // may be another agency's (§5)
  std::optional<TimeOfDay> meeting_time;  // §7 item 1 "Date, time and venue"
  std::string informs_family;             // §8: the member appointed to inform the child and family
  std::optional<FamilyAwareness> family;  // §9
  bool minutes_to_family = false;         // §7: minutes go "where appropriate" to the family too
  std::vector<std::pair<std::string, MapmReview>> reviews;  // id, review; in date order
  bool empty() const {
    return chair.empty() && minute_taker.empty() && !meeting_time && informs_family.empty() && !family &&
           !minutes_to_family && reviews.empty();
  }
};
nlohmann::json ToJson(const MapmRecord& m);
Result<MapmRecord> MapmRecordFromJson(const nlohmann::json& j);

// "HH:MM" (24-hour) or "H:MM". kInvalidArgument otherwise.
Result<TimeOfDay> ParseTimeOfDay(std::string_view text);
std::string FormatTimeOfDay(const TimeOfDay& t);  // "09:30"

// A next review agreed more than three months after the review (or, for the first, the meeting) it
// follows breaks 002 §10's "at a minimum of every three months": the latest such date allowed, when
// `next` is after it.
struct LateReview {
  Date next;       // the agreed next review
  Date limit;      // three months after `after`
  Date after;      // the review or meeting it follows
};
// Every review whose agreed next review is late, and the case's own next-review date (`agreed_next`,
// following the latest review or the meeting) when it is.
std::vector<LateReview> LateReviews(const std::optional<Date>& meeting, const std::vector<MapmReview>& reviews,
                                    const std::optional<Date>& agreed_next);

}  // namespace casepack
