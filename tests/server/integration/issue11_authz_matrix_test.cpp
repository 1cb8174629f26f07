// Issue 11, item 3, against the real casepackd over TLS: on main any facilitator member could PUT
// {"purge_on":"2020-01-01"} and purge a case for everyone at once, and DELETE the Business Unit (or any
// member) from a case. New cells of the authorisation matrix (the rest is in authz_test.cpp):
//
//   request                                     | business unit | creator (facilitator) | other member
//   PUT retention, first date, in the past      | 200 (purges)  | 403                   | 403
//   PUT retention, first date, later than today | 200           | 200                   | 200
//   PUT retention, earlier than the date held   | 200           | 403                   | 403
//   PUT retention, not earlier than held        | 200           | 200                   | 200
//   PUT retention, clear a date held            | 200           | 403                   | 403
//   DELETE members/<facilitator>                | 200           | 200                   | 403
//   DELETE members/<business unit>              | 403           | 403                   | 403
//
// Items 4 and 5 (an epoch nobody has keyed yet, after a removal or a revocation):
//   POST rekey, every current member once      | 200 (first)   | 200 (first)           | 200 (first)
//   POST rekey, epoch already keyed             | 409           | 409                   | 409
//   POST rekey, a member missing / an outsider  | 400           | 400                   | 400
//   POST keys or members for the unkeyed epoch  | 409           | 409                   | 409
//   a revoked user's cases                      | removed from each, each at a new epoch
#include <gtest/gtest.h>

#include "harness.h"

namespace casepack::testing {
namespace {

constexpr ErrorCode kForbidden = ErrorCode::kAuthFailed;  // how the client reports a 403

class Issue11AuthzMatrix : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    if (HasFatalFailure()) return;
    creator_ = NewUser("facilitator");
    member_ = NewUser("facilitator");
    third_ = NewUser("facilitator");
  }
  // A case created by creator_, with the Business Unit, member_ and third_ as members, and one op.
  std::string Case() {
    const std::string id = RandomId();
    EXPECT_TRUE(creator_->CreateCase(id, Bytes(80, 1)).ok());
    for (TestUser* u : {&bu_, &member_, &third_})
      EXPECT_TRUE(creator_->AddMember(id, u->principal.user_id, {{u->principal.user_id, 1, Bytes(80, 2)}}).ok());
    EXPECT_TRUE(creator_->PushOps(id, {{"r:1", 1, Bytes(64, 9)}}).ok());
    return id;
  }
  static std::string Today() { return wire::UtcDateOf(wire::NowMs()); }
  static std::string InYears(int years) {
    return std::to_string(std::stoi(Today().substr(0, 4)) + years) + Today().substr(4, 3) + "-01";
  }
  TestUser creator_, member_, third_;
};
INSTANTIATE_SERVER_TESTS(Issue11AuthzMatrix);

TEST_P(Issue11AuthzMatrix, OnlyTheBusinessUnitSetsOrShortensAPurgeDate) {
  const std::string id = Case();
  for (TestUser* u : {&creator_, &member_}) {
    EXPECT_EQ((*u)->PutPurgeDate(id, "2020-01-01").error().code, kForbidden);
    EXPECT_EQ((*u)->PutPurgeDate(id, Today()).error().code, kForbidden);
  }
  EXPECT_EQ(member_->PullOps(id, 0)->ops.size(), 1u) << "the case must still be there";
  // A facilitator's device reports the policy's date: taken when later than today, then only later ones.
  ASSERT_TRUE(member_->PutPurgeDate(id, InYears(7)).ok());
  for (TestUser* u : {&creator_, &member_}) {
    EXPECT_EQ((*u)->PutPurgeDate(id, InYears(6)).error().code, kForbidden);
    EXPECT_EQ((*u)->PutPurgeDate(id, "").error().code, kForbidden);
    EXPECT_EQ((*u)->GetRetention(id)->purge_on, InYears(7));
  }
  ASSERT_TRUE(creator_->PutPurgeDate(id, InYears(7)).ok());
  ASSERT_TRUE(creator_->PutPurgeDate(id, InYears(8)).ok());
  EXPECT_EQ(member_->GetRetention(id)->purge_on, InYears(8));
  // The Business Unit may bring it forward, clear it, or set a past date (which purges at once).
  ASSERT_TRUE(bu_->PutPurgeDate(id, InYears(6)).ok());
  EXPECT_EQ(member_->GetRetention(id)->purge_on, InYears(6));
  ASSERT_TRUE(bu_->PutPurgeDate(id, "").ok());
  EXPECT_EQ(member_->GetRetention(id)->purge_on, "");
  ASSERT_TRUE(bu_->PutPurgeDate(id, "2020-01-01").ok());
  EXPECT_EQ(member_->PullOps(id, 0).error().code, ErrorCode::kNotFound);
}

