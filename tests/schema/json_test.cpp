// JSON forms: round trips for every type, and strict parsing with errors that name the field but never
// echo its content.
#include <gtest/gtest.h>

#include "casepack/domain.h"
#include "casepack/report.h"
#include "casepack/retention_policy.h"
#include "schema/test_fixtures.h"

namespace casepack {
namespace {

using nlohmann::json;
using testing::D;

template <typename T>
void ExpectRoundTrip(const T& value) {
  const json j = ToJson(value);
  auto back = FromJson<T>(json::parse(j.dump()));
  ASSERT_TRUE(back.ok()) << back.error().message << "\n" << j.dump(2);
  EXPECT_EQ(ToJson(*back), j);
}

TEST(Json, RoundTripsEveryType) {
  ExpectRoundTrip(testing::MasCase());
  ExpectRoundTrip(DocumentMeta{"d1", DocumentType::kChildProtectionPlan, "plan.docx", 99, std::string(64, 'f'),
                               D("2026-03-20"), "Social services"});
  ExpectRoundTrip(Attendance{"Education", "Teacher", "M. Rees", AttendanceStatus::kApologies, "training"});
  ExpectRoundTrip(testing::MasReportInput().actions[0]);
  ExpectRoundTrip(ChronologyEntry{ParseDateTime("2025-01-10T22:15").value(), "Police", "Search warrant",
                                  "Children removed", "Positive action"});
  ExpectRoundTrip(ChronologyHeader{"Baby R", D("2025-09-01"), D("2026-08-31"), "Safeguarding lead, Health", D("2026-10-30"), "2"});
  ExpectRoundTrip(ChronologyHeader{});
  ParticipantFeedback f;
  f.area = "Newport";
  f.date = D("2026-04-08");
  f.agency = "Health";
  f.barriers = false;
  f.answers = {{"most-useful", "Time to reflect"}, {"improve", "Longer"}};
  ExpectRoundTrip(f);
  ParticipantFeedback empty_feedback;
  ExpectRoundTrip(empty_feedback);
  FieldConflict fc{"case", "event date", Conflicted<std::string>::Of("2026-04-08", "A", "t1")};
  fc.values.candidates.push_back({"2026-04-09", "B", "t2"});
  ExpectRoundTrip(fc);
  ExpectRoundTrip(DefaultRetentionPolicy(EventType::kMapm));
  ExpectRoundTrip(testing::MasReportInput());
}

template <typename T>
T Back(const T& value) {
  auto back = FromJson<T>(json::parse(ToJson(value).dump()));
  EXPECT_TRUE(back.ok()) << back.error().message;
  return back.ok() ? *back : T{};
}

// Every field, set to a value no default has, comes back: compared with the value it started as, field by
// field (a field that ToJson and FromJson both dropped would pass a JSON-to-JSON comparison).
TEST(Json, EveryFieldComesBack) {
  Case c;
  c.id = "MAPM-9";
  c.event_type = EventType::kMapm;
  c.subject = {"Q.R.", "Powys"};
  c.lead_agency = "Powys Education";
  c.venue = "Hall 2";
  c.key_dates = {{"meeting", D("2026-05-06")}};
  c.status = CaseStatus::kCancelled;
  c.legal_hold = true;
  const Case cb = Back(c);
  EXPECT_EQ(cb.id, "MAPM-9");
  EXPECT_EQ(cb.event_type, EventType::kMapm);
  EXPECT_EQ(cb.subject.name_or_initials, "Q.R.");
  EXPECT_EQ(cb.subject.area, "Powys");
  EXPECT_EQ(cb.lead_agency, "Powys Education");
  EXPECT_EQ(cb.venue, "Hall 2");
  ASSERT_EQ(cb.key_dates.size(), 1u);
  EXPECT_EQ(cb.key_dates.at("meeting"), D("2026-05-06"));
  EXPECT_EQ(cb.status, CaseStatus::kCancelled);
  EXPECT_TRUE(cb.legal_hold);

  const DocumentMeta d = Back(DocumentMeta{"d7", DocumentType::kBriefingPaper, "brief.pdf", 12345,
                                           std::string(64, 'c'), D("2026-02-03"), "Gwent Police"});
  EXPECT_EQ(d.id, "d7");
  EXPECT_EQ(d.type, DocumentType::kBriefingPaper);
  EXPECT_EQ(d.original_name, "brief.pdf");
  EXPECT_EQ(d.size, 12345u);
  EXPECT_EQ(d.sha256, std::string(64, 'c'));
  EXPECT_EQ(d.received, D("2026-02-03"));
  EXPECT_EQ(d.sending_agency, "Gwent Police");

  const Attendance a = Back(Attendance{"Health", "GP", "Dr Lloyd", AttendanceStatus::kAbsent, "clinic"});
  EXPECT_EQ(a.agency, "Health");
  EXPECT_EQ(a.role, "GP");
  EXPECT_EQ(a.name, "Dr Lloyd");
  EXPECT_EQ(a.status, AttendanceStatus::kAbsent);
  EXPECT_EQ(a.reason, "clinic");

  Action act;
  act.id = "a3";
  act.what = "Refer to CAMHS";
  act.owner = Conflicted<Owner>::Of({"Health", "Nurse"}, "E. Hughes", "2026-01-02T03:04");
  act.owner.candidates.push_back({{"Police", ""}, "F. Ward", "2026-01-02T05:06"});
  act.due = Conflicted<Date>::Of(D("2026-06-07"), "E. Hughes", "2026-01-02T03:04");
  act.status = ActionStatus::kDropped;
  const Action ab = Back(act);
  EXPECT_EQ(ab.id, "a3");
  EXPECT_EQ(ab.what, "Refer to CAMHS");
  ASSERT_EQ(ab.owner.candidates.size(), 2u);
  EXPECT_EQ(ab.owner.candidates[0].value, (Owner{"Health", "Nurse"}));
  EXPECT_EQ(ab.owner.candidates[0].author, "E. Hughes");
  EXPECT_EQ(ab.owner.candidates[0].at, "2026-01-02T03:04");
  EXPECT_EQ(ab.owner.candidates[1].value, (Owner{"Police", ""}));
  EXPECT_EQ(ab.owner.candidates[1].author, "F. Ward");
  EXPECT_EQ(ab.owner.candidates[1].at, "2026-01-02T05:06");
  ASSERT_EQ(ab.due.candidates.size(), 1u);
  EXPECT_EQ(ab.due.value(), D("2026-06-07"));
  EXPECT_EQ(ab.due.candidates[0].author, "E. Hughes");
  EXPECT_EQ(ab.status, ActionStatus::kDropped);

  const ChronologyEntry e = Back(ChronologyEntry{ParseDateTime("2025-11-12T08:09").value(), "Police", "Call-out",
                                                 "Advice given", "Pattern of calls"});
  EXPECT_EQ(e.when, ParseDateTime("2025-11-12T08:09").value());
  EXPECT_EQ(e.source, "Police");
  EXPECT_EQ(e.significant_event, "Call-out");
  EXPECT_EQ(e.action_taken, "Advice given");
  EXPECT_EQ(e.analysis, "Pattern of calls");

  ParticipantFeedback f;
  f.area = "Cardiff";
  f.date = D("2026-07-08");
  f.facilitators = "J. Evans";
  f.name = "T. Jones";
  f.agency = "Probation";
  f.role = "Officer";
  f.barriers = true;
  f.answers = {{"improve", "More time"}};
  const ParticipantFeedback fb = Back(f);
  EXPECT_EQ(fb.area, "Cardiff");
  EXPECT_EQ(fb.date, D("2026-07-08"));
  EXPECT_EQ(fb.facilitators, "J. Evans");
  EXPECT_EQ(fb.name, "T. Jones");
  EXPECT_EQ(fb.agency, "Probation");
  EXPECT_EQ(fb.role, "Officer");
  EXPECT_EQ(fb.barriers, std::optional<bool>(true));
  EXPECT_EQ(fb.answers, f.answers);

  FieldConflict fc{"action 2", "due date", Conflicted<std::string>::Of("2026-04-08", "A", "t1")};
  fc.values.candidates.push_back({"2026-04-09", "B", "t2"});
  const FieldConflict fcb = Back(fc);
  EXPECT_EQ(fcb.subject, "action 2");
  EXPECT_EQ(fcb.field, "due date");
  ASSERT_EQ(fcb.values.candidates.size(), 2u);
  EXPECT_EQ(fcb.values.candidates[1].value, "2026-04-09");
  EXPECT_EQ(fcb.values.candidates[1].author, "B");
  EXPECT_EQ(fcb.values.candidates[1].at, "t2");

  const RetentionPolicy policy = DefaultRetentionPolicy(EventType::kMapf);
  EXPECT_EQ(Back(policy), policy);
}

TEST(Json, CaseShape) {
  const json j = ToJson(testing::MasCase());
  EXPECT_EQ(j["event_type"], "MAS");
  EXPECT_EQ(j["subject"]["area"], "Newport");
  EXPECT_EQ(j["key_dates"]["referral-conference"], "2026-03-02");
  EXPECT_EQ(j["status"], "open");
  EXPECT_EQ(j["legal_hold"], false);
}

TEST(Json, ConflictedShape) {
  const Action a = testing::MasReportInput().actions[0];
  const json j = ToJson(a);
  ASSERT_TRUE(j["owner"].is_array());
  ASSERT_EQ(j["owner"].size(), 2u);
  EXPECT_EQ(j["owner"][0]["value"]["role"], "Health visitor");
  EXPECT_EQ(j["owner"][1]["author"], "R. Price");
  EXPECT_EQ(j["due"][0]["value"], "2026-04-22");
}

std::string ErrorOf(const json& j) {
  auto r = FromJson<Case>(j);
  return r.ok() ? std::string("(accepted)") : r.error().message;
}

TEST(Json, StrictCaseParsing) {
  const json good = ToJson(testing::MasCase());

  json unknown = good;
  unknown["venu"] = "x";
  EXPECT_EQ(ErrorOf(unknown), "case: unknown field 'venu'");

  json wrong_type = good;
  wrong_type["subject"]["name_or_initials"] = 12345;
  EXPECT_EQ(ErrorOf(wrong_type), "case: subject: name_or_initials: expected a string");

  json bad_date = good;
  bad_date["key_dates"]["event"] = "2026-02-30";
  const std::string msg = ErrorOf(bad_date);
  EXPECT_NE(msg.find("key_dates.'event'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("day 30"), std::string::npos) << msg;

  json foreign_date = good;
  foreign_date["key_dates"]["minutes-sent"] = "2026-03-05";
  EXPECT_NE(ErrorOf(foreign_date).find("unknown key date 'minutes-sent' for MAS"), std::string::npos);

  json missing = good;
  missing.erase("id");
  EXPECT_EQ(ErrorOf(missing), "case: id: missing");

  json bad_type = good;
  bad_type["event_type"] = "SCR";  // a Serious Case Review: not an event casepack supports
  EXPECT_NE(ErrorOf(bad_type).find("unknown event type 'SCR'"), std::string::npos);

  EXPECT_EQ(ErrorOf(json::array()), "case: expected a JSON object");
  EXPECT_EQ(ErrorOf(json("MAS")), "case: expected a JSON object");
}

TEST(Json, ErrorsDoNotEchoContent) {
  json j = ToJson(testing::MasCase());
  j["subject"]["area"] = json::array({"Secret Street 12"});
  j["lead_agency"] = "Secret Street 12";
  const std::string msg = ErrorOf(j);
  EXPECT_EQ(msg.find("Secret"), std::string::npos) << msg;

  json a = ToJson(testing::MasReportInput().actions[0]);
  a["what"] = json::object({{"x", "Secret Street 12"}});
  auto r = FromJson<Action>(a);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("Secret"), std::string::npos) << r.error().message;
}

TEST(Json, ParsersValidate) {
  json d = ToJson(DocumentMeta{"d1", DocumentType::kOther, "x.pdf", 1, std::string(64, 'a'), D("2026-01-01"), "A"});
  d["original_name"] = "../../etc/passwd";
  EXPECT_FALSE(FromJson<DocumentMeta>(d).ok());
  d["original_name"] = "x.pdf";
  d["size"] = -1;
  EXPECT_FALSE(FromJson<DocumentMeta>(d).ok());

  json a = ToJson(testing::MasReportInput().actions[0]);
  a["owner"] = json::array();
  auto r = FromJson<Action>(a);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no owner"), std::string::npos);
  a = ToJson(testing::MasReportInput().actions[0]);
  a["due"][0]["value"] = "2026-13-01";
  r = FromJson<Action>(a);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("action: due: [0]: value: "), std::string::npos) << r.error().message;

  json c = ToJson(ChronologyEntry{ParseDateTime("2025-01-10").value(), "Police", "x", "", ""});
  c["when"] = "2025-01-10T25:00";
  EXPECT_FALSE(FromJson<ChronologyEntry>(c).ok());

  json in = ToJson(testing::MasReportInput());
  in["notes"]["worried-about"] = "MAPF key in a MAS report";
  auto rin = FromJson<ReportInput>(in);
  ASSERT_FALSE(rin.ok());
  EXPECT_NE(rin.error().message.find("unknown section 'worried-about' for MAS"), std::string::npos);
}

TEST(Json, OptionalFieldsMayBeOmittedOrNull) {
  json j = {{"id", "MAPM-1"},
            {"event_type", "MAPM"},
            {"subject", {{"name_or_initials", "C.D."}, {"area", "Torfaen"}}},
            {"venue", nullptr}};
  auto c = FromJson<Case>(j);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->status, CaseStatus::kOpen);
  EXPECT_TRUE(c->key_dates.empty());
}

// The chronology's header (001 Appendix 1): a period that runs backwards, or a field of more than one line,
// is refused naming the field, not echoing it.
TEST(Json, ChronologyHeaderRefusesABackwardPeriodAndMultiLineFields) {
  json j = ToJson(ChronologyHeader{"R", D("2026-09-01"), D("2026-08-31"), "", std::nullopt, ""});
  auto back = FromJson<ChronologyHeader>(j);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.error().message.find("ends (2026-08-31) before it starts (2026-09-01)"), std::string::npos) << back.error().message;
  j = ToJson(ChronologyHeader{"secret\nname", std::nullopt, std::nullopt, "", std::nullopt, ""});
  back = FromJson<ChronologyHeader>(j);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.error().message.find("subject must be one line"), std::string::npos) << back.error().message;
  EXPECT_EQ(back.error().message.find("secret"), std::string::npos);
}

}  // namespace
}  // namespace casepack
