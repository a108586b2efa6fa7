// Event-time windows (window.h): window arithmetic, --agg lists, and the
// window operator run through RunStage with upstream ticks, reproducing the
// rules of SPEC §3 and the Spark Structured Streaming Programming Guide
// ("Window Operations on Event Time", "Handling Late Data and Watermarking",
// "Output Modes").
#include "sstream/window.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "stage_harness.h"

namespace sstream {
namespace {

using testing_util::Lines;
using testing_util::RunOperator;
using testing_util::StageRun;
using testing_util::Tick;

// ---- window arithmetic (SPEC §3 rule 1) ----

TEST(TumblingWindowStartTest, AlignedToTheEpoch) {
  EXPECT_EQ(TumblingWindowStart(0, 10), 0);
  EXPECT_EQ(TumblingWindowStart(9, 10), 0);
  EXPECT_EQ(TumblingWindowStart(10, 10), 10) << "start inclusive, end exclusive";
  EXPECT_EQ(TumblingWindowStart(1'767'323'045'123, 10'000), 1'767'323'040'000);
}

TEST(TumblingWindowStartTest, NegativeTimesUseNonNegativeModulo) {
  EXPECT_EQ(TumblingWindowStart(-1, 10), -10);
  EXPECT_EQ(TumblingWindowStart(-10, 10), -10);
  EXPECT_EQ(TumblingWindowStart(-11, 10), -20);
  EXPECT_EQ(TumblingWindowStart(-9'999, 10'000), -10'000);
}

TEST(TumblingWindowStartTest, Offsets) {
  // Spark: window(col, "10 seconds", "10 seconds", "3 seconds").
  EXPECT_EQ(TumblingWindowStart(2, 10, 3), -7);
  EXPECT_EQ(TumblingWindowStart(3, 10, 3), 3);
  EXPECT_EQ(TumblingWindowStart(12, 10, 3), 3);
  EXPECT_EQ(TumblingWindowStart(13, 10, 3), 13);
  EXPECT_EQ(TumblingWindowStart(-8, 10, 3), -17);
  for (int64_t t = -50; t <= 50; ++t) {
    int64_t s = TumblingWindowStart(t, 10, 3);
    EXPECT_LE(s, t);
    EXPECT_LT(t, s + 10);
    EXPECT_EQ((s - 3) % 10, 0) << "starts sit on the offset grid";
  }
}

// Sliding windows (Spark: window(col, size, slide, startTime)): a row belongs
// to every window [start, start + size) that holds it, starts every `slide`.
std::vector<int64_t> Starts(int64_t t, int64_t size, int64_t slide, int64_t offset = 0) {
  std::vector<int64_t> out;
  ForEachWindow(t, size, slide, offset, [&](int64_t start) { out.push_back(start); });
  return out;
}

TEST(ForEachWindowTest, SlidingMembership) {
  // The guide's example: 10-minute windows every 5 minutes; 12:07 is in
  // [12:05, 12:15) and [12:00, 12:10).
  EXPECT_EQ(Starts(7, 10, 5), std::vector<int64_t>({5, 0}));
  EXPECT_EQ(Starts(5, 10, 5), std::vector<int64_t>({5, 0})) << "start inclusive";
  EXPECT_EQ(Starts(10, 10, 5), std::vector<int64_t>({10, 5})) << "end exclusive";
  EXPECT_EQ(Starts(-1, 10, 5), std::vector<int64_t>({-5, -10}));
  EXPECT_EQ(Starts(7, 10, 10), std::vector<int64_t>({0})) << "tumbling is slide == size";
  EXPECT_EQ(Starts(7, 10, 3), std::vector<int64_t>({6, 3, 0})) << "[-3, 7) ends before 7";
  EXPECT_EQ(Starts(9, 10, 3), std::vector<int64_t>({9, 6, 3, 0})) << "up to ceil(10 / 3) windows";
  EXPECT_EQ(Starts(7, 10, 5, 2), std::vector<int64_t>({7, 2}));
}

TEST(ForEachWindowTest, MatchesBruteForceIncludingBefore1970) {
  for (int64_t size : {10, 12}) {
    for (int64_t slide : {1, 3, 5, 10}) {
      if (slide > size) continue;
      for (int64_t offset = 0; offset < slide; ++offset) {
        for (int64_t t = -40; t <= 40; ++t) {
          std::vector<int64_t> want;
          for (int64_t st = t + 1; st-- > t - size;) {
            // `%` of a negative number may be negative, but never nonzero for
            // a multiple: an oracle independent of FloorMod.
            if ((st - offset) % slide == 0 && st <= t && t < st + size) want.push_back(st);
          }
          EXPECT_EQ(Starts(t, size, slide, offset), want)
              << "t=" << t << " size=" << size << " slide=" << slide << " offset=" << offset;
        }
      }
    }
  }
}

TEST(OutputModeTest, Names) {
  OutputMode m;
  ASSERT_TRUE(ParseOutputMode("append", &m).ok());
  EXPECT_EQ(m, OutputMode::kAppend);
  ASSERT_TRUE(ParseOutputMode("update", &m).ok());
  EXPECT_EQ(m, OutputMode::kUpdate);
  ASSERT_TRUE(ParseOutputMode("complete", &m).ok());
  EXPECT_EQ(m, OutputMode::kComplete);
  EXPECT_TRUE(ParseOutputMode("Append", &m).IsInvalidArgument());
}

// ---- --agg lists ----

TEST(ParseAggListTest, FunctionsAndNames) {
  std::vector<AggSpec> aggs;
  ASSERT_TRUE(ParseAggList("count, count(*), count(1), count(x), sum(price) AS total, "
                           "avg(latency), mean(v), MIN(v) as lo, max( v ), sum(v) AS `my sum`",
                           &aggs)
                  .ok());
  ASSERT_EQ(aggs.size(), 10u);
  EXPECT_EQ(aggs[0].fn, AggSpec::Fn::kCount);
  EXPECT_EQ(aggs[0].name, "count");
  EXPECT_TRUE(aggs[0].field.empty());
  EXPECT_EQ(aggs[1].fn, AggSpec::Fn::kCount);
  EXPECT_EQ(aggs[2].fn, AggSpec::Fn::kCount);
  EXPECT_EQ(aggs[3].fn, AggSpec::Fn::kCountField);
  EXPECT_EQ(aggs[3].field, "x");
  EXPECT_EQ(aggs[3].name, "count(x)");
  EXPECT_EQ(aggs[4].fn, AggSpec::Fn::kSum);
  EXPECT_EQ(aggs[4].field, "price");
  EXPECT_EQ(aggs[4].name, "total");
  EXPECT_EQ(aggs[5].fn, AggSpec::Fn::kAvg);
  EXPECT_EQ(aggs[5].name, "avg(latency)");
  EXPECT_EQ(aggs[6].fn, AggSpec::Fn::kAvg);
  EXPECT_EQ(aggs[7].fn, AggSpec::Fn::kMin);
  EXPECT_EQ(aggs[7].name, "lo");
  EXPECT_EQ(aggs[8].fn, AggSpec::Fn::kMax);
  EXPECT_EQ(aggs[8].field, "v");
  EXPECT_EQ(aggs[9].name, "my sum");
}

TEST(ParseAggListTest, Errors) {
  struct Case {
    const char* text;
    const char* what;
  };
  const Case cases[] = {
      {"", "empty item"},           {"count,", "empty item"},
      {",count", "empty item"},     {"median(x)", "unknown aggregate 'median'"},
      {"sum", "sum needs a field"}, {"sum()", "sum needs a field"},
      {"sum(x", "missing ')'"},
  };
  for (const auto& c : cases) {
    std::vector<AggSpec> aggs;
    Status s = ParseAggList(c.text, &aggs);
    ASSERT_TRUE(s.IsInvalidArgument()) << "accepted: " << c.text;
    EXPECT_NE(s.message().find(c.what), std::string::npos) << c.text << ": " << s.message();
  }
}

// ---- the window operator ----

WindowOptions Options(const std::string& mode, const std::string& watermark = "5s") {
  WindowOptions o;
  o.time_field = "t";
  o.time_format = "ms";
  o.tumbling = "10s";
  o.watermark = watermark;
  o.mode = mode;
  return o;
}

StageRun RunWin(const WindowOptions& o, const std::vector<std::string>& input,
                const CommonOptions& common = CommonOptions()) {
  std::unique_ptr<Operator> op;
  Status s = NewWindowOperator(o, &op);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return {s, "", {}, {}, {}};
  return RunOperator(op.get(), Lines(input), common);
}

std::string Row(int64_t t) { return "{\"t\":" + std::to_string(t) + "}"; }

std::string Win(int64_t start, int64_t count) {
  return "{\"window_start\":" + std::to_string(start) +
         ",\"window_end\":" + std::to_string(start + 10'000) +
         ",\"count\":" + std::to_string(count) + "}";
}

// The watermark control line for ms on 1970-01-01 (all these tests use),
// spelled out here rather than with FormatIso, which is under test elsewhere.
std::string Watermark(int64_t ms) {
  EXPECT_TRUE(ms >= 0 && ms < 86'400'000) << ms;
  char time[32];
  std::snprintf(time, sizeof(time), "1970-01-01T%02d:%02d:%02d.%03dZ",
                static_cast<int>(ms / 3'600'000), static_cast<int>(ms / 60'000 % 60),
                static_cast<int>(ms / 1000 % 60), static_cast<int>(ms % 1000));
  return "{\"@sstream\":\"watermark\",\"ms\":" + std::to_string(ms) + ",\"time\":\"" + time +
         "\"}";
}

using testing_util::kEnd;

// Append mode (Spark guide, "Handling Late Data and Watermarking", and SPEC
// §3 rules 2-5): a window is emitted once, at the first batch boundary where
// the watermark reaches its end; rows for windows already past the watermark
// are dropped; end of input flushes what is left.
TEST(WindowOperatorTest, AppendEmitsWhenTheWatermarkPassesTheEnd) {
  StageRun r =
      RunWin(Options("append"), {Row(1'000), Row(3'000), Row(12'000), Tick(0), Row(4'000),
                                 Row(16'000), Tick(1), Row(2'000), Row(26'000), Tick(2), kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.lines, std::vector<std::string>(
                         {// Batch 0: watermark 12000 - 5000 = 7000 < 10000: nothing closes.
                          Watermark(7'000), Tick(0),
                          // Batch 1: the row at 4000 was on time (10000 > 7000); the
                          // watermark moves to 11000 and [0, 10s) closes with 3 rows.
                          Win(0, 3), Watermark(11'000), Tick(1),
                          // Batch 2: 2000 is late (window end 10000 <= 11000) and dropped;
                          // the watermark moves to 21000 and [10s, 20s) closes.
                          Win(10'000, 2), Watermark(21'000), Tick(2),
                          // End of input flushes the open window.
                          Win(20'000, 1), kEnd}));
}

// SPEC §3 rule 2: batch k's own rows cannot affect batch k's watermark, so a
// row behind a much later row of the same batch is still on time.
TEST(WindowOperatorTest, ABatchDoesNotJudgeItsOwnRowsLate) {
  StageRun r =
      RunWin(Options("append"), {Row(30'000), Row(2'000), Tick(0), Row(9'000), Tick(1), kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.lines, std::vector<std::string>(
                         {// 2000 counted although 30000 - 5000 = 25000 is past its window.
                          Win(0, 1), Watermark(25'000), Tick(0),
                          // In the next batch, 9000 is judged against 25000: late.
                          Tick(1), Win(30'000, 1), kEnd}));
}

// SPEC §3 rule 4: late means window end <= watermark (a window ending exactly
// at the watermark is closed).
TEST(WindowOperatorTest, LatenessBoundaryIsInclusive) {
  StageRun r =
      RunWin(Options("append"), {Row(15'000), Tick(0), Row(9'999), Row(10'000), Tick(1), kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({Win(10'000, 2)}))
      << "9999 (window end 10000 <= watermark 10000) is dropped; 10000 opens [10s, 20s)";
}

TEST(WindowOperatorTest, AppendFlushesEverythingAtEofWithoutTicks) {
  // No upstream ticks: the whole input is one batch closed at EOF.
  StageRun r = RunWin(Options("append"), {Row(1'000), Row(25'000), Row(11'000)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({Win(0, 1), Win(10'000, 1), Win(20'000, 1)}))
      << "windows come out in start order";
  EXPECT_EQ(r.lines.back(), kEnd);
}

// SPEC §3 rule 5 / Spark "Output Modes": update emits the groups changed in
// the batch; windows behind the watermark are forgotten without output.
TEST(WindowOperatorTest, UpdateEmitsChangedGroupsPerBatch) {
  StageRun r =
      RunWin(Options("update"), {Row(1'000), Row(3'000), Tick(0), Row(12'000), Tick(1), Row(4'000),
                                 Tick(2), Row(26'000), Tick(3), Row(5'000), Tick(4), kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.lines, std::vector<std::string>({Win(0, 2), Tick(0),  // watermark still 0
                                               Win(10'000, 1), Watermark(7'000), Tick(1), Win(0, 3),
                                               Tick(2),  // 4000 on time; only [0, 10s) changed
                                               Win(20'000, 1), Watermark(21'000), Tick(3),
                                               Tick(4),  // 5000 is late: dropped, nothing changed
                                               kEnd}));
}

TEST(WindowOperatorTest, UpdateWithoutWatermarkKeepsEverything) {
  StageRun r = RunWin(Options("update", ""),
                      {Row(1'000), Tick(0), Row(100'000), Tick(1), Row(2'000), Tick(2), kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({Win(0, 1), Win(100'000, 1), Win(0, 2)}));
  EXPECT_EQ(r.control, std::vector<std::string>({Tick(0), Tick(1), Tick(2), kEnd}))
      << "no watermark of its own";
}

// SPEC §3 rules 4-5: complete mode emits the whole table every batch and
// never drops late rows.
TEST(WindowOperatorTest, CompleteEmitsEverythingEveryBatchAndDropsNothing) {
  StageRun r = RunWin(Options("complete"),
                      {Row(1'000), Tick(0), Row(30'000), Tick(1), Row(2'000), Tick(2), kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.lines, std::vector<std::string>(
                         {Win(0, 1), Tick(0), Win(0, 1), Win(30'000, 1), Watermark(25'000), Tick(1),
                          Win(0, 2), Win(30'000, 1), Tick(2),  // 2000 kept despite the watermark
                          kEnd}));
}

// SPEC §3 rule 5 and 10: Spark refuses append-mode aggregation without a
// watermark ("Append output mode not supported when there are streaming
// aggregations ... without watermark").
TEST(WindowOperatorTest, AppendWithoutWatermarkIsRefused) {
  std::unique_ptr<Operator> op;
  Status s = NewWindowOperator(Options("append", ""), &op);
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("watermark"), std::string::npos) << s.message();
  EXPECT_EQ(op, nullptr);
  EXPECT_TRUE(NewWindowOperator(Options("update", ""), &op).ok());
  EXPECT_TRUE(NewWindowOperator(Options("complete", ""), &op).ok());
}

// Sliding windows with a watermark (Spark guide, "Handling Late Data and
// Watermarking": 10-minute windows sliding every 5 minutes): a row can be late
// for its earlier window and on time for the later one; only the late
// window drops it.
TEST(WindowOperatorTest, SlidingRowLateForOneWindowButNotTheNext) {
  WindowOptions o = Options("append", "3s");
  o.tumbling.clear();
  o.sliding = "10s";
  o.slide = "5s";
  StageRun r = RunWin(o, {Row(7'000), Row(12'000), Tick(0), Row(4'000), Tick(1), kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  auto win = [](int64_t start, int64_t count) {
    return "{\"window_start\":" + std::to_string(start) +
           ",\"window_end\":" + std::to_string(start + 10'000) +
           ",\"count\":" + std::to_string(count) + "}";
  };
  EXPECT_EQ(r.lines, std::vector<std::string>(
                         {// Batch 0: watermark 12000 - 3000 = 9000; no open window
                          // ([0s,10s), [5s,15s), [10s,20s)) ends by 9000.
                          Watermark(9'000), Tick(0),
                          // Batch 1: 4000 is late for [-5s, 5s) (end 5000 <= 9000) but
                          // on time for [0s, 10s) (end 10000 > 9000).
                          Tick(1),
                          // End of input flushes [0s,10s): 7000 and 4000; [5s,15s): 7000,
                          // 12000; [10s,20s): 12000.
                          win(0, 2), win(5'000, 2), win(10'000, 1), kEnd}));
}

// Spark sums a long column exactly; integers stay exact here until an input
// is not an integer (then the aggregate is a double, as for a double column).
TEST(WindowOperatorTest, IntegerAggregatesStayExactAndFirstLastKeepJson) {
  WindowOptions o = Options("complete", "");
  o.agg = "sum(v), min(v), max(v), first(s), last(s), avg(v)";
  StageRun r = RunWin(o, {R"j({"t":1000,"v":9007199254740993,"s":{"k":1}})j",
                          R"j({"t":2000,"v":1,"s":"b"})j", R"j({"t":3000,"s":null})j", Tick(0), kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.data.size(), 1u);
  EXPECT_EQ(r.data[0],
            R"j({"window_start":0,"window_end":10000,"sum(v)":9007199254740994,)j"
            R"j("min(v)":1,"max(v)":9007199254740993,"first(s)":{"k":1},"last(s)":"b",)j"
            R"j("avg(v)":4503599627370496})j")
      << "nulls and missing values are skipped; first/last keep the JSON value; avg is a "
         "double, as Spark's average of a long column (its sum is a double too)";
}

TEST(WindowOperatorTest, IntegerSumFallsBackToDoubleOnOverflowOrFractions) {
  WindowOptions o = Options("complete", "");
  o.agg = "sum(v) AS s";
  StageRun r = RunWin(o, {R"j({"t":1,"v":9223372036854775807})j", R"j({"t":2,"v":1})j", Tick(0)});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.data, std::vector<std::string>(
                        {R"j({"window_start":0,"window_end":10000,"s":9.223372036854776e+18})j"}));
  r = RunWin(o, {R"j({"t":1,"v":1})j", R"j({"t":2,"v":0.5})j", Tick(0)});
  EXPECT_EQ(r.data, std::vector<std::string>({R"j({"window_start":0,"window_end":10000,"s":1.5})j"}));
}

// Spark: count(DISTINCT u) counts distinct non-null values per group.
TEST(WindowOperatorTest, CountDistinctIsExactAndSkipsNulls) {
  WindowOptions o = Options("complete", "");
  o.agg = "count(distinct u), count(DISTINCT u) AS users, count";
  StageRun r = RunWin(o, {R"j({"t":1,"u":"a"})j", R"j({"t":2,"u":"b"})j", R"j({"t":3,"u":"a"})j",
                          R"j({"t":4})j", R"j({"t":5,"u":null})j", R"j({"t":6,"u":1})j",
                          R"j({"t":11000,"u":"a"})j", Tick(0)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>(
                        {R"j({"window_start":0,"window_end":10000,"count(DISTINCT u)":3,"users":3,"count":6})j",
                         R"j({"window_start":10000,"window_end":20000,"count(DISTINCT u)":1,"users":1,"count":1})j"}));
}

// ---- session windows (SPEC §3 rule 6; Spark's session_window and
// StreamingSessionWindowSuite) ----

WindowOptions SessionOptions(const std::string& mode = "append", const std::string& wm = "2s") {
  WindowOptions o = Options(mode, wm);
  o.tumbling.clear();
  o.session = "10s";
  o.by = {"u"};
  return o;
}

std::string Ev(int64_t t, const std::string& u = "a") {
  return "{\"t\":" + std::to_string(t) + ",\"u\":\"" + u + "\"}";
}

std::string Sess(int64_t start, int64_t end, int64_t count, const std::string& u = "a") {
  return "{\"session_start\":" + std::to_string(start) + ",\"session_end\":" +
         std::to_string(end) + ",\"u\":\"" + u + "\",\"count\":" + std::to_string(count) + "}";
}

TEST(SessionWindowTest, AnEventBridgingTwoSessionsMergesThemOutOfOrder) {
  // [1s,11s) and [12s,22s) do not touch; 6s opens [6s,16s), which overlaps
  // both: one session [1s,22s) of 3 rows.
  StageRun r = RunWin(SessionOptions("complete", ""), {Ev(1'000), Ev(12'000), Tick(0), Ev(6'000), Tick(1)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({Sess(1'000, 11'000, 1), Sess(12'000, 22'000, 1),
                                              Sess(1'000, 22'000, 3)}));
}

TEST(SessionWindowTest, TouchingSessionsMerge) {
  StageRun r = RunWin(SessionOptions("complete", ""), {Ev(0), Ev(10'000), Ev(30'000, "b"), Tick(0)});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.data, std::vector<std::string>({Sess(0, 20'000, 2), Sess(30'000, 40'000, 1, "b")}))
      << "[0,10s) and [10s,20s) touch and merge; keys never merge with each other";
}

TEST(SessionWindowTest, AppendEmitsWhenTheWatermarkPassesTheSessionEndAndDropsLateRows) {
  StageRun r = RunWin(SessionOptions(), {Ev(1'000), Ev(3'000), Ev(2'000, "b"), Ev(20'000), Tick(0),
                                         Ev(7'000), Ev(16'000), Tick(1), kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.lines, std::vector<std::string>(
                         {// Watermark 20000 - 2000 = 18000 >= 13000 and 12000: both final.
                          Sess(1'000, 13'000, 2), Sess(2'000, 12'000, 1, "b"), Watermark(18'000),
                          Tick(0),
                          // 7000 + 10000 <= 18000: late. 16000 + 10000 > 18000: on time, and
                          // it touches [20s,30s): one session [16s,30s).
                          Tick(1), Sess(16'000, 30'000, 2), kEnd}));
}

TEST(SessionWindowTest, PerRowGapFromAField) {
  WindowOptions o = SessionOptions("complete", "");
  o.session.clear();
  o.session_gap_field = "gap";
  StageRun r = RunWin(o, {R"j({"t":0,"u":"a","gap":"5 seconds"})j", R"j({"t":4000,"u":"a","gap":1000})j",
                          R"j({"t":100,"u":"b","gap":null})j", R"j({"t":100,"u":"b","gap":"-1s"})j",
                          R"j({"t":100,"u":"b"})j", Tick(0)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({Sess(0, 5'000, 2)}))
      << "[0,5s) and [4s,5s) merge; rows without a positive gap are dropped (and counted)";
}

TEST(SessionWindowTest, QueriesSparkRefusesAreRefused) {
  std::unique_ptr<Operator> op;
  Status s = NewWindowOperator(SessionOptions("update"), &op);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("update mode is not supported with session windows"), std::string::npos);
  WindowOptions o = SessionOptions();
  o.by.clear();
  s = NewWindowOperator(o, &op);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--by"), std::string::npos);
  o = SessionOptions();
  o.sliding = "10s";
  o.slide = "5s";
  EXPECT_TRUE(testing_util::FailsWith(NewWindowOperator(o, &op), "give one of --tumbling"))
      << "one window kind at a time";
}

// issue-10 item 18: Spark's window() and watermark leave out rows whose event
// time is null; a missing or unreadable one stays a bad record.
TEST(WindowOperatorTest, Issue10NullEventTimeIsDroppedMissingIsBad) {
  for (const char* mode : {"append", "update", "complete"}) {
    StageRun r = RunWin(Options(mode), {R"({"t":null})", Row(1'000), Tick(0), kEnd});
    ASSERT_TRUE(r.status.ok()) << mode << ": " << r.status.ToString();
    EXPECT_EQ(r.data, std::vector<std::string>({Win(0, 1)})) << mode;
  }
  StageRun r = RunWin(Options("append"), {R"({"x":1})", Tick(0), kEnd});
  EXPECT_TRUE(r.status.IsInvalidArgument()) << r.status.ToString();
  EXPECT_NE(r.status.message().find("event-time field is missing"), std::string::npos)
      << r.status.message();
  WindowOptions sessions = Options("append");
  sessions.tumbling.clear();
  sessions.session = "1s";
  sessions.by = {"k"};
  r = RunWin(sessions, {R"({"t":null,"k":1})", R"({"t":500,"k":1})", kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({R"({"session_start":500,"session_end":1500,"k":1,"count":1})"}));
}

// issue-10: Spark's groupBy(word).count() on a stream, without a window, in
// update and complete mode; append is refused as Spark refuses it.
TEST(WindowOperatorTest, Issue10AggregationWithoutAWindow) {
  WindowOptions o;
  o.by = {"w"};
  o.mode = "complete";
  StageRun r = RunWin(o, {R"({"w":"b"})", R"({"w":"a"})", Tick(0), R"({"w":"a"})", Tick(1), kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.lines, std::vector<std::string>({R"({"w":"a","count":1})", R"({"w":"b","count":1})",
                                               Tick(0), R"({"w":"a","count":2})",
                                               R"({"w":"b","count":1})", Tick(1), kEnd}));
  o.mode = "update";
  o.agg = "count, sum(v) AS s";
  r = RunWin(o, {R"({"w":"b","v":1})", R"({"w":"a","v":2})", Tick(0), R"({"w":"a","v":3})",
                 Tick(1), kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({R"({"w":"a","count":1,"s":2})",
                                              R"({"w":"b","count":1,"s":1})",
                                              R"({"w":"a","count":2,"s":5})"}));
  o.by.clear();  // one group: the whole stream
  o.agg = "count";
  r = RunWin(o, {R"({"w":"b"})", R"({"w":"a"})", Tick(0), kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({R"({"count":2})"}));
  std::unique_ptr<Operator> op;
  o.mode = "append";
  EXPECT_TRUE(testing_util::FailsWith(NewWindowOperator(o, &op), "append mode needs a window"));
  o.mode = "update";
  o.watermark = "1s";
  EXPECT_TRUE(testing_util::FailsWith(NewWindowOperator(o, &op), "need a window"));
}

// Spark's approx_count_distinct(u [, rsd]): HyperLogLog, within its error.
TEST(WindowOperatorTest, ApproxCountDistinct) {
  WindowOptions o = Options("complete", "");
  o.agg = "approx_count_distinct(u), approx_count_distinct(u, 0.01) AS fine";
  std::vector<std::string> rows;
  for (int i = 0; i < 20'000; ++i) {
    rows.push_back("{\"t\":" + std::to_string(i % 9'000) + ",\"u\":" + std::to_string(i % 5'000) + "}");
  }
  rows.push_back(Tick(0));
  StageRun r = RunWin(o, rows);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.data.size(), 1u);
  int64_t coarse = 0, fine = 0;
  ASSERT_EQ(std::sscanf(r.data[0].c_str(),
                        "{\"window_start\":0,\"window_end\":10000,\"approx_count_distinct(u)\":%lld,"
                        "\"fine\":%lld}",
                        reinterpret_cast<long long*>(&coarse), reinterpret_cast<long long*>(&fine)),
            2)
      << r.data[0];
  EXPECT_NEAR(coarse, 5'000, 5'000 * 4 * 1.04 / std::sqrt(512.0));
  EXPECT_NEAR(fine, 5'000, 5'000 * 4 * 1.04 / std::sqrt(16384.0));
}

// Spark's percentile_approx(v, p [, accuracy]) on a mergeable quantile sketch.
TEST(WindowOperatorTest, PercentileApprox) {
  WindowOptions o = Options("complete", "");
  o.agg = "percentile_approx(v, 0.5) AS median, percentile_approx(v, 0.9, 1000) AS p90, "
          "approx_percentile(v, 0) AS lo";
  std::vector<std::string> rows;
  for (int i = 1; i <= 10'001; ++i) rows.push_back(R"j({"t":5,"v":)j" + std::to_string(i) + "}");
  rows.push_back(R"j({"t":5,"v":"x"})j");  // not a number: ignored
  rows.push_back(Tick(0));
  StageRun r = RunWin(o, rows);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.data.size(), 1u);
  long long median = 0, p90 = 0, lo = 0;
  ASSERT_EQ(std::sscanf(r.data[0].c_str(),
                        R"j({"window_start":0,"window_end":10000,"median":%lld,"p90":%lld,"lo":%lld})j",
                        &median, &p90, &lo),
            3)
      << r.data[0];
  EXPECT_NEAR(median, 5'001, 10'001 * 3 * 1.7 / 200);
  EXPECT_NEAR(p90, 9'001, 10'001 * 3 * 1.7 / 1700);
  EXPECT_EQ(lo, 1);
  std::unique_ptr<Operator> op;
  o.agg = "percentile_approx(v, 1.5)";
  EXPECT_TRUE(testing_util::FailsWith(NewWindowOperator(o, &op),
                                      "the percentage must be a number from 0 to 1"));
  o.agg = "percentile_approx(v)";
  EXPECT_TRUE(testing_util::FailsWith(NewWindowOperator(o, &op),
                                      "expected percentile_approx(field, percentage [, accuracy])"));
  o.agg = "percentile_approx(v, 0.5, 0)";
  EXPECT_TRUE(testing_util::FailsWith(NewWindowOperator(o, &op), "the accuracy must be a number >= 1"));
  o.agg = "approx_count_distinct(v, 2)";
  EXPECT_TRUE(testing_util::FailsWith(NewWindowOperator(o, &op), "rsd must be a number between 0 and 1"));
}

TEST(WindowOperatorTest, OptionErrors) {
  struct Case {
    void (*change)(WindowOptions*);
    const char* what;
  };
  const Case cases[] = {
      {[](WindowOptions* o) { o->time_field.clear(); }, "--time"},
      {[](WindowOptions* o) { o->tumbling.clear(); }, "--tumbling"},
      {[](WindowOptions* o) { o->tumbling = "10"; }, "--tumbling"},
      {[](WindowOptions* o) { o->tumbling = "0s"; }, "positive"},
      {[](WindowOptions* o) { o->offset = "10s"; }, "--offset"},
      {[](WindowOptions* o) { o->offset = "soon"; }, "--offset"},
      {[](WindowOptions* o) { o->watermark = "5"; }, "--watermark"},
      {[](WindowOptions* o) { o->mode = "replace"; }, "output mode"},
      {[](WindowOptions* o) { o->agg = "median(x)"; }, "median"},
      {[](WindowOptions* o) { o->time_format = "hours"; }, "time format"},
      {[](WindowOptions* o) { o->output_time_format = "hours"; }, "time format"},
      {[](WindowOptions* o) { o->by = {"a,,b"}; }, "--by"},
      {[](WindowOptions* o) { o->sliding = "10s"; }, "--tumbling"},
      {[](WindowOptions* o) { o->slide = "5s"; }, "--slide"},
      {[](WindowOptions* o) { o->tumbling.clear(); o->sliding = "10s"; }, "--slide"},
      {[](WindowOptions* o) {
         o->tumbling.clear();
         o->sliding = "10s";
         o->slide = "20s";
       }, "--slide"},
      {[](WindowOptions* o) {
         o->tumbling.clear();
         o->sliding = "10s";
         o->slide = "5s";
         o->offset = "5s";
       }, "--offset"},
  };
  for (const auto& c : cases) {
    WindowOptions o = Options("append");
    c.change(&o);
    std::unique_ptr<Operator> op;
    Status s = NewWindowOperator(o, &op);
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_NE(s.message().find(c.what), std::string::npos) << s.message();
  }
}

TEST(WindowOperatorTest, GroupKeysAndAggregates) {
  WindowOptions o = Options("complete", "");
  o.by = {"k"};
  o.agg = "count, sum(v) AS total, avg(v), min(v), max(v), count(v)";
  StageRun r = RunWin(o, {R"x({"t":1000,"k":"b","v":1})x", R"x({"t":2000,"k":"b","v":3})x",
                          R"x({"t":3000,"k":"b","v":"5"})x", R"x({"t":4000,"k":"b","v":null})x",
                          R"x({"t":5000,"k":"b","v":"x"})x", R"x({"t":6000,"k":"a"})x",
                          R"x({"t":7000,"v":2.5})x", kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({
                        // Sorted by key; a missing key is null.
                        R"x({"window_start":0,"window_end":10000,"k":"a","count":1,"total":null,)x"
                        R"x("avg(v)":null,"min(v)":null,"max(v)":null,"count(v)":0})x",
                        // Non-numeric "x" is ignored by sum/avg/min/max but counted by
                        // count(v); null is ignored by all; "5" is a number.
                        R"x({"window_start":0,"window_end":10000,"k":"b","count":5,"total":9,)x"
                        R"x("avg(v)":3,"min(v)":1,"max(v)":5,"count(v)":4})x",
                        R"x({"window_start":0,"window_end":10000,"k":null,"count":1,"total":2.5,)x"
                        R"x("avg(v)":2.5,"min(v)":2.5,"max(v)":2.5,"count(v)":1})x",
                    }));
}

TEST(WindowOperatorTest, SeveralAndNestedGroupKeys) {
  WindowOptions o = Options("complete", "");
  o.by = {"k, u.id"};
  StageRun r = RunWin(o, {R"({"t":1,"k":1,"u":{"id":"x"}})", R"({"t":2,"k":1,"u":{"id":"x"}})",
                          R"({"t":3,"k":1,"u":{"id":"y"}})", kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>(
                        {R"({"window_start":0,"window_end":10000,"k":1,"id":"x","count":2})",
                         R"({"window_start":0,"window_end":10000,"k":1,"id":"y","count":1})"}));
}

TEST(WindowOperatorTest, NegativeTimesAndOffsets) {
  WindowOptions o = Options("complete", "");
  StageRun r = RunWin(o, {Row(-1), Row(-10'000), Row(-10'001), kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({Win(-20'000, 1), Win(-10'000, 2)}));

  o.offset = "2s";
  r = RunWin(o, {Row(1'000), Row(2'000), Row(11'999), kEnd});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({Win(-8'000, 1), Win(2'000, 2)}));
}

// Window bounds are written in the input's time format unless told otherwise.
TEST(WindowOperatorTest, BoundsFollowTheInputFormat) {
  WindowOptions o = Options("complete", "");
  o.time_format = "auto";
  StageRun iso = RunWin(o, {R"({"t":"2026-01-02T03:04:05.123Z"})", kEnd});
  ASSERT_TRUE(iso.status.ok()) << iso.status.ToString();
  EXPECT_EQ(iso.data,
            std::vector<std::string>({R"({"window_start":"2026-01-02T03:04:00.000Z",)"
                                      R"("window_end":"2026-01-02T03:04:10.000Z","count":1})"}));

  StageRun secs = RunWin(o, {R"({"t":1767323045})", kEnd});
  ASSERT_TRUE(secs.status.ok());
  EXPECT_EQ(secs.data, std::vector<std::string>(
                           {R"({"window_start":1767323040,"window_end":1767323050,"count":1})"}));

  StageRun ms = RunWin(o, {R"({"t":1767323045123})", kEnd});
  ASSERT_TRUE(ms.status.ok());
  EXPECT_EQ(ms.data,
            std::vector<std::string>(
                {R"({"window_start":1767323040000,"window_end":1767323050000,"count":1})"}));

  o.output_time_format = "iso";
  StageRun forced = RunWin(o, {R"({"t":1767323045123})", kEnd});
  ASSERT_TRUE(forced.status.ok());
  EXPECT_EQ(forced.data,
            std::vector<std::string>({R"({"window_start":"2026-01-02T03:04:00.000Z",)"
                                      R"("window_end":"2026-01-02T03:04:10.000Z","count":1})"}));

  o.output_time_format = "ms";
  StageRun to_ms = RunWin(o, {R"({"t":"2026-01-02T03:04:05Z"})", kEnd});
  ASSERT_TRUE(to_ms.status.ok());
  EXPECT_EQ(to_ms.data,
            std::vector<std::string>(
                {R"({"window_start":1767323040000,"window_end":1767323050000,"count":1})"}));
}

TEST(WindowOperatorTest, BadEventTimesFollowThePolicy) {
  std::vector<std::string> input = {
      Row(1'000), R"({"x":1})", R"({"t":"soon"})", R"({"t":null})", "{\"t\":", Row(2'000), kEnd};
  StageRun fail = RunWin(Options("append"), input);
  ASSERT_TRUE(fail.status.IsInvalidArgument());
  EXPECT_EQ(fail.status.message(), "memory: line 2: field 't': event-time field is missing");

  CommonOptions skip;
  skip.bad_records = "skip";
  StageRun r = RunWin(Options("append"), input, skip);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({Win(0, 2)}));
}

TEST(WindowOperatorTest, UpstreamWatermarks) {
  const std::string upstream = Watermark(50'000);
  // Without --watermark the upstream watermark is forwarded.
  StageRun fwd = RunWin(Options("update", ""), {Row(1'000), upstream, Tick(0), kEnd});
  ASSERT_TRUE(fwd.status.ok());
  EXPECT_EQ(fwd.lines, std::vector<std::string>({upstream, Win(0, 1), Tick(0), kEnd}));
  // With its own watermark the stage combines upstream's into it (minimum by
  // default) and sends only the result downstream.
  StageRun own = RunWin(Options("append"), {Row(1'000), Row(30'000), upstream, Tick(0), kEnd});
  ASSERT_TRUE(own.status.ok());
  EXPECT_EQ(own.lines, std::vector<std::string>(
                           {Win(0, 1), Watermark(25'000), Tick(0), Win(30'000, 1), kEnd}))
      << "min(30000 - 5000, 50000)";
  StageRun low = RunWin(Options("append"), {Row(1'000), Row(30'000), Watermark(8'000), Tick(0), kEnd});
  ASSERT_TRUE(low.status.ok());
  EXPECT_EQ(low.lines, std::vector<std::string>({Watermark(8'000), Tick(0), Win(0, 1), Win(30'000, 1), kEnd}))
      << "a slower upstream holds the watermark back: [0,10s) is not final at 8000";
  WindowOptions o = Options("append");
  o.watermark_policy = "max";
  StageRun high = RunWin(o, {Row(1'000), Row(30'000), upstream, Tick(0), kEnd});
  ASSERT_TRUE(high.status.ok());
  EXPECT_EQ(high.lines, std::vector<std::string>(
                            {Win(0, 1), Win(30'000, 1), Watermark(50'000), Tick(0), kEnd}));
}

}  // namespace
}  // namespace sstream

namespace sstream {
namespace {

using testing_util::RunOperatorOn;
using testing_util::ScriptedSource;


// The STREAM signal a window stage writes first.
std::string StreamLine(const std::string& mode) {
  return "{\"@sstream\":\"stream\",\"operator\":\"aggregation\",\"mode\":\"" + mode + "\"}";
}

// Beyond Spark: --idle-timeout. After the input has been quiet that long,
// the watermark moves to the end of the newest open window, so every open
// window is emitted; rows for them that come later are late.
TEST(WindowOperatorTest, IdleInputFinishesOpenWindows) {
  WindowOptions o = Options("append");
  o.idle_timeout = "1s";
  std::unique_ptr<Operator> op;
  ASSERT_TRUE(NewWindowOperator(o, &op).ok());
  ManualClock clock(1'000'000);
  ScriptedSource in({{Lines({Row(1'000), Row(12'000), Tick(0)})}, {"", 5'000},
                     {Lines({Row(13'000), Tick(1), kEnd})}},
                    &clock);
  MemorySink out;
  ASSERT_TRUE(RunOperatorOn(op.get(), &in, &clock, &out).ok());
  EXPECT_EQ(testing_util::SplitLines(out.contents()),
            std::vector<std::string>({StreamLine("append"), Watermark(7'000), Tick(0),
                                      // Idle: watermark to 20000, both windows final.
                                      Win(0, 1), Win(10'000, 1), Watermark(20'000), Tick(1),
                                      // 13000 is now late; upstream's epoch 1 becomes 2.
                                      Tick(2), kEnd}));
}

// The idle hook only moves the watermark; the batch that closes after it
// emits once, so complete mode does not write its table twice.
TEST(WindowOperatorTest, IdleInputInCompleteModeEmitsTheTableOncePerBatch) {
  WindowOptions o = Options("complete");
  o.idle_timeout = "1s";
  std::unique_ptr<Operator> op;
  ASSERT_TRUE(NewWindowOperator(o, &op).ok());
  ManualClock clock(1'000'000);
  ScriptedSource in({{Lines({Row(1'000), Row(12'000), Tick(0)})}, {"", 5'000}, {kEnd}}, &clock);
  MemorySink out;
  ASSERT_TRUE(RunOperatorOn(op.get(), &in, &clock, &out).ok());
  EXPECT_EQ(testing_util::SplitLines(out.contents()),
            std::vector<std::string>({StreamLine("complete"), Win(0, 1), Win(10'000, 1),
                                      Watermark(7'000), Tick(0), Win(0, 1), Win(10'000, 1),
                                      Watermark(20'000), Tick(1), kEnd}));
}

TEST(WindowOperatorTest, IdleTimeoutNeedsAWatermark) {
  WindowOptions o = Options("update", "");
  o.idle_timeout = "1s";
  std::unique_ptr<Operator> op;
  Status s = NewWindowOperator(o, &op);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--idle-timeout needs --watermark"), std::string::npos);
}

}  // namespace
}  // namespace sstream
