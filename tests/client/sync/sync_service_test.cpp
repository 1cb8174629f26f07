// The sync service through the transport seam (SyncService::SetTransport) with the in-memory faulty
// transport (support/memory_transport.h): the real server Api in-process, every request signed and encoded
// as over the network. Unit tests of behaviour under one fault each, then the property: 2-5 sessions make
// random offline edits and sync with random faults on every call; once the network is quiet every session
// holds the same case, and no acknowledged edit is lost. Seed printed on failure; CASEPACK_TEST_SEED
// replays it.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "casepack/session.h"
#include "support/memory_transport.h"
#include "support/process.h"

namespace casepack {
namespace {

using testing::FaultyNetwork;
using testing::MemoryServer;
using testing::MemoryTransport;

constexpr std::string_view kPass = "correct horse battery staple";
const std::string kUrl = "https://memory.invalid:8443";
const std::string kFingerprint(64, 'a');

unsigned SeedForTest() {
  const char* env = std::getenv("CASEPACK_TEST_SEED");
  return env != nullptr ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : std::random_device{}();
}

std::string Section() { return std::string(NoteSections(EventType::kMas)[0].key); }

struct Device {
  std::unique_ptr<ClientSession> session;
  std::string user_id;
  CaseService& cases() { return **session->cases(); }
  SyncService& sync() { return **session->sync(); }
};

class SyncThroughTransport : public ::testing::Test {
 protected:
  SyncThroughTransport() : seed_(SeedForTest()), server_(dir_ / "server"), network_(server_, seed_) {}

  Device& AddDevice(std::string_view role) {
    const auto path = dir_ / ("device" + std::to_string(devices_.size()));
    auto s = ClientSession::Create(path, kPass, SystemClock(), KdfParams::CheapForTests());
    EXPECT_TRUE(s.ok()) << s.error().message;
    Device d{std::move(s).value(), {}};
    d.sync().SetTransport([this](const ServerConfig&) -> Result<std::unique_ptr<net::HttpsClient>> {
      return std::unique_ptr<net::HttpsClient>(std::make_unique<MemoryTransport>(network_));
    });
    auto enrolled = d.sync().Enroll(kUrl, kFingerprint, server_.Invite(role));
    EXPECT_TRUE(enrolled.ok()) << enrolled.error().message;
    d.user_id = enrolled->user_id;
    devices_.push_back(std::move(d));
    return devices_.back();
  }

  std::string NewSharedCase() {
    NewCase nc;
    nc.event_type = EventType::kMas;
    nc.subject = {"A.B.", "Cardiff"};
    const std::string id = *devices_[0].cases().CreateCase(nc);
    EXPECT_TRUE(devices_[0].sync().Sync().ok());
    for (std::size_t i = 1; i < devices_.size(); ++i) {
      Status st = devices_[0].sync().Share(id, devices_[i].user_id);
      EXPECT_TRUE(st.ok()) << st.error().message;
    }
    for (auto& d : devices_) EXPECT_TRUE(d.sync().Sync().ok());
    return id;
  }

  // Everyone syncs until a full round changes nothing (the network quiet). Returns false if it never settles.
  bool SyncUntilQuiet() {
    network_.rates = {};
    network_.DrainHeld();
    for (int round = 0; round < 6; ++round) {
      std::size_t moved = 0;
      for (auto& d : devices_) {
        auto r = d.sync().Sync();
        if (!r.ok() || !r->ok()) return false;
        for (const auto& c : r->cases) moved += c.pushed + c.pulled;
      }
      if (moved == 0 && round > 0) return true;
    }
    return false;
  }

