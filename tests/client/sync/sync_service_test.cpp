// The sync service through the transport seam (SyncService::SetTransport) with the in-memory faulty
// transport (support/memory_transport.h): the real server Api in-process, every request signed and encoded
// as over the network. Unit tests of behaviour under one fault each, then the property: 2-5 sessions make
// random offline edits and sync with random faults on every call; once the network is quiet every session
// holds the same case, and no acknowledged edit is lost. Seed printed on failure; CASEPACK_TEST_SEED
// replays it.
#include <gtest/gtest.h>

#include <algorithm>
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

}  // namespace
}  // namespace casepack
