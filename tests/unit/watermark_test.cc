// WatermarkTracker (watermark.h): SPEC §3 rule 2,
//   watermark after batch k = max(previous, max event time up to batch k - delay).
#include "sstream/watermark.h"

#include <gtest/gtest.h>

namespace sstream {
namespace {

TEST(WatermarkTrackerTest, InitialValueIsZero) {
  WatermarkTracker w(5'000);
  EXPECT_EQ(w.current(), 0);
  EXPECT_FALSE(w.seen_any());
  EXPECT_EQ(w.delay(), 5'000);
  EXPECT_FALSE(w.Advance()) << "no rows: nothing to advance to";
  EXPECT_EQ(w.current(), 0);
}

TEST(WatermarkTrackerTest, MaxEventTimeMinusDelay) {
  WatermarkTracker w(5'000);
  w.Observe(12'000);
  w.Observe(20'000);
  w.Observe(15'000);  // out of order: the max counts
  EXPECT_TRUE(w.seen_any());
  EXPECT_EQ(w.max_event_time(), 20'000);
  EXPECT_TRUE(w.Advance());
  EXPECT_EQ(w.current(), 15'000);
}

// Rule 2: rows of batch k are judged against the watermark after batch k-1.
TEST(WatermarkTrackerTest, BatchRowsDoNotAffectTheirOwnWatermark) {
  WatermarkTracker w(1'000);
  w.Observe(10'000);
  EXPECT_EQ(w.current(), 0) << "Observe must not move the watermark in effect";
  w.Observe(50'000);
  EXPECT_EQ(w.current(), 0);
  EXPECT_TRUE(w.Advance());
  EXPECT_EQ(w.current(), 49'000);
}

TEST(WatermarkTrackerTest, NeverDecreases) {
  WatermarkTracker w(1'000);
  w.Observe(10'000);
  ASSERT_TRUE(w.Advance());
  EXPECT_EQ(w.current(), 9'000);
  w.Observe(3'000);  // a late row in the next batch
  EXPECT_FALSE(w.Advance());
  EXPECT_EQ(w.current(), 9'000);
  EXPECT_FALSE(w.Advance()) << "Advance returns true only on an increase";
  w.Observe(9'500);
  EXPECT_FALSE(w.Advance()) << "max event time 10000 still gives 9000";
  w.Observe(10'001);
  EXPECT_TRUE(w.Advance());
  EXPECT_EQ(w.current(), 9'001);
}

TEST(WatermarkTrackerTest, EventTimesBelowTheDelayKeepZero) {
  WatermarkTracker w(10'000);
  w.Observe(4'000);  // 4000 - 10000 < 0: the initial 0 stays
  EXPECT_FALSE(w.Advance());
  EXPECT_EQ(w.current(), 0);
}

TEST(WatermarkTrackerTest, NegativeEventTimesNeverLowerTheInitialZero) {
  WatermarkTracker w(0);
  w.Observe(-5'000);
  EXPECT_FALSE(w.Advance());
  EXPECT_EQ(w.current(), 0);
}

TEST(WatermarkTrackerTest, ZeroDelay) {
  WatermarkTracker w(0);
  w.Observe(7);
  EXPECT_TRUE(w.Advance());
  EXPECT_EQ(w.current(), 7);
}

// SPEC §3 rule 2 and Spark's multipleWatermarkPolicy: with an upstream
// watermark as well, the minimum of the two wins by default.
TEST(WatermarkTrackerTest, UpstreamWatermarkCombinesByMinimum) {
  WatermarkTracker w(1'000);
  w.Observe(30'000);
  w.ObserveUpstream(20'000);
  EXPECT_EQ(w.current(), 0) << "takes effect at the batch boundary";
  EXPECT_TRUE(w.Advance());
  EXPECT_EQ(w.current(), 20'000) << "min(own 29000, upstream 20000)";
  w.ObserveUpstream(5'000);  // upstream never goes back
  EXPECT_FALSE(w.Advance());
  EXPECT_EQ(w.current(), 20'000);
  w.ObserveUpstream(40'000);
  EXPECT_TRUE(w.Advance());
  EXPECT_EQ(w.current(), 29'000) << "now our own is the minimum";
  w.ObserveUpstream(10'000);
  EXPECT_FALSE(w.Advance());
  EXPECT_EQ(w.current(), 29'000) << "the watermark never decreases";
}

TEST(WatermarkTrackerTest, UpstreamWatermarkCombinesByMaximumOnRequest) {
  WatermarkTracker w(1'000, WatermarkPolicy::kMax);
  w.Observe(30'000);
  w.ObserveUpstream(20'000);
  EXPECT_TRUE(w.Advance());
  EXPECT_EQ(w.current(), 29'000);
  w.ObserveUpstream(40'000);
  EXPECT_TRUE(w.Advance());
  EXPECT_EQ(w.current(), 40'000);
}

}  // namespace
}  // namespace sstream

namespace sstream {
namespace {

// issue-10 item 15: the boundary in two steps around an eviction. A
// process's first batch evicts by the watermark it starts with; at a run-once
// trigger's last batch the advance comes after the eviction, so what it
// closes is evicted only by the next batch, as after Spark's Trigger.Once.
TEST(WatermarkTrackerTest, Issue10BatchEndDefersTheLastOfRunsAdvance) {
  WatermarkTracker w(10'000);
  EXPECT_TRUE(w.BeginBatchEnd(false)) << "a process's first batch evicts";
  EXPECT_FALSE(w.FinishBatchEnd(false));
  EXPECT_FALSE(w.BeginBatchEnd(false)) << "no advance, nothing pending";
  EXPECT_FALSE(w.FinishBatchEnd(false));
  w.Observe(25'000);
  EXPECT_TRUE(w.BeginBatchEnd(false));
  EXPECT_EQ(w.current(), 15'000) << "advanced before the eviction";
  EXPECT_TRUE(w.FinishBatchEnd(false));
  w.Observe(50'000);
  EXPECT_FALSE(w.BeginBatchEnd(true)) << "last of run: evicts by the old watermark only";
  EXPECT_EQ(w.current(), 15'000);
  EXPECT_TRUE(w.FinishBatchEnd(true)) << "then advances, announced downstream";
  EXPECT_EQ(w.current(), 40'000);
  EXPECT_TRUE(w.BeginBatchEnd(false)) << "the next batch evicts by 40 s";
  EXPECT_FALSE(w.FinishBatchEnd(false));
}

}  // namespace
}  // namespace sstream