  const unsigned seed_;
  testing::TempDir dir_;
  MemoryServer server_;
  FaultyNetwork network_;
  std::vector<Device> devices_;
};

TEST_F(SyncThroughTransport, LostResponseToAPushIsRepairedByTheNextSync) {
  SCOPED_TRACE("seed " + std::to_string(seed_));
  AddDevice(wire::kRoleBusinessUnit);
  AddDevice(wire::kRoleFacilitator);
  const std::string id = NewSharedCase();
  ASSERT_TRUE(devices_[0].cases().EditNote(id, Section(), 0, 0, "hello").ok());
  network_.rates.drop_response = 1.0;  // the server stores the push; the device never hears so
  auto lost = devices_[0].sync().Sync();
  EXPECT_TRUE(!lost.ok() || !lost->ok());
  ASSERT_TRUE(SyncUntilQuiet());
  EXPECT_EQ(devices_[1].cases().GetCase(id)->notes[Section()], "hello");
}

TEST_F(SyncThroughTransport, DroppedRequestsChangeNothingAndAreRetried) {
  SCOPED_TRACE("seed " + std::to_string(seed_));
  AddDevice(wire::kRoleBusinessUnit);
  AddDevice(wire::kRoleFacilitator);
  const std::string id = NewSharedCase();
  ASSERT_TRUE(devices_[1].cases().EditNote(id, Section(), 0, 0, "from the second device").ok());
  network_.rates.drop_request = 1.0;
  auto r = devices_[1].sync().Sync();
  EXPECT_EQ(r.ok() ? ErrorCode::kUnavailable : r.error().code, ErrorCode::kUnavailable);
  ASSERT_TRUE(SyncUntilQuiet());
  EXPECT_EQ(devices_[0].cases().GetCase(id)->notes[Section()], "from the second device");
}

TEST_F(SyncThroughTransport, PropertyRandomEditsRandomFaultsConverge) {
  SCOPED_TRACE("seed " + std::to_string(seed_) + " (replay: CASEPACK_TEST_SEED=" + std::to_string(seed_) + ")");
  std::mt19937_64 rng(seed_);
  const int n = std::uniform_int_distribution<int>(2, 5)(rng);
  AddDevice(wire::kRoleBusinessUnit);
  for (int i = 1; i < n; ++i) AddDevice(wire::kRoleFacilitator);
  const std::string id = NewSharedCase();
  std::set<std::string> acknowledged;  // actions whose AddAction returned Ok somewhere
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < n; ++i) {
      CaseService& cases = devices_[i].cases();
      for (int e = std::uniform_int_distribution<int>(1, 6)(rng); e > 0; --e) {
        const std::string text = cases.GetCase(id)->notes[Section()];
        if (chance(0.3) && !text.empty()) {
          const std::size_t pos = std::uniform_int_distribution<std::size_t>(0, text.size() - 1)(rng);
          ASSERT_TRUE(cases.EditNote(id, Section(), pos, 1, "").ok());
        } else if (chance(0.7)) {
          const std::size_t pos = std::uniform_int_distribution<std::size_t>(0, text.size())(rng);
          ASSERT_TRUE(cases.EditNote(id, Section(), pos, 0, std::string(1, static_cast<char>('a' + i))).ok());
        } else {
          Action a;
          a.what = "d" + std::to_string(i) + "r" + std::to_string(round) + "e" + std::to_string(e);
          a.owner = Conflicted<Owner>::Of(Owner{"Police", ""});
          a.due = Conflicted<Date>::Of(Date{2030, 1, 1});
          auto added = cases.AddAction(id, a);
          ASSERT_TRUE(added.ok()) << added.error().message;
          acknowledged.insert(a.what);
        }
      }
    }
    network_.rates = {0.15, 0.15, 0.1, 0.1};
    std::vector<int> order(n);
    for (int i = 0; i < n; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    for (int i : order) (void)devices_[i].sync().Sync();  // may fail: the next sync resumes
  }
  ASSERT_TRUE(SyncUntilQuiet()) << "faults: " << network_.counts.calls << " calls";
  const CaseDetail first = *devices_[0].cases().GetCase(id);
  std::set<std::string> whats;
  for (const auto& a : first.actions) whats.insert(a.what);
  for (const auto& w : acknowledged) EXPECT_TRUE(whats.count(w)) << "acknowledged action lost: " << w;
  for (int i = 1; i < n; ++i) {
    const CaseDetail other = *devices_[i].cases().GetCase(id);
    EXPECT_EQ(other.notes, first.notes) << "device " << i;
    std::set<std::string> theirs;
    for (const auto& a : other.actions) theirs.insert(a.what);
    EXPECT_EQ(theirs, whats) << "device " << i;
  }
  // The faults were really exercised.
  EXPECT_GT(network_.counts.dropped_requests + network_.counts.dropped_responses + network_.counts.duplicated +
                network_.counts.delayed, 0u);
}

}  // namespace
}  // namespace casepack

