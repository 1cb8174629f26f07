#include "casepack/domain.h"

#include <gtest/gtest.h>

#include <set>

#include "schema/test_fixtures.h"

namespace casepack {
namespace {

using testing::D;

bool IsKebab(std::string_view k) {
  if (k.empty() || k.front() == '-' || k.back() == '-') return false;
  for (char c : k) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

TEST(EventTypes, ParseAndNames) {
  EXPECT_EQ(*ParseEventType("MAS"), EventType::kMas);
  EXPECT_EQ(*ParseEventType("mapf"), EventType::kMapf);
  EXPECT_EQ(*ParseEventType("Mapm"), EventType::kMapm);
  EXPECT_EQ(*ParseEventType("cpr"), EventType::kCpr);
  EXPECT_EQ(*ParseEventType("APR"), EventType::kApr);
  auto bad = ParseEventType("SCR");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("known: MAS, MAPF, MAPM, CPR, APR"), std::string::npos) << bad.error().message;
  EXPECT_EQ(LongName(EventType::kMapm), "Multi-Agency Professionals' Meeting");
  EXPECT_EQ(LongName(EventType::kCpr), "Child Practice Review");
  EXPECT_EQ(LongName(EventType::kApr), "Adult Practice Review");
  // An APR follows the CPR's process: the same key dates and sections.
  EXPECT_EQ(ProcessOf(EventType::kApr), EventType::kCpr);
  EXPECT_EQ(ProcessOf(EventType::kMapf), EventType::kMapf);
  EXPECT_EQ(KeyDateDefs(EventType::kApr).data(), KeyDateDefs(EventType::kCpr).data());
  for (auto s : {CaseStatus::kOpen, CaseStatus::kClosed, CaseStatus::kCancelled}) {
    EXPECT_EQ(*ParseCaseStatus(ToString(s)), s);
  }
  for (auto t : AllDocumentTypes()) EXPECT_EQ(*ParseDocumentType(ToString(t)), t);
  EXPECT_FALSE(ParseDocumentType("ICPC-minutes").ok());
  for (auto s : {ActionStatus::kOpen, ActionStatus::kDone, ActionStatus::kDropped}) {
    EXPECT_EQ(*ParseActionStatus(ToString(s)), s);
  }
  for (auto s : {AttendanceStatus::kInvited, AttendanceStatus::kAttended, AttendanceStatus::kApologies,
                 AttendanceStatus::kAbsent}) {
    EXPECT_EQ(*ParseAttendanceStatus(ToString(s)), s);
  }
}

TEST(NoteSections, MasFollowsAppendix4) {
  const auto s = NoteSections(EventType::kMas);
  std::vector<std::string_view> keys;
  for (const auto& d : s) keys.push_back(d.key);
  // Appendix 4 in full: Introductions (purpose and aims) first, Evaluating the supervision last (issue 16).
  EXPECT_EQ(keys, (std::vector<std::string_view>{"introductions", "story", "protective-factors", "risk-factors",
                                                  "grey-areas", "complicating-factors", "going-well", "what-has-changed",
                                                  "positive-outcome", "inter-agency-working", "where-next",
                                                  "feedback-to-family", "evaluation"}));
  auto risk = FindNoteSection(EventType::kMas, "risk-factors");
  ASSERT_TRUE(risk.ok());
  EXPECT_EQ((*risk)->title, "Risk factors / context of significant harm");
}

TEST(NoteSections, MapfAndMapm) {
  std::vector<std::string_view> mapf;
  for (const auto& d : NoteSections(EventType::kMapf)) mapf.push_back(d.key);
  EXPECT_EQ(mapf, (std::vector<std::string_view>{"working-principles", "working-well", "worried-about", "needs-to-happen",
                                                  "learning-points"}));

  const auto mapm = NoteSections(EventType::kMapm);
  ASSERT_EQ(mapm.size(), 12u);  // the 12 suggested agenda items of 002 §7
  EXPECT_EQ(mapm[0].key, "date-time-venue");
  EXPECT_EQ(mapm[2].key, "attendance");
  EXPECT_EQ(mapm[8].key, "plan");
  EXPECT_EQ(mapm[9].title, "Has a Family Group Conference been considered?");
  EXPECT_EQ(mapm[11].key, "next-review");
  for (std::size_t i = 0; i < mapm.size(); ++i) {
    EXPECT_EQ(mapm[i].source, "002 §7 item " + std::to_string(i + 1));
  }
}

TEST(NoteSections, KeysAreStableKebabCaseAndUnique) {
  for (EventType t : AllEventTypes()) {
    std::set<std::string_view> seen;
    for (const auto& d : NoteSections(t)) {
      EXPECT_TRUE(IsKebab(d.key)) << d.key;
      EXPECT_TRUE(seen.insert(d.key).second) << d.key;
      EXPECT_FALSE(d.title.empty());
      EXPECT_FALSE(d.source.empty());
    }
    std::set<std::string_view> dates;
    for (const auto& d : KeyDateDefs(t)) {
      EXPECT_TRUE(IsKebab(d.key)) << d.key;
      EXPECT_TRUE(dates.insert(d.key).second) << d.key;
    }
  }
}

TEST(NoteSections, UnknownKeyListsTheKnownOnes) {
  auto r = FindNoteSection(EventType::kMas, "worried-about");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message,
            "unknown section 'worried-about' for MAS; known: introductions, story, protective-factors, risk-factors, "
            "grey-areas, complicating-factors, going-well, what-has-changed, positive-outcome, inter-agency-working, "
            "where-next, feedback-to-family, evaluation");
  EXPECT_TRUE(ValidateNotes(EventType::kMapf, {{"worried-about", "x"}}).ok());
  auto bad = ValidateNotes(EventType::kMapf, {{"story", "x"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("for MAPF"), std::string::npos);
}

TEST(KeyDates, PerEventType) {
  EXPECT_TRUE(FindKeyDate(EventType::kMas, "summary-report-sent").ok());
  EXPECT_TRUE(FindKeyDate(EventType::kMapm, "minutes-sent").ok());
  auto r = FindKeyDate(EventType::kMapm, "summary-report-sent");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("known: meeting, minutes-sent"), std::string::npos) << r.error().message;
}

TEST(Feedback, Appendix2Questions) {
  const auto q = FeedbackQuestions();
  ASSERT_EQ(q.size(), 6u);
  for (std::size_t i = 0; i < q.size(); ++i) EXPECT_EQ(q[i].number, static_cast<int>(i + 1));
  EXPECT_EQ(q[0].text, "What did you find most useful about this event?");
  EXPECT_EQ(q[1].text, "How could this event be improved?");
  EXPECT_TRUE(q[2].yes_no);
  EXPECT_EQ(q[2].key, "barriers");
  EXPECT_EQ(q[4].text, "What will you take away with you or do differently, as a result of this event?");
  ParticipantFeedback f;
  f.answers = {{"most-useful", "time to reflect"}};
  EXPECT_TRUE(ValidateParticipantFeedback(f).ok());
  f.answers["favourite-biscuit"] = "x";
  EXPECT_FALSE(ValidateParticipantFeedback(f).ok());
}

TEST(Case, Validation) {
  Case c = testing::MasCase();
  EXPECT_TRUE(ValidateCase(c).ok());
  EXPECT_EQ(c.KeyDate("referral-conference"), D("2026-03-02"));
  EXPECT_FALSE(c.KeyDate("event").has_value());

  Case bad_id = c;
  bad_id.id = "MAS 2026/14";
  EXPECT_FALSE(ValidateCase(bad_id).ok());
  bad_id.id = "";
  EXPECT_FALSE(ValidateCase(bad_id).ok());
  bad_id.id = std::string(65, 'a');
  EXPECT_FALSE(ValidateCase(bad_id).ok());

  Case no_area = c;
  no_area.subject.area = "  ";
  auto r = ValidateCase(no_area);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("area"), std::string::npos);