TEST_P(Issue11AuthzMatrix, OnlyTheBusinessUnitOrTheCreatorRemovesMembersAndNobodyRemovesTheBusinessUnit) {
  const std::string id = Case();
  // Another member removes nobody: not a colleague, not the creator, not the Business Unit.
  EXPECT_EQ(member_->RemoveMember(id, third_.principal.user_id).error().code, kForbidden);
  EXPECT_EQ(member_->RemoveMember(id, creator_.principal.user_id).error().code, kForbidden);
  EXPECT_EQ(member_->RemoveMember(id, bu_.principal.user_id).error().code, kForbidden);
  // Nobody removes the Business Unit, not even the creator or the Business Unit itself.
  EXPECT_EQ(creator_->RemoveMember(id, bu_.principal.user_id).error().code, kForbidden);
  EXPECT_EQ(bu_->RemoveMember(id, bu_.principal.user_id).error().code, kForbidden);
  EXPECT_EQ(creator_->ListMembers(id)->size(), 4u);
  // The creator and the Business Unit remove facilitators.
  auto e2 = creator_->RemoveMember(id, third_.principal.user_id);
  ASSERT_TRUE(e2.ok());
  EXPECT_EQ(*e2, 2);
  auto e3 = bu_->RemoveMember(id, member_.principal.user_id);
  ASSERT_TRUE(e3.ok());
  EXPECT_EQ(*e3, 3);
}


// Issue 11, item 7 (the sender's side): a device whose clock is three days fast was refused with "request
// time outside the accepted window" and nothing more; now it is told by how much, from the server's time.
TEST_P(Issue11AuthzMatrix, AFastDeviceIsToldHowFarAheadOfTheServerItsClockIs) {
  const std::int64_t three_days = 3LL * 24 * 3600 * 1000;
  const std::int64_t sent = wire::NowMs() + three_days + 60'000;
  auto reply = member_->SignedRequestCapture("GET", "/v1/cases", "", nullptr, sent);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 401);
  const Error e = net::ErrorFromReply(*reply, sent);
  EXPECT_EQ(e.message, "this device's clock is 3 days ahead of the server");
  EXPECT_NE(e.hint.find("nothing is lost"), std::string::npos);
  const Error behind = net::ErrorFromReply(*reply, reply->server_time_ms - 2 * 3'600'000);
  EXPECT_EQ(behind.message, "this device's clock is 2 hours behind the server");
}

