// Issue 11, item 7, end to end with the real binaries over TLS: a laptop whose clock is three days fast
// (casepack-testclock with CASEPACK_TEST_NOW; its requests are still signed with the real time, as a
// device whose calendar clock is wrong but whose connection works). On main its edits were refused by
// every other device ("timestamp is implausibly far in the future"), silently and for ever, and so were
// its later edits made with a correct clock. Now: they are applied everywhere, the fast laptop's sync says
// "this device's clock is 3 days ahead of the server", its later edits arrive too, and no other replica's
// clock is dragged more than a day (HybridClock::kMaxDriftMillis) into the future.
#include "casepack/hlc.h"
#include "casepack/operation.h"
#include "cli/sync/sync_support.h"

namespace casepack::testing {
namespace {

using nlohmann::json;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

std::int64_t RealNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The latest HLC time (ms) among the operations this laptop's store made itself in the case.
std::uint64_t LatestOwnClock(const Laptop& l, const std::string& case_id, const char* passphrase) {
  InitCrypto();
  auto store = Store::Open(l.dir, passphrase, "fast clock test");
  EXPECT_TRUE(store.ok()) << store.error().message;
  if (!store.ok()) return 0;
  auto st = (*store)->db().Prepare("SELECT body FROM ops WHERE case_id = ? AND local = 1;");
  EXPECT_TRUE(st.ok());
  st->Bind(1, case_id);
  std::uint64_t latest = 0;
  for (;;) {
    auto row = st->Step();
    if (!row.ok() || !*row) break;
    auto ops = DecodeOperations(st->BlobView(0));
    EXPECT_TRUE(ops.ok());
    if (!ops.ok()) continue;
    for (const auto& op : *ops) latest = std::max(latest, op.clock.millis());
  }
  return latest;
}

class Issue11FastClock : public ThreeLaptopsTest {};

TEST_F(Issue11FastClock, EditsFromAClockThreeDaysFastAreAppliedEverywhereAndTheDeviceIsTold) {
  const std::string c = SharedCase("Clock Subject", "Opening line by the Business Unit.\n");

  // xena's laptop is three days fast: it edits the notes and the venue, and syncs.
  x_.test_now = DaysFromToday(3);
  x_.Ok({"note", "add", c, "story"}, "Line typed three days fast.\n");
  x_.Ok({"case", "set", c, "--venue", "Hall from the future"});
  auto sync = x_.Run({"sync"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err << sync.out;
  EXPECT_NE(sync.out.find("this device's clock is 3 days ahead of the server"), std::string::npos) << sync.out;
  auto sync_json = x_.Run({"sync", "--json"});
  ASSERT_EQ(sync_json.exit_code, 0) << sync_json.err;
  const json report = json::parse(sync_json.out);
  EXPECT_EQ(report.value("clock_warning", ""), "this device's clock is 3 days ahead of the server") << report.dump(2);
  EXPECT_GT(report.value("clock_offset_ms", 0LL), 3 * kDayMs - 60'000) << report.dump(2);

  // The others receive and apply both edits.
  for (const Laptop* l : {&bu_, &y_}) {
    const json r = Sync(*l);
    EXPECT_TRUE(r.value("clock_warning", json()).is_null()) << l->name << ": " << r.dump(2);
    for (const auto& cr : r.value("cases", json::array()))
      EXPECT_TRUE(cr.value("rejected", json::array()).empty()) << l->name << ": " << cr.dump(2);
    EXPECT_NE(Story(*l, c).find("Line typed three days fast."), std::string::npos) << l->name;
    EXPECT_EQ(l->Json({"case", "show", c, "--json"}).value("venue", ""), "Hall from the future") << l->name;
  }

  // The Business Unit, which has seen the fast venue, replaces it: its edit wins everywhere (it follows what
  // it saw), although its clock is three days behind that edit's time, and its clock is not dragged along.
  bu_.Ok({"case", "set", c, "--venue", "Hall of today"});
  y_.Ok({"note", "add", c, "story"}, "Line by yann with a correct clock.\n");
  // xena's clock is put right; her later edits arrive too, and her sync no longer warns.
  x_.test_now.clear();
  x_.Ok({"note", "add", c, "story"}, "Line by xena with her clock put right.\n");
  auto right = x_.Run({"sync"});
  EXPECT_EQ(right.exit_code, 0) << right.err;
  EXPECT_EQ(right.out.find("ahead of the server"), std::string::npos) << right.out;
  SyncUntilQuiet({&bu_, &x_, &y_});
  const json shown = bu_.Json({"case", "show", c, "--json"});
  EXPECT_EQ(shown.value("venue", ""), "Hall of today") << shown.dump(2);
  for (const Laptop* l : {&x_, &y_}) EXPECT_EQ(l->Json({"case", "show", c, "--json"}), shown) << l->name;
  const std::string story = Story(y_, c);
  for (const char* line : {"Opening line by the Business Unit.", "Line typed three days fast.",
                           "Line by yann with a correct clock.", "Line by xena with her clock put right."})
    EXPECT_NE(story.find(line), std::string::npos) << line << "\n" << story;

  // No replica that received the fast edits stamps its own later edits more than a day ahead.
  const std::int64_t bound = RealNowMs() + static_cast<std::int64_t>(HybridClock::kMaxDriftMillis) + 60'000;
  for (const Laptop* l : {&bu_, &y_}) {
    const std::uint64_t latest = LatestOwnClock(*l, c, kPassphrase);
    EXPECT_GT(latest, 0u) << l->name;
    EXPECT_LE(static_cast<std::int64_t>(latest), bound) << l->name << " was dragged into the future";
  }
}

}  // namespace
}  // namespace casepack::testing
