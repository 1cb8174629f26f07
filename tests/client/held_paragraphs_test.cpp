// Issue 18, goal 4: typing does not write its paragraph's version once per keystroke. While only this
// device has written a paragraph's register, EditNote holds the newest version back (pending_paragraphs)
// and any other edit, a pull or a push writes it first (docs/case-model.md "Typing without a version per
// keystroke"). What crosses the network after a week of typing is then the typed runs and one version per
// paragraph, not a version per keystroke; the conflict semantics stay those of a version per keystroke
// (tests/client/sync/sync_service_test.cpp, Issue18TypingInOneParagraphOnTwoDevices…).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "cases_internal.h"
#include "casepack/cases.h"
#include "casepack/text_rewrite.h"
#include "client/store_fixture.h"
#include "sealed_batch_body.h"
#include "support/process.h"

namespace casepack {
namespace {

using testing::MakeStore;
using testing::Section;

// What a push of `id` would carry, decoded: every operation of every sealed batch, in order.
std::vector<Operation> WhatAPushCarries(CaseService& cases, const std::string& id) {
  auto batches = CaseServiceInternal::UnpushedBatches(cases, id, 250000, 1000 * 1000);  // as sync_service.cpp
  EXPECT_TRUE(batches.ok()) << batches.error().message;
  std::vector<Operation> ops;
  for (const auto& b : *batches) {
    auto decoded = DecodeSealedBatchBody(b.body);
    EXPECT_TRUE(decoded.ok()) << decoded.error().message;
    for (auto& op : *decoded) ops.push_back(std::move(op));
  }
  return ops;
}

// The paragraph registers' values the push carries, in order: (field, value).
std::vector<std::pair<std::string, std::string>> ParagraphWrites(const std::vector<Operation>& ops) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& op : ops)
    if (op.kind == OpKind::kRegisterSet && op.target.object.rfind("para:", 0) == 0) out.emplace_back(op.target.field, op.value);
  return out;
}

std::string NewMasCase(CaseService& cases) {
  NewCase nc;
  nc.event_type = EventType::kMas;
  nc.subject = {"A.B.", "Cardiff"};
  auto id = cases.CreateCase(nc);
  EXPECT_TRUE(id.ok()) << id.error().message;
  return *id;
}

void Type(CaseService& cases, const std::string& id, std::uint64_t at, std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) ASSERT_TRUE(cases.EditNote(id, Section(), at + i, 0, text.substr(i, 1)).ok());
}

TEST(Issue18HeldParagraphs, TypingInOneParagraphPushesOneVersionOfItAndOneRun) {
  testing::TempDir t;
  auto s = MakeStore(t / "s");
  CaseService cases(*s);
  const std::string id = NewMasCase(cases);
  const std::string line = "The core group met on Tuesday and agreed the plan with Mam.";
  Type(cases, id, 0, line);
  ASSERT_EQ(*cases.ReadNote(id, Section()), line);

  const std::vector<Operation> ops = WhatAPushCarries(cases, id);
  // One version of the paragraph (the last line, "end"), the newest; a version per keystroke was 60.
  EXPECT_EQ(ParagraphWrites(ops), (std::vector<std::pair<std::string, std::string>>{{"end", line}}));
  // The keystrokes have consecutive counters, so they travel as one typed run.
  std::size_t inserts = 0;
  for (const auto& op : ops) inserts += op.kind == OpKind::kTextInsert;
  EXPECT_EQ(inserts, 1u);
  EXPECT_EQ(*s->db().QueryInt("SELECT COUNT(*) FROM pending_paragraphs;"), 0) << "written by the push, not held twice";
}

TEST(Issue18HeldParagraphs, AnyOtherEditWritesTheHeldVersionsFirst) {
  testing::TempDir t;
  auto s = MakeStore(t / "s");
  CaseService cases(*s);
  const std::string id = NewMasCase(cases);
  ASSERT_TRUE(cases.SetNote(id, Section(), "First paragraph.\nSecond paragraph.\n").ok());
  const auto base = WhatAPushCarries(cases, id);
  const std::size_t written_before = ParagraphWrites(base).size();
  Type(cases, id, 16, " Typed.");  // at the end of the first line, before its '\n'
  ASSERT_EQ(*s->db().QueryInt("SELECT COUNT(*) FROM pending_paragraphs;"), 1);
  // A rewrite of that paragraph: its version comes after the held one, so it is the register's value.
  ASSERT_TRUE(cases.SetNote(id, Section(), "First, rewritten.\nSecond paragraph.\n").ok());
  EXPECT_EQ(*s->db().QueryInt("SELECT COUNT(*) FROM pending_paragraphs;"), 0);
  const auto writes = ParagraphWrites(WhatAPushCarries(cases, id));
  ASSERT_EQ(writes.size(), written_before + 2);
  EXPECT_EQ(writes[writes.size() - 2].second, "First paragraph. Typed.\n");
  EXPECT_EQ(writes.back().second, "First, rewritten.\n");
  EXPECT_EQ(writes[writes.size() - 2].first, writes.back().first) << "one paragraph, one register";
}

TEST(Issue18HeldParagraphs, HeldVersionOutlivesAKilledProcess) {
  testing::TempDir t;
  std::string id;
  {
    auto s = MakeStore(t / "s");
    CaseService cases(*s);
    id = NewMasCase(cases);
  }
  const std::string line = "Typed, then the laptop's battery ran out.";
  ASSERT_EQ(testing::RunThenKillNine([&] {
    auto s = Store::Open(t / "s", testing::kPass, "casepack", SystemClock());
    if (!s.ok()) return 2;
    CaseService cases(**s);
    for (std::size_t i = 0; i < line.size(); ++i)
      if (!cases.EditNote(id, Section(), i, 0, line.substr(i, 1)).ok()) return 3;
    return 0;
  }), 0) << "the child could not type";

  auto s = Store::Open(t / "s", testing::kPass, "casepack", SystemClock());
  ASSERT_TRUE(s.ok()) << s.error().message;
  CaseService cases(**s);
  EXPECT_EQ(*cases.ReadNote(id, Section()), line);
  EXPECT_EQ(ParagraphWrites(WhatAPushCarries(cases, id)), (std::vector<std::pair<std::string, std::string>>{{"end", line}}));
}

}  // namespace
}  // namespace casepack