namespace casepack {
namespace {

// The desktop's pattern (session.h "Thread safety"): a worker thread syncs holding the session, released
// during each request; the UI thread types through Exclusive() meanwhile. Both finish, nothing typed is
// lost, and the other device receives it.
TEST_F(SyncThroughTransport, TypingWhileAWorkerSyncs) {
  SCOPED_TRACE("seed " + std::to_string(seed_));
  AddDevice(wire::kRoleBusinessUnit);
  AddDevice(wire::kRoleFacilitator);
  const std::string id = NewSharedCase();
  ClientSession& window = *devices_[0].session;
  std::unique_lock<std::mutex> worker_lock = window.Exclusive();
  worker_lock.unlock();  // the worker's, taken and released on its thread
  devices_[0].sync().SetTransport([&](const ServerConfig&) -> Result<std::unique_ptr<net::HttpsClient>> {
    return std::unique_ptr<net::HttpsClient>(
        std::make_unique<ReleasedDuringNetwork>(std::make_unique<MemoryTransport>(network_), worker_lock));
  });
  std::thread worker([&] {
    for (int i = 0; i < 5; ++i) {
      worker_lock.lock();
      (void)devices_[0].sync().Sync();
      worker_lock.unlock();
    }
  });
  std::string typed;
  for (int i = 0; i < 60; ++i) {
    auto lock = window.Exclusive();
    const char c = static_cast<char>('a' + i % 26);
    ASSERT_TRUE(devices_[0].cases().EditNote(id, Section(), typed.size(), 0, std::string(1, c)).ok());
    typed += c;
  }
  worker.join();
  devices_[0].sync().SetTransport([this](const ServerConfig&) -> Result<std::unique_ptr<net::HttpsClient>> {
    return std::unique_ptr<net::HttpsClient>(std::make_unique<MemoryTransport>(network_));
  });
  ASSERT_TRUE(SyncUntilQuiet());
  EXPECT_EQ(devices_[0].cases().GetCase(id)->notes[Section()], typed);
  EXPECT_EQ(devices_[1].cases().GetCase(id)->notes[Section()], typed);
}

// Issue 18: a paragraph's version is held back while only its own device types in it (docs/case-model.md
// "Typing without a version per keystroke"). Two devices typing in one paragraph offline must still end in a
// conflict on both, listing each device's newest version, exactly as with a version per keystroke; typing in
// it again after the merge ends the conflict everywhere.
TEST_F(SyncThroughTransport, Issue18TypingInOneParagraphOnTwoDevicesIsAConflictOfEachNewestVersion) {
  SCOPED_TRACE("seed " + std::to_string(seed_));
  AddDevice(wire::kRoleBusinessUnit);
  AddDevice(wire::kRoleFacilitator);
  const std::string id = NewSharedCase();
  const std::string base = "Mam attends.\n";
  for (std::size_t i = 0; i < base.size(); ++i)
    ASSERT_TRUE(devices_[0].cases().EditNote(id, Section(), i, 0, base.substr(i, 1)).ok());
  ASSERT_TRUE(SyncUntilQuiet());
  // Offline, each types at the end of the line (before its '\n'), a keystroke at a time.
  const std::string zero = " Taid drives her.", one = " Health visitor weekly.";
  for (std::size_t i = 0; i < zero.size(); ++i)
    ASSERT_TRUE(devices_[0].cases().EditNote(id, Section(), 12 + i, 0, zero.substr(i, 1)).ok());
  for (std::size_t i = 0; i < one.size(); ++i)
    ASSERT_TRUE(devices_[1].cases().EditNote(id, Section(), 12 + i, 0, one.substr(i, 1)).ok());
  ASSERT_TRUE(SyncUntilQuiet());
  const std::set<std::string> newest = {"Mam attends." + zero, "Mam attends." + one};  // listed without the line break
  for (auto& d : devices_) {
    auto conflicts = d.cases().TextConflicts(id);
    ASSERT_TRUE(conflicts.ok()) << conflicts.error().message;
    ASSERT_EQ(conflicts->size(), 1u) << "typing in one paragraph on two devices is a conflict";
    std::set<std::string> versions;
    for (const auto& c : (*conflicts)[0].versions.candidates) versions.insert(c.value);
    EXPECT_EQ(versions, newest) << "each device's newest version, not one from an earlier keystroke";
  }
  EXPECT_EQ(devices_[0].cases().GetCase(id)->notes[Section()], devices_[1].cases().GetCase(id)->notes[Section()]);
  // Typing in the merged paragraph again is a decision: the conflict ends on both.
  ASSERT_TRUE(devices_[1].cases().EditNote(id, Section(), 0, 0, "!").ok());
  ASSERT_TRUE(SyncUntilQuiet());
  for (auto& d : devices_) EXPECT_TRUE(d.cases().TextConflicts(id)->empty());
}

// ---- deleting rows (CaseService::DeleteRow, docs/case-model.md "Deleting rows") ----

// One row in each deletable table of `id`, made on `d`. Returns their ids by table.
std::map<CaseTable, std::string> AddOneOfEach(Device& d, const std::string& id) {
  std::map<CaseTable, std::string> ids;
  Attendance a;
  a.agency = "Heddlu Gwent";
  a.status = AttendanceStatus::kAttended;
  ids[CaseTable::kAttendance] = *d.cases().RecordAttendance(id, std::nullopt, a);
  Action act;
  act.what = "Trefnu cyfarfod grŵp craidd";
  act.owner = Conflicted<Owner>::Of(Owner{"Children's Services", "Social worker"});
  act.due = Conflicted<Date>::Of(Date{2030, 1, 31});
  ids[CaseTable::kActions] = *d.cases().AddAction(id, act);
  ChronologyEntry e{DateTime{Date{2026, 3, 4}, std::nullopt}, "Health", "Bruise seen at clinic", "", ""};
  ids[CaseTable::kChronology] = *d.cases().AddChronologyEntry(id, e);
  ParticipantFeedback f;
  f.agency = "Education";
  f.role = "Teacher";
  ids[CaseTable::kFeedback] = *d.cases().AddFeedback(id, f);
  const std::string bytes = "core group minutes, ŵ and ŷ";
  std::size_t at = 0;
  auto meta = d.cases().AddDocument(id, DocumentType::kCoreGroupMinutes, "minutes.txt", Date{2026, 3, 1}, "Health",
                                    [&](std::span<std::uint8_t> buf) -> Result<std::size_t> {
                                      const std::size_t n = std::min(buf.size(), bytes.size() - at);
                                      std::copy_n(bytes.data() + at, n, reinterpret_cast<char*>(buf.data()));
                                      at += n;
                                      return n;
                                    });
  EXPECT_TRUE(meta.ok()) << meta.error().message;
  if (meta.ok()) ids[CaseTable::kDocuments] = meta->id;
  return ids;
}

std::size_t Rows(const CaseDetail& c, CaseTable t) {
  switch (t) {
    case CaseTable::kAttendance: return c.attendance.size();
    case CaseTable::kActions: return c.actions.size();
    case CaseTable::kChronology: return c.chronology.size();
    case CaseTable::kFeedback: return c.feedback.size();
    case CaseTable::kDocuments: return c.documents.size();
    case CaseTable::kReviews: return c.mapm.reviews.size();
    case CaseTable::kPlanningGroup: return c.process.planning_group.size();
  }
  return 0;
}

TEST_F(SyncThroughTransport, ADeletedRowIsDeletedOnTheOtherDevice) {
  AddDevice("facilitator");
  AddDevice("facilitator");
  const std::string id = NewSharedCase();
  const auto ids = AddOneOfEach(devices_[0], id);
  ASSERT_EQ(ids.size(), 5u);
  ASSERT_TRUE(SyncUntilQuiet());
  for (const auto& [table, row] : ids) ASSERT_EQ(Rows(*devices_[1].cases().GetCase(id), table), 1u);
  EXPECT_EQ(*devices_[0].sync().UnsentChanges(), 0u);
  for (const auto& [table, row] : ids) {
    Status st = devices_[0].cases().DeleteRow(id, table, row);
    ASSERT_TRUE(st.ok()) << st.error().message;
    EXPECT_EQ(Rows(*devices_[0].cases().GetCase(id), table), 0u);
  }
  EXPECT_EQ(*devices_[0].sync().UnsentChanges(), 5u) << "one change per delete, waiting to be sent";
  ASSERT_TRUE(SyncUntilQuiet());
  EXPECT_EQ(*devices_[0].sync().UnsentChanges(), 0u);
  for (const auto& [table, row] : ids) EXPECT_EQ(Rows(*devices_[1].cases().GetCase(id), table), 0u);
  // Deleting what is already gone says so and changes nothing.
  Status again = devices_[1].cases().DeleteRow(id, CaseTable::kActions, ids.at(CaseTable::kActions));
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*devices_[1].sync().UnsentChanges(), 0u);
  // The same paper can be added again on the device that received the delete.
  const auto re = AddOneOfEach(devices_[1], id);
  EXPECT_EQ(re.size(), 5u) << "the deleted document's bytes were refused as a duplicate";
}

TEST_F(SyncThroughTransport, AnEditBeatsADeleteItHadNotSeen) {
  AddDevice("facilitator");
  AddDevice("facilitator");
  const std::string id = NewSharedCase();
  const auto ids = AddOneOfEach(devices_[0], id);
  ASSERT_TRUE(SyncUntilQuiet());
  // Apart: one deletes the action and the attendee, the other changes them; both delete the chronology entry.
  ASSERT_TRUE(devices_[0].cases().DeleteRow(id, CaseTable::kActions, ids.at(CaseTable::kActions)).ok());
  ASSERT_TRUE(devices_[0].cases().DeleteRow(id, CaseTable::kAttendance, ids.at(CaseTable::kAttendance)).ok());
  ASSERT_TRUE(devices_[0].cases().DeleteRow(id, CaseTable::kChronology, ids.at(CaseTable::kChronology)).ok());
  ActionChange change;
  change.owner = Owner{"Education", "Headteacher"};
  ASSERT_TRUE(devices_[1].cases().UpdateAction(id, ids.at(CaseTable::kActions), change).ok());
  Attendance a;
  a.agency = "Heddlu Gwent";
  a.status = AttendanceStatus::kApologies;
  a.reason = "in court";
  ASSERT_TRUE(devices_[1].cases().RecordAttendance(id, ids.at(CaseTable::kAttendance), a).ok());
  ASSERT_TRUE(devices_[1].cases().DeleteRow(id, CaseTable::kChronology, ids.at(CaseTable::kChronology)).ok());
  ASSERT_TRUE(SyncUntilQuiet());
  for (Device& d : devices_) {
    const CaseDetail c = *d.cases().GetCase(id);
    ASSERT_EQ(c.actions.size(), 1u) << "the edited action came back";
    EXPECT_EQ(c.actions[0].owner.value().agency, "Education");
    ASSERT_EQ(c.attendance.size(), 1u) << "the edited attendee came back";
    EXPECT_EQ(c.attendance[0].attendance.reason, "in court");
    EXPECT_TRUE(c.chronology.empty()) << "deleted on both";
    EXPECT_EQ(c.feedback.size(), 1u) << "untouched";
  }
  // Deleted again, having seen the edit: gone everywhere.
  ASSERT_TRUE(devices_[0].cases().DeleteRow(id, CaseTable::kActions, ids.at(CaseTable::kActions).substr(0, 6)).ok());
  ASSERT_TRUE(SyncUntilQuiet());
  for (Device& d : devices_) EXPECT_TRUE(d.cases().GetCase(id)->actions.empty());
}

TEST_F(SyncThroughTransport, DeletingADocumentRemovesItsLocalFile) {
  AddDevice("facilitator");
  const std::string id = NewSharedCase();
  const auto ids = AddOneOfEach(devices_[0], id);
  auto doc = devices_[0].cases().FindDocument(id, ids.at(CaseTable::kDocuments));
  ASSERT_TRUE(doc.ok());
  const auto blob = devices_[0].cases().blobs().PathOf(doc->blob_id);
  ASSERT_TRUE(std::filesystem::exists(blob));
  ASSERT_TRUE(devices_[0].cases().DeleteRow(id, CaseTable::kDocuments, ids.at(CaseTable::kDocuments)).ok());
  EXPECT_FALSE(std::filesystem::exists(blob));
  EXPECT_EQ(devices_[0].cases().DeleteRow(id, CaseTable::kDocuments, "zz").error().code, ErrorCode::kInvalidArgument)
      << "a prefix needs 4 characters";
}

}  // namespace
}  // namespace casepack