  Case wrong_date = c;
  wrong_date.key_dates["meeting"] = D("2026-03-03");  // a MAPM key date
  r = ValidateCase(wrong_date);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("unknown key date 'meeting' for MAS"), std::string::npos) << r.error().message;

  Case impossible = c;
  impossible.key_dates["event"] = Date{2026, 2, 30};
  EXPECT_FALSE(ValidateCase(impossible).ok());
}

TEST(Documents, Validation) {
  DocumentMeta d{"doc1", DocumentType::kRcpcMinutes, "RCPC minutes 2026-02.pdf", 12345,
                 std::string(64, 'a'), D("2026-03-20"), "Newport Children's Services"};
  EXPECT_TRUE(ValidateDocumentMeta(d).ok());
  EXPECT_EQ(DocumentTitle(d.type), "Review Child Protection Conference minutes");
  for (const std::string& bad : std::vector<std::string>{"../x.pdf", "a/b.pdf", "a\\b.pdf", "", "..", "a\x1b[2J.pdf"}) {
    DocumentMeta x = d;
    x.original_name = bad;
    EXPECT_FALSE(ValidateDocumentMeta(x).ok()) << bad;
  }
  DocumentMeta upper = d;
  upper.sha256 = std::string(64, 'A');
  EXPECT_FALSE(ValidateDocumentMeta(upper).ok());
  DocumentMeta short_hash = d;
  short_hash.sha256 = std::string(63, 'a');
  EXPECT_FALSE(ValidateDocumentMeta(short_hash).ok());
  DocumentMeta no_agency = d;
  no_agency.sending_agency = "";
  EXPECT_FALSE(ValidateDocumentMeta(no_agency).ok());
}

