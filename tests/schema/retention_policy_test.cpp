#include "casepack/retention_policy.h"

#include <gtest/gtest.h>

#include "schema/test_fixtures.h"

namespace casepack {
namespace {

using nlohmann::json;
using testing::D;

TEST(Retention, DefaultsAreValidForEveryType) {
  const auto all = DefaultRetentionPolicies();
  ASSERT_EQ(all.size(), AllEventTypes().size());
  for (const auto& p : all) EXPECT_TRUE(ValidateRetentionPolicy(p).ok()) << ToString(p.event_type);
}

TEST(Retention, MasFirstRecordedAnchorWins) {
  const auto policy = DefaultRetentionPolicy(EventType::kMas);
  Case c = testing::MasCase();  // only the referral conference, 2026-03-02
  auto d = ComputeRetentionDeadline(c, policy);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->rule_after, "referral-conference");
  EXPECT_EQ(d->purge_on, D("2026-08-29"));  // + 180

  c.key_dates["event"] = D("2026-04-08");
  d = ComputeRetentionDeadline(c, policy);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->rule_after, "event");
  EXPECT_EQ(d->purge_on, D("2026-08-06"));  // + 120

  c.key_dates["summary-report-sent"] = D("2026-04-20");
  d = ComputeRetentionDeadline(c, policy);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->rule_after, "summary-report-sent");
  EXPECT_EQ(d->anchor, D("2026-04-20"));
  EXPECT_EQ(d->days, 90);
  EXPECT_EQ(d->purge_on, D("2026-07-19"));
  EXPECT_EQ(ToJson(*d)["purge_on"], "2026-07-19");
}

TEST(Retention, NoAnchorIsNotFoundWithAHint) {
  Case c = testing::MasCase();
  c.key_dates.clear();
  auto d = ComputeRetentionDeadline(c, DefaultRetentionPolicy(EventType::kMas));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kNotFound);
  EXPECT_NE(d.error().hint.find("summary-report-sent, event, referral-conference"), std::string::npos);
}

TEST(Retention, WrongTypeOrInvalidPolicy) {
  auto d = ComputeRetentionDeadline(testing::MasCase(), DefaultRetentionPolicy(EventType::kMapm));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument);

  RetentionPolicy p{EventType::kMas, {{"minutes-sent", 10}}};
  auto st = ValidateRetentionPolicy(p);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("unknown key date 'minutes-sent' for MAS"), std::string::npos);
  EXPECT_FALSE(ValidateRetentionPolicy({EventType::kMas, {}}).ok());
  EXPECT_FALSE(ValidateRetentionPolicy({EventType::kMas, {{"event", -1}}}).ok());
  EXPECT_FALSE(ValidateRetentionPolicy({EventType::kMas, {{"event", 3651}}}).ok());
}

TEST(Retention, LegalHoldSuspendsPurge) {
  Case c = testing::MasCase();
  c.key_dates["summary-report-sent"] = D("2026-04-20");
  const auto p = DefaultRetentionPolicy(EventType::kMas);
  EXPECT_FALSE(IsPurgeDue(c, p, D("2026-07-18")));
  EXPECT_TRUE(IsPurgeDue(c, p, D("2026-07-19")));
  c.legal_hold = true;
  EXPECT_FALSE(IsPurgeDue(c, p, D("2027-07-19")));
}

TEST(Retention, PolicyFileOverridesDefaultsPerType) {
  const json file = json::parse(R"({"policies": [
      {"event_type": "MAS", "rules": [{"after": "summary-report-sent", "days": 30}, {"after": "event", "days": 60}]}
  ]})");
  auto policies = RetentionPoliciesFromJson(file);
  ASSERT_TRUE(policies.ok()) << policies.error().message;
  ASSERT_EQ(policies->size(), AllEventTypes().size());
  EXPECT_EQ((*policies)[0].rules[0].days, 30);
  EXPECT_EQ((*policies)[1], DefaultRetentionPolicy(EventType::kMapf));
  // A file written before CPR/APR existed (or that leaves them out) keeps their defaults: they still purge.
  EXPECT_EQ((*policies)[3], DefaultRetentionPolicy(EventType::kCpr));
  EXPECT_EQ((*policies)[4], DefaultRetentionPolicy(EventType::kApr));
  auto again = RetentionPoliciesFromJson(RetentionPoliciesToJson(*policies));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *policies);

  const json dup = json::parse(R"({"policies": [
      {"event_type": "MAS", "rules": [{"after": "event", "days": 1}]},
      {"event_type": "mas", "rules": [{"after": "event", "days": 2}]}]})");
  EXPECT_FALSE(RetentionPoliciesFromJson(dup).ok());
  const json typo = json::parse(R"({"policies": [{"event_type": "MAS", "rules": [{"after": "event", "dayz": 1}]}]})");
  auto r = RetentionPoliciesFromJson(typo);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("rules[0]: days: missing"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace casepack
