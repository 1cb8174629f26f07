// HybridClock on its own: ordering, the counter borrowing a millisecond at 0xFFFF, and the drift limit on
// received timestamps (a laptop with its clock in 2099 must not win every register for ever).
#include <gtest/gtest.h>

#include "casepack/hlc.h"

namespace casepack {
namespace {

constexpr std::uint64_t kT = 1'780'000'000'000ull;  // any instant; only differences matter

TEST(HybridClock, FollowsThePhysicalClockAndCountsWithinAMillisecond) {
  HybridClock c;
  EXPECT_EQ(c.Now(kT), HlcTimestamp::From(kT, 0));
  EXPECT_EQ(c.Now(kT), HlcTimestamp::From(kT, 1));
  EXPECT_EQ(c.Now(kT), HlcTimestamp::From(kT, 2));
  EXPECT_EQ(c.Now(kT + 5), HlcTimestamp::From(kT + 5, 0));
  // The physical clock going back does not make time go back.
  EXPECT_EQ(c.Now(kT - 1000), HlcTimestamp::From(kT + 5, 1));
  EXPECT_EQ(c.last(), HlcTimestamp::From(kT + 5, 1));
}

TEST(HybridClock, CounterOverflowBorrowsAMillisecondInsteadOfWrapping) {
  HybridClock c(HlcTimestamp::From(kT, 0xFFFE));
  EXPECT_EQ(c.Now(kT), HlcTimestamp::From(kT, 0xFFFF));
  const HlcTimestamp after = c.Now(kT);
  EXPECT_EQ(after, HlcTimestamp::From(kT + 1, 0));
  EXPECT_GT(after, HlcTimestamp::From(kT, 0xFFFF));
  // The borrowed millisecond is not handed out twice once the physical clock catches up.
  EXPECT_EQ(c.Now(kT + 1), HlcTimestamp::From(kT + 1, 1));
  // 70 000 events in one physical millisecond stay strictly increasing.
  HybridClock burst;
  HlcTimestamp prev = burst.Now(kT);
  for (int i = 0; i < 70'000; ++i) {
    const HlcTimestamp next = burst.Now(kT);
    ASSERT_GT(next, prev) << "event " << i;
    prev = next;
  }
  EXPECT_EQ(prev.millis(), kT + 1);
  EXPECT_EQ(prev.counter(), 70'000 - 65'536);
}

TEST(HybridClock, ObservedTimestampsMoveTheClockForward) {
  HybridClock c;
  c.Now(kT);
  c.Observe(HlcTimestamp::From(kT + 60'000, 7), kT);
  EXPECT_EQ(c.Now(kT), HlcTimestamp::From(kT + 60'000, 8));
  // An older one changes nothing.
  c.Observe(HlcTimestamp::From(kT - 1, 0), kT);
  EXPECT_EQ(c.last(), HlcTimestamp::From(kT + 60'000, 8));
}

// Issue 11: a received timestamp is never refused, but its pull on this clock is capped at the drift limit,
// so one laptop with its clock years ahead cannot drag every later edit's timestamp with it.
TEST(HybridClock, DriftLimitCapsHowFarAReceivedTimestampMovesTheClock) {
  constexpr std::uint64_t kDay = 24ull * 60 * 60 * 1000;
  static_assert(HybridClock::kMaxDriftMillis == kDay);
  HybridClock c;
  c.Now(kT);
  // Within the limit: taken as it is.
  c.Observe(HlcTimestamp::From(kT + kDay - 1, 0xFFFF), kT);
  EXPECT_EQ(c.last(), HlcTimestamp::From(kT + kDay - 1, 0xFFFF));
  // Years ahead: the clock moves to the limit and no further.
  HybridClock d;
  d.Now(kT);
  d.Observe(HlcTimestamp::From(kT + 3650 * kDay, 0), kT);
  EXPECT_EQ(d.last(), HlcTimestamp::From(kT + kDay, 0));
  EXPECT_EQ(d.Now(kT), HlcTimestamp::From(kT + kDay, 1));
  // Once the local physical clock has moved on, the limit moves with it.
  d.Observe(HlcTimestamp::From(kT + 3650 * kDay, 0), kT + 10);
  EXPECT_EQ(d.last(), HlcTimestamp::From(kT + kDay + 10, 0));
}

}  // namespace
}  // namespace casepack