TEST(Attendance, MissingMeansNotAttended) {
  EXPECT_FALSE(IsMissing({"Health", "", "", AttendanceStatus::kAttended, ""}));
  EXPECT_TRUE(IsMissing({"Health", "", "", AttendanceStatus::kApologies, "leave"}));
  EXPECT_TRUE(IsMissing({"Health", "", "", AttendanceStatus::kAbsent, ""}));
  EXPECT_TRUE(IsMissing({"Health", "", "", AttendanceStatus::kInvited, ""}));
  EXPECT_FALSE(ValidateAttendance({"", "Teacher", "", AttendanceStatus::kAttended, ""}).ok());
}

TEST(Conflicted, DistinctConcurrentValuesAreConflicts) {
  auto c = Conflicted<std::string>::Of("Health visitor", "A", "t1");
  EXPECT_FALSE(c.has_conflict());
  EXPECT_EQ(c.value(), "Health visitor");
  c.candidates.push_back({"Health visitor", "B", "t2"});  // same value from someone else: no conflict
  EXPECT_FALSE(c.has_conflict());
  c.candidates.push_back({"Social worker", "C", "t3"});
  c.candidates.push_back({"Social worker", "D", "t4"});
  c.candidates.push_back({"Teacher", "E", "t5"});
  ASSERT_TRUE(c.has_conflict());
  const auto alts = c.alternatives();
  ASSERT_EQ(alts.size(), 2u);
  EXPECT_EQ(alts[0]->value, "Social worker");
  EXPECT_EQ(alts[0]->author, "C");
  EXPECT_EQ(alts[1]->value, "Teacher");
  c.Resolve("Teacher", "F", "t6");
  EXPECT_FALSE(c.has_conflict());
  EXPECT_EQ(c.candidates.size(), 1u);
  EXPECT_EQ(c.value(), "Teacher");
  EXPECT_TRUE(Conflicted<int>{}.empty());
}

TEST(Actions, Validation) {
  Action a = testing::MakeAction("a1", "Visit", {"Health", "Health visitor"}, "2026-04-22");
  EXPECT_TRUE(ValidateAction(a).ok());
  EXPECT_EQ(DescribeOwner(a.owner.value()), "Health visitor (Health)");
  EXPECT_EQ(DescribeOwner({"Health", ""}), "Health");
  EXPECT_EQ(DescribeOwner({"", "Teacher"}), "Teacher");

  Action no_owner = a;
  no_owner.owner = {};
  auto r = ValidateAction(no_owner);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no owner"), std::string::npos);
  Action blank_owner = a;
  blank_owner.owner.candidates.push_back({Owner{"", " "}, "B", "t"});
  EXPECT_FALSE(ValidateAction(blank_owner).ok());
  Action no_due = a;
  no_due.due = {};
  EXPECT_FALSE(ValidateAction(no_due).ok());
  Action no_what = a;
  no_what.what = "";
  EXPECT_FALSE(ValidateAction(no_what).ok());
}

ChronologyEntry E(std::string_view when, std::string source, std::string event) {
  return {ParseDateTime(when).value(), std::move(source), std::move(event), "", ""};
}

TEST(Chronology, MergeIsDateOrderedAndStable) {
  std::vector<ChronologyEntry> police = {E("2025-01-10T22:15", "Police", "p1"), E("2025-03-01", "Police", "p2"),
                                         E("2025-03-01", "Police", "p3")};
  std::vector<ChronologyEntry> health = {E("2025-01-10", "Health", "h1"), E("2025-03-01", "Health", "h2"),
                                         E("2025-02-01T09:00", "Health", "h0")};  // out of order on purpose
  std::vector<ChronologyEntry> school = {E("2025-03-01", "School", "s1"), E("2024-12-24", "School", "s0")};
  const auto merged = MergeChronologies({police, health, school});
  std::vector<std::string> order;
  for (const auto& e : merged) order.push_back(e.significant_event);
  // 10 Jan: untimed h1 before the 22:15 police entry; 1 March: police, then health, then school, each in
  // its own order.
  EXPECT_EQ(order, (std::vector<std::string>{"s0", "h1", "p1", "h0", "p2", "p3", "h2", "s1"}));
  EXPECT_TRUE(MergeChronologies({}).empty());
}

TEST(Chronology, Validation) {
  EXPECT_TRUE(ValidateChronologyEntry(E("2025-01-10", "Police", "x")).ok());
  EXPECT_FALSE(ValidateChronologyEntry(E("2025-01-10", "", "x")).ok());
  EXPECT_FALSE(ValidateChronologyEntry(E("2025-01-10", "Police", " ")).ok());
}

}  // namespace
}  // namespace casepack
