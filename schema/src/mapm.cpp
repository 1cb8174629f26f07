#include "casepack/mapm.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>

namespace casepack {

using nlohmann::json;

namespace {
constexpr std::array<FamilyAwareness, 4> kAwareness = {FamilyAwareness::kNotInformed, FamilyAwareness::kInformed,
                                                       FamilyAwareness::kAgreed, FamilyAwareness::kObjected};
Error Invalid(std::string message) { return MakeError(ErrorCode::kInvalidArgument, std::move(message)); }
}  // namespace

std::string_view ToString(FamilyAwareness a) {
  switch (a) {
    case FamilyAwareness::kNotInformed: return "not-informed";
    case FamilyAwareness::kInformed: return "informed";
    case FamilyAwareness::kAgreed: return "agreed";
    case FamilyAwareness::kObjected: return "objected";
  }
  std::abort();
}

Result<FamilyAwareness> ParseFamilyAwareness(std::string_view text) {
  for (FamilyAwareness a : kAwareness)
    if (ToString(a) == text) return a;
  return MakeError(ErrorCode::kInvalidArgument, "unknown family answer '" + std::string(text.substr(0, 40)) + "'",
                   "one of: not-informed, informed, agreed, objected");
}

Result<TimeOfDay> ParseTimeOfDay(std::string_view text) {
  const auto colon = text.find(':');
  const auto digits = [](std::string_view s) {
    return !s.empty() && s.size() <= 2 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (colon == std::string_view::npos || !digits(text.substr(0, colon)) || text.size() - colon != 3 ||
      !digits(text.substr(colon + 1)))
    return MakeError(ErrorCode::kInvalidArgument, "'" + std::string(text.substr(0, 20)) + "' is not a time",
                     "give the time as HH:MM, 24-hour (14:30)");
  TimeOfDay t{std::stoi(std::string(text.substr(0, colon))), std::stoi(std::string(text.substr(colon + 1)))};
  if (t.hour > 23 || t.minute > 59)
    return MakeError(ErrorCode::kInvalidArgument, "'" + std::string(text) + "' is not a time of day",
                     "hours 00 to 23, minutes 00 to 59");
  return t;
}

std::string FormatTimeOfDay(const TimeOfDay& t) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", t.hour, t.minute);
  return buf;
}

Status ValidateMapmReview(const MapmReview& r) {
  if (!r.held.IsValid()) return Invalid("review date is not a valid date");
  if (r.next && !r.next->IsValid()) return Invalid("next review date is not a valid date");
  if (r.next && *r.next <= r.held) return Invalid("the next review must come after the review that agreed it");
  return Ok();
}

json ToJson(const MapmReview& r) {
  return {{"held", FormatDate(r.held)}, {"next", r.next ? json(FormatDate(*r.next)) : json(nullptr)}, {"note", r.note}};
}

namespace {
// A member that must be a string when present (null and absent: empty). Strict: never throws.
Result<std::string> OptionalString(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Invalid(std::string(key) + ": expected a string");
  return it->get<std::string>();
}
Status OnlyMembers(const json& j, std::initializer_list<std::string_view> known) {
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) return Invalid("unknown member '" + it.key().substr(0, 40) + "'");
  return Ok();
}
}  // namespace

Result<MapmReview> MapmReviewFromJson(const json& j) {
  if (!j.is_object()) return Invalid("review: expected {held, next, note}");
  CP_RETURN_IF_ERROR(OnlyMembers(j, {"id", "held", "next", "note"}));
  MapmReview r;
  CP_ASSIGN_OR_RETURN(const std::string held, OptionalString(j, "held"));
  CP_ASSIGN_OR_RETURN(r.held, ParseDate(held));
  CP_ASSIGN_OR_RETURN(const std::string next, OptionalString(j, "next"));
  if (!next.empty()) {
    CP_ASSIGN_OR_RETURN(Date d, ParseDate(next));
    r.next = d;
  }
  CP_ASSIGN_OR_RETURN(r.note, OptionalString(j, "note"));
  CP_RETURN_IF_ERROR(ValidateMapmReview(r));
  return r;
}

json ToJson(const MapmRecord& m) {
  json reviews = json::array();
  for (const auto& [id, r] : m.reviews) {
    json one = ToJson(r);
    one["id"] = id;
    reviews.push_back(std::move(one));
  }
  return {{"chair", m.chair},
          {"minute_taker", m.minute_taker},
          {"meeting_time", m.meeting_time ? json(FormatTimeOfDay(*m.meeting_time)) : json(nullptr)},
          {"informs_family", m.informs_family},
          {"family", m.family ? json(ToString(*m.family)) : json(nullptr)},
          {"minutes_to_family", m.minutes_to_family},
          {"reviews", std::move(reviews)}};
}

Result<MapmRecord> MapmRecordFromJson(const json& j) {
  if (!j.is_object()) return Invalid("mapm: expected an object");
  CP_RETURN_IF_ERROR(OnlyMembers(j, {"chair", "minute_taker", "meeting_time", "informs_family", "family",
                                     "minutes_to_family", "reviews"}));
  MapmRecord m;
  CP_ASSIGN_OR_RETURN(m.chair, OptionalString(j, "chair"));
  CP_ASSIGN_OR_RETURN(m.minute_taker, OptionalString(j, "minute_taker"));
  CP_ASSIGN_OR_RETURN(const std::string time, OptionalString(j, "meeting_time"));
  if (!time.empty()) {
    CP_ASSIGN_OR_RETURN(TimeOfDay t, ParseTimeOfDay(time));
    m.meeting_time = t;
  }
  CP_ASSIGN_OR_RETURN(m.informs_family, OptionalString(j, "informs_family"));
  CP_ASSIGN_OR_RETURN(const std::string family, OptionalString(j, "family"));
  if (!family.empty()) {
    CP_ASSIGN_OR_RETURN(FamilyAwareness a, ParseFamilyAwareness(family));
    m.family = a;
  }
  if (const auto it = j.find("minutes_to_family"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) return Invalid("minutes_to_family: expected true or false");
    m.minutes_to_family = it->get<bool>();
  }
  if (const auto it = j.find("reviews"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Invalid("reviews: expected an array");
    for (const auto& r : *it) {
      CP_ASSIGN_OR_RETURN(MapmReview review, MapmReviewFromJson(r));
      CP_ASSIGN_OR_RETURN(std::string id, OptionalString(r, "id"));
      m.reviews.emplace_back(std::move(id), std::move(review));
    }
  }
  return m;
}

std::vector<LateReview> LateReviews(const std::optional<Date>& meeting, const std::vector<MapmReview>& reviews,
                                    const std::optional<Date>& agreed_next) {
  std::vector<LateReview> out;
  const auto check = [&](const Date& after, const Date& next) {
    const Date limit = AddMonths(after, 3);
    if (limit < next) out.push_back({next, limit, after});
  };
  for (const auto& r : reviews)
    if (r.next) check(r.held, *r.next);
  if (agreed_next) {
    std::optional<Date> after = meeting;
    for (const auto& r : reviews)
      if (!after || *after < r.held) after = r.held;
    const bool listed = std::any_of(out.begin(), out.end(), [&](const LateReview& l) { return l.next == *agreed_next; });
    if (after && !listed && *after < *agreed_next) check(*after, *agreed_next);
  }
  return out;
}

}  // namespace casepack
