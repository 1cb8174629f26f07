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
  bad_type["event_type"] = "CPR";
  EXPECT_NE(ErrorOf(bad_type).find("unknown event type 'CPR'"), std::string::npos);

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

}  // namespace
}  // namespace casepack