// Issue 11, item 2: a member POSTed random bytes under the Business Unit's replica id and next counter and
// got 200; the Business Unit's own push of that op then failed for ever ("op_id already used with different
// content"). The server now binds each replica of a case to the device that first pushed under it.
TEST_P(Issue11AuthzMatrix, AnOperationUnderAnotherDevicesReplicaIsRefused) {
  const std::string id = Case();
  const std::string bu_replica = "00c0ffee00c0ffee";
  ASSERT_TRUE(bu_->PushOps(id, {{bu_replica + "-1", 1, Bytes(64, 1)}}).ok());
  auto forged = member_->PushOps(id, {{bu_replica + "-2", 1, Bytes(64, 0x66)}});
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().code, kForbidden);
  EXPECT_NE(forged.error().message.find("another device's replica"), std::string::npos) << forged.error().message;
  // Nothing of the forged batch was stored, so the Business Unit's next push goes through.
  ASSERT_TRUE(bu_->PushOps(id, {{bu_replica + "-2", 1, Bytes(64, 2)}}).ok());
  auto page = member_->PullOps(id, 0);
  ASSERT_TRUE(page.ok());
  for (const auto& op : page->ops)
    if (op.op_id.rfind(bu_replica, 0) == 0) {
      EXPECT_EQ(op.device_id, bu_.principal.device_id);
    }
  // A replica first used by the member stays the member's; ids of other forms bind nothing.
  ASSERT_TRUE(member_->PushOps(id, {{"1111222233334444-1", 1, Bytes(64, 3)}}).ok());
  EXPECT_EQ(bu_->PushOps(id, {{"1111222233334444-2", 1, Bytes(64, 4)}}).error().code, kForbidden);
  EXPECT_TRUE(bu_->PushOps(id, {{"r:2", 1, Bytes(64, 5)}}).ok());
}

// Items 4 and 5: a hostile member cannot make the new epoch look keyed with one envelope of its own (which
// would leave everyone else without a key for good), nor key it for only some members; the first complete
// rekey wins and a second one changes nothing. Revoking a user moves each of their cases to a new epoch.
TEST_P(Issue11AuthzMatrix, ANewEpochIsKeyedOnlyWholeAndOnlyOnce) {
  const std::string id = Case();
  ASSERT_TRUE(bu_->RemoveMember(id, third_.principal.user_id).ok());
  const std::int64_t epoch = 2;
  auto env = [&](TestUser& u, std::uint8_t fill) { return wire::Envelope{u.principal.user_id, epoch, Bytes(80, fill)}; };
  // One member's own envelope alone, or an envelope with a new member: refused while the epoch is unkeyed.
  EXPECT_EQ(member_->PutKeys(id, {env(member_, 7)}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(member_->AddMember(id, third_.principal.user_id, {env(third_, 7)}).error().code, ErrorCode::kConflict);
  // A rekey that leaves out a member, names the removed one, or is for another epoch: refused.
  EXPECT_EQ(member_->Rekey(id, {env(member_, 7), env(bu_, 7)}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(member_->Rekey(id, {env(member_, 7), env(bu_, 7), env(creator_, 7), env(third_, 7)}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(member_->Rekey(id, {{member_.principal.user_id, 1, Bytes(80, 7)}, env(bu_, 7), env(creator_, 7)}).error().code,
            ErrorCode::kInvalidArgument);
  // The first complete one wins; a second is 409 and changes nobody's envelope.
  ASSERT_TRUE(creator_->Rekey(id, {env(member_, 5), env(bu_, 5), env(creator_, 5)}).ok());
  EXPECT_EQ(member_->Rekey(id, {env(member_, 7), env(bu_, 7), env(creator_, 7)}).error().code, ErrorCode::kConflict);
  std::int64_t current = 0;
  auto mine = bu_->GetKeys(id, &current);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(current, epoch);
  ASSERT_EQ(mine->back().epoch, epoch);
  EXPECT_EQ(mine->back().sealed, Bytes(80, 5));
  // Revoking member_ removes them from the case and moves it to epoch 3 at once: old-epoch pushes refused.
  ASSERT_TRUE(bu_->RevokeUser(member_.principal.user_id).ok());
  auto members = bu_->ListMembers(id);
  ASSERT_TRUE(members.ok());
  for (const auto& m : *members) EXPECT_TRUE(m.user_id != member_.principal.user_id || m.removed);
  EXPECT_EQ(bu_->PushOps(id, {{"r:9", epoch, Bytes(64, 1)}}).error().code, ErrorCode::kConflict);  // stale_epoch
  ASSERT_TRUE(bu_->GetKeys(id, &current).ok());
  EXPECT_EQ(current, epoch + 1);
}

}  // namespace
}  // namespace casepack::testing
