// Triggers and the Ticker (tick.h), driven by a ManualClock.
#include "sstream/tick.h"

#include <gtest/gtest.h>

#include "sstream/clock.h"

namespace sstream {
namespace {

TriggerSpec Interval(int64_t ms) {
  TriggerSpec s;
  s.kind = TriggerSpec::Kind::kInterval;
  s.interval_ms = ms;
  return s;
}

// Spark's ProcessingTime trigger fires at multiples of the interval
// (ProcessingTimeExecutor.nextBatchTime), not "interval after start".
TEST(TickerTest, IntervalDeadlineAlignedToMultiples) {
  ManualClock clock(1'500);
  Ticker t(Interval(1'000), &clock);
  EXPECT_EQ(t.MillisUntilDeadline(), 500);  // next multiple: 2000
  clock.SetMillis(1'999);
  EXPECT_EQ(t.MillisUntilDeadline(), 1);
  clock.SetMillis(2'000);
  EXPECT_EQ(t.MillisUntilDeadline(), 0);
  clock.SetMillis(2'700);
  EXPECT_EQ(t.MillisUntilDeadline(), 0);  // overdue is reported as 0, never negative

  ManualClock exact(3'000);
  Ticker u(Interval(1'000), &exact);
  EXPECT_EQ(u.MillisUntilDeadline(), 1'000);  // at a multiple: the next one
}

TEST(TickerTest, DueOnlyWhenTheBatchHoldsRecords) {
  ManualClock clock(0);
  Ticker t(Interval(1'000), &clock);
  clock.SetMillis(5'000);
  EXPECT_FALSE(t.Due()) << "an empty batch is never due (Spark skips triggers without data)";
  EXPECT_TRUE(t.empty());
  t.Add(10);
  EXPECT_FALSE(t.empty());
  EXPECT_TRUE(t.Due());
  EXPECT_EQ(t.records(), 1);
  EXPECT_EQ(t.bytes(), 10);
}

TEST(TickerTest, NotDueBeforeTheDeadline) {
  ManualClock clock(100);
  Ticker t(Interval(1'000), &clock);
  t.Add(1);
  clock.SetMillis(999);
  EXPECT_FALSE(t.Due());
  clock.SetMillis(1'000);
  EXPECT_TRUE(t.Due());
}

TEST(TickerTest, CloseNumbersEpochsAndRealignsTheDeadline) {
  ManualClock clock(0);
  Ticker t(Interval(1'000), &clock, /*first_epoch=*/7);
  EXPECT_EQ(t.epoch(), 7);
  t.Add(5);
  clock.SetMillis(1'000);
  ASSERT_TRUE(t.Due());
  EXPECT_EQ(t.Close(), 7);
  EXPECT_EQ(t.epoch(), 8);
  EXPECT_EQ(t.records(), 0);
  EXPECT_EQ(t.bytes(), 0);
  EXPECT_EQ(t.MillisUntilDeadline(), 1'000);  // deadline 2000
  clock.SetMillis(2'350);                     // a slow batch: the next deadline is 3000
  t.Add(5);
  EXPECT_EQ(t.Close(), 8);
  EXPECT_EQ(t.MillisUntilDeadline(), 650);
  EXPECT_EQ(t.Close(), 9);
  EXPECT_EQ(t.Close(), 10);
}

TEST(TickerTest, SkipEmptyMovesTheDeadlineOn) {
  ManualClock clock(0);
  Ticker t(Interval(1'000), &clock);
  clock.SetMillis(2'300);
  EXPECT_EQ(t.MillisUntilDeadline(), 0);
  t.SkipEmpty();
  EXPECT_EQ(t.MillisUntilDeadline(), 700);
  EXPECT_EQ(t.epoch(), 0) << "skipping an empty interval does not use an epoch";
}

TEST(TickerTest, RecordCapClosesEarly) {
  ManualClock clock(0);
  TriggerSpec spec = Interval(60'000);
  spec.max_records = 3;
  Ticker t(spec, &clock);
  t.Add(1);
  t.Add(1);
  EXPECT_FALSE(t.CapReached());
  EXPECT_FALSE(t.Due());
  t.Add(1);
  EXPECT_TRUE(t.CapReached());
  EXPECT_TRUE(t.Due());
  t.Close();
  EXPECT_FALSE(t.CapReached());
}

TEST(TickerTest, ByteCapClosesEarly) {
  ManualClock clock(0);
  TriggerSpec spec = Interval(60'000);
  spec.max_bytes = 100;
  Ticker t(spec, &clock);
  t.Add(60);
  EXPECT_FALSE(t.Due());
  t.Add(39);
  EXPECT_FALSE(t.Due());
  t.Add(1);
  EXPECT_TRUE(t.CapReached());
  EXPECT_TRUE(t.Due());
}

TEST(TickerTest, OnceHasNoDeadline) {
  ManualClock clock(0);
  TriggerSpec spec;
  spec.kind = TriggerSpec::Kind::kOnce;
  Ticker t(spec, &clock);
  EXPECT_EQ(t.MillisUntilDeadline(), -1);
  t.Add(100);
  clock.AdvanceMillis(1'000'000);
  EXPECT_FALSE(t.Due()) << "once: the whole input is one batch, never closed by time";
  EXPECT_EQ(t.MillisUntilDeadline(), -1);
  EXPECT_EQ(t.Close(), 0);
  EXPECT_EQ(t.MillisUntilDeadline(), -1);
}

// Spark's Trigger.Once processes all available input as one batch: caps
// (maxFilesPerTrigger, maxOffsetsPerTrigger) are ignored.
TEST(TickerTest, OnceIgnoresCaps) {
  ManualClock clock(0);
  TriggerSpec spec;
  spec.kind = TriggerSpec::Kind::kOnce;
  spec.max_records = 2;
  spec.max_bytes = 10;
  Ticker t(spec, &clock);
  for (int i = 0; i < 5; ++i) t.Add(100);
  EXPECT_FALSE(t.CapReached());
  EXPECT_FALSE(t.Due());
  EXPECT_EQ(t.records(), 5);
}

TEST(TickerTest, AvailableNowClosesOnCapsOnly) {
  ManualClock clock(0);
  TriggerSpec spec;
  spec.kind = TriggerSpec::Kind::kAvailableNow;
  spec.max_records = 2;
  Ticker t(spec, &clock);
  EXPECT_EQ(t.MillisUntilDeadline(), -1);
  t.Add(1);
  clock.AdvanceMillis(10'000);
  EXPECT_FALSE(t.Due());
  t.Add(1);
  EXPECT_TRUE(t.Due());
  EXPECT_EQ(t.Close(), 0);
  EXPECT_EQ(t.MillisUntilDeadline(), -1);
}

// ---- ParseTrigger ----

TEST(ParseTriggerTest, AcceptedForms) {
  TriggerSpec s;
  ASSERT_TRUE(ParseTrigger("1s", &s).ok());
  EXPECT_EQ(s.kind, TriggerSpec::Kind::kInterval);
  EXPECT_EQ(s.interval_ms, 1'000);
  ASSERT_TRUE(ParseTrigger("500ms", &s).ok());
  EXPECT_EQ(s.interval_ms, 500);
  ASSERT_TRUE(ParseTrigger("interval:2s", &s).ok());
  EXPECT_EQ(s.kind, TriggerSpec::Kind::kInterval);
  EXPECT_EQ(s.interval_ms, 2'000);
  ASSERT_TRUE(ParseTrigger("1 minute", &s).ok());
  EXPECT_EQ(s.interval_ms, 60'000);
  EXPECT_FALSE(s.low_latency);
  ASSERT_TRUE(ParseTrigger("continuous", &s).ok());
  EXPECT_EQ(s.kind, TriggerSpec::Kind::kInterval) << "batches still close, for checkpoints";
  EXPECT_EQ(s.interval_ms, 1'000) << "Spark's Trigger.Continuous default";
  EXPECT_TRUE(s.low_latency);
  ASSERT_TRUE(ParseTrigger("continuous:250ms", &s).ok());
  EXPECT_EQ(s.interval_ms, 250);
  EXPECT_TRUE(s.low_latency);
  ASSERT_TRUE(ParseTrigger("2s", &s).ok());
  EXPECT_FALSE(s.low_latency) << "a later parse resets the mode";

  TriggerSpec once;
  once.max_records = 5;
  ASSERT_TRUE(ParseTrigger("once", &once).ok());
  EXPECT_EQ(once.kind, TriggerSpec::Kind::kOnce);
  EXPECT_EQ(once.max_records, 5) << "caps are not touched by the trigger kind";
  for (const char* an : {"available-now", "availablenow", "available_now"}) {
    TriggerSpec a;
    ASSERT_TRUE(ParseTrigger(an, &a).ok()) << an;
    EXPECT_EQ(a.kind, TriggerSpec::Kind::kAvailableNow) << an;
  }
}

TEST(ParseTriggerTest, RejectedForms) {
  for (const char* bad : {"", "0s", "0ms", "500us", "1", "-1s", "twice", "interval:", "interval",
                          "interval:once", "once:1s", "1s once", "continuous:", "continuous:once",
                          "continuous:0s"}) {
    TriggerSpec s;
    Status st = ParseTrigger(bad, &s);
    EXPECT_TRUE(st.IsInvalidArgument()) << "accepted: '" << bad << "'";
  }
  TriggerSpec s;
  Status st = ParseTrigger("twice", &s);
  EXPECT_NE(st.message().find("'twice'"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace sstream
