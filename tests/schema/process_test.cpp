// casepack/process.h: the MAS referral's rules, the §4.6 papers checklist, the MAPF planning group's
// required agencies and agreements, and their strict JSON (issue 16).
#include "casepack/process.h"

#include <gtest/gtest.h>

#include "casepack/timescales.h"
#include "schema/test_fixtures.h"

namespace casepack {
namespace {

using testing::D;

TEST(Process, AStuckReferralNeedsItsKindAndANotReferredCaseItsRationale) {
  MasReferral r;
  EXPECT_TRUE(ValidateMasReferral(r).ok());
  r.reason = MasReferralReason::kStuck;
  EXPECT_FALSE(ValidateMasReferral(r).ok());
  r.stuck_kind = "drift";
  EXPECT_TRUE(ValidateMasReferral(r).ok());
  r.stuck_kind = "other";
  EXPECT_FALSE(ValidateMasReferral(r).ok()) << "'other' needs a description";
  r.detail = "the plan changes every month";
  EXPECT_TRUE(ValidateMasReferral(r).ok());
  r.referred = false;
  EXPECT_FALSE(ValidateMasReferral(r).ok());
  r.rationale = "progress at the last review";
  ASSERT_TRUE(ValidateMasReferral(r).ok());
  auto back = FromJson<MasReferral>(ToJson(r));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, r);
  EXPECT_FALSE(FromJson<MasReferral>(nlohmann::json{{"referred", true}, {"reason", "bored"}}).ok());
}

TEST(Process, PapersReceivedOnlyWhenAllFourAreInOnTheDayTheLastCame) {
  auto doc = [](DocumentType t, const char* day) {
    DocumentMeta d;
    d.type = t;
    d.received = D(day);
    return d;
  };
  std::vector<DocumentMeta> docs = {doc(DocumentType::kIcpcMinutes, "2026-03-02"), doc(DocumentType::kBriefingPaper, "2026-03-01"),
                                    doc(DocumentType::kCoreGroupMinutes, "2026-03-04")};
  auto list = MasPapersChecklist(docs);
  ASSERT_EQ(list.size(), 4u);
  EXPECT_FALSE(list[1].received) << "RCPC minutes missing";
  EXPECT_FALSE(MasPapersComplete(list));
  docs.push_back(doc(DocumentType::kRcpcMinutes, "2026-03-03"));
  docs.push_back(doc(DocumentType::kChildProtectionPlan, "2026-03-06"));
  docs.push_back(doc(DocumentType::kIcpcMinutes, "2026-03-09"));  // a second copy does not move the date
  EXPECT_EQ(MasPapersComplete(MasPapersChecklist(docs)), D("2026-03-06"));
}

TEST(Process, PlanningGroupNeedsLocalAuthorityHealthBoardAndPolice) {
  std::vector<PlanningMember> group = {{"a1", "local-authority", "Powys County Council", "", "", false, D("2026-03-02")},
                                       {"a2", "education", "Ysgol y Cwm", "", "", true, std::nullopt},
                                       {"a3", "business-unit", "Business Unit", "", "", false, std::nullopt}};
  const auto missing = MissingRequiredAgencies(group);
  ASSERT_EQ(missing.size(), 2u);
  EXPECT_EQ(missing[0], "health-board");
  EXPECT_EQ(missing[1], "police");
  const auto waiting = NotYetAgreed(group);
  ASSERT_EQ(waiting.size(), 1u) << "the Business Unit supports; it is not a party to agree";
  EXPECT_EQ(waiting[0]->agency, "Ysgol y Cwm");
  EXPECT_FALSE(CheckAgencyKind("astrology").ok());
  PlanningMember bad = group[0];
  bad.agency = " ";
  EXPECT_FALSE(ValidatePlanningMember(bad).ok());
}

TEST(Process, OpenActionsAreDueThenOverdueAndDoneOnesAreNotDeadlines) {
  Action a;
  a.id = "abc123";
  a.what = "Visit";
  a.owner = Conflicted<Owner>::Of(Owner{"Health", ""});
  a.due = Conflicted<Date>::Of(D("2026-03-10"));
  Action done = a;
  done.id = "def456";
  done.status = ActionStatus::kDone;
  auto steps = ActionSteps({a, done}, D("2026-03-10"));
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].key, "action:abc123");
  EXPECT_EQ(steps[0].state, StepState::kDue);
  EXPECT_EQ(ActionSteps({a}, D("2026-03-11"))[0].state, StepState::kOverdue);
}

TEST(Process, MapfLogMonitoringIsQuarterlyOnceTheLogAgreed) {
  Case c;
  c.id = "c1";
  c.event_type = EventType::kMapf;
  c.subject = {"A.B.", "Powys"};
  auto has = [](const CaseTimescales& t) {
    for (const auto& s : t.steps)
      if (s.key == "log-monitoring") return true;
    return false;
  };
  EXPECT_FALSE(has(ComputeTimescales(c, D("2026-06-01"))));
  c.key_dates["log-agreed"] = D("2026-01-31");
  auto t = ComputeTimescales(c, D("2026-04-30"));
  ASSERT_TRUE(has(t));
  EXPECT_EQ(t.steps.back().due, D("2026-04-30"));
  EXPECT_EQ(t.steps.back().state, StepState::kDue);
  c.key_dates["log-monitored"] = D("2026-04-20");
  t = ComputeTimescales(c, D("2026-05-01"));
  EXPECT_EQ(t.steps.back().due, D("2026-07-20"));
}

}  // namespace
}  // namespace casepack
