// DStreams-style windows counted in batches (batch_window.h), SPEC §3 rule 9
// and the DStreams programming guide ("Window Operations"); the scenarios are
// modelled on Spark's WindowOperationsSuite.
#include "sstream/batch_window.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "stage_harness.h"

namespace sstream {
namespace {

using testing_util::FailsWith;
using testing_util::Lines;
using testing_util::RunOperator;
using testing_util::StageRun;
using testing_util::Tick;

// Turns per-batch values into JSON lines with a tick after each batch.
std::vector<std::string> Batches(const std::vector<std::vector<std::string>>& batches) {
  std::vector<std::string> lines;
  for (size_t b = 0; b < batches.size(); ++b) {
    for (const auto& v : batches[b]) lines.push_back("{\"v\":" + v + "}");
    lines.push_back(Tick(static_cast<int64_t>(b)));
  }
  return lines;
}

StageRun RunBW(BatchWindowOptions o, const std::vector<std::string>& input) {
  std::unique_ptr<Operator> op;
  Status s = NewBatchWindowOperator(o, &op);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return {s, "", {}, {}, {}};
  CommonOptions common;
  common.data_only = true;
  return RunOperator(op.get(), Lines(input), common);
}

std::string Count(int64_t first, int64_t end, int64_t n) {
  return "{\"batch_window_start\":" + std::to_string(first) +
         ",\"batch_window_end\":" + std::to_string(end) + ",\"count\":" + std::to_string(n) + "}";
}

std::string KeyCount(int64_t first, int64_t end, const std::string& v, int64_t n) {
  return "{\"batch_window_start\":" + std::to_string(first) + ",\"batch_window_end\":" +
         std::to_string(end) + ",\"v\":" + v + ",\"count\":" + std::to_string(n) + "}";
}

// countByWindow(2 batches, 1 batch) over [1], [1], [1, 2], [0], [], []:
// 1, 2, 3, 3, 1, 0 — an empty window still gives a row of 0.
TEST(BatchWindowTest, CountByWindowEmitsZeroForAnEmptyWindow) {
  BatchWindowOptions o;
  o.length = 2;
  StageRun r = RunBW(o, Batches({{"1"}, {"1"}, {"1", "2"}, {"0"}, {}, {}}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({Count(-1, 0, 1), Count(0, 1, 2), Count(1, 2, 3),
                                              Count(2, 3, 3), Count(3, 4, 1), Count(4, 5, 0)}));
}

// countByValueAndWindow(2, 1): per value, over the last two batches; keys of
// an empty window are absent (no inverse).
TEST(BatchWindowTest, CountByValueAndWindow) {
  BatchWindowOptions o;
  o.length = 2;
  o.by = {"v"};
  StageRun r = RunBW(o, Batches({{"1", "1"}, {"2"}, {}, {}}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.data, std::vector<std::string>({KeyCount(-1, 0, "1", 2), KeyCount(0, 1, "1", 2),
                                              KeyCount(0, 1, "2", 1), KeyCount(1, 2, "2", 1)}));
}

// reduceByKeyAndWindow with an inverse function keeps keys at zero, unless
// filtered (--drop-zero); the sums equal the non-incremental form's.
TEST(BatchWindowTest, InverseFormKeepsZeroKeysUnlessFiltered) {
  BatchWindowOptions o;
  o.length = 2;
  o.by = {"v"};
  o.inverse = true;
  StageRun r = RunBW(o, Batches({{"1"}, {"2"}, {}, {}}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.data, std::vector<std::string>({KeyCount(-1, 0, "1", 1), KeyCount(0, 1, "1", 1),
                                              KeyCount(0, 1, "2", 1), KeyCount(1, 2, "1", 0),
                                              KeyCount(1, 2, "2", 1), KeyCount(2, 3, "1", 0),
                                              KeyCount(2, 3, "2", 0)}));
  o.drop_zero = true;
  r = RunBW(o, Batches({{"1"}, {"2"}, {}, {}}));
  EXPECT_EQ(r.data, std::vector<std::string>({KeyCount(-1, 0, "1", 1), KeyCount(0, 1, "1", 1),
                                              KeyCount(0, 1, "2", 1), KeyCount(1, 2, "2", 1)}));
}

// window(3 batches, slide 2): windows end after batches 1, 3, 5, each
// covering the three batches up to its end.
TEST(BatchWindowTest, SlideEmitsEveryMBatchesOverTheLastN) {
  BatchWindowOptions o;
  o.length = 3;
  o.slide = 2;
  o.by = {"v"};
  StageRun r = RunBW(o, Batches({{"1"}, {"1", "2"}, {}, {"2"}, {"1"}, {}}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({KeyCount(-1, 1, "1", 2), KeyCount(-1, 1, "2", 1),
                                              KeyCount(1, 3, "1", 1), KeyCount(1, 3, "2", 2),
                                              KeyCount(3, 5, "1", 1), KeyCount(3, 5, "2", 1)}));
}

TEST(BatchWindowTest, SlideAndSumsAgreeWithAndWithoutInverse) {
  std::vector<std::vector<std::string>> batches;
  for (int b = 0; b < 30; ++b) {
    std::vector<std::string> vals;
    for (int i = 0; i < (b * 7) % 5; ++i) vals.push_back(std::to_string((b + i) % 3));
    batches.push_back(vals);
  }
  BatchWindowOptions o;
  o.length = 6;
  o.slide = 3;
  o.by = {"v"};
  o.agg = "count, sum(v)";
  StageRun plain = RunBW(o, Batches(batches));
  o.inverse = true;
  o.drop_zero = true;
  StageRun inc = RunBW(o, Batches(batches));
  ASSERT_TRUE(plain.status.ok() && inc.status.ok());
  EXPECT_EQ(plain.data, inc.data) << "dropping zero keys, the incremental form matches";
  ASSERT_FALSE(plain.data.empty());
  EXPECT_NE(plain.data[0].find("\"batch_window_end\":2"), std::string::npos)
      << "windows end where (epoch + 1) is a multiple of the slide";
}

TEST(BatchWindowTest, MissingEpochsAreEmptyBatches) {
  BatchWindowOptions o;
  o.length = 2;
  StageRun r = RunBW(o, {"{\"v\":1}", Tick(0), "{\"v\":1}", Tick(3)});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.data, std::vector<std::string>(
                        {Count(-1, 0, 1), Count(0, 1, 1), Count(1, 2, 0), Count(2, 3, 1)}));
}

TEST(BatchWindowTest, OptionErrors) {
  std::unique_ptr<Operator> op;
  BatchWindowOptions o;
  EXPECT_TRUE(FailsWith(NewBatchWindowOperator(o, &op), "--batch-window must be at least 1 batch"));
  o.length = 2;
  o.slide = 0;
  EXPECT_TRUE(FailsWith(NewBatchWindowOperator(o, &op), "--batch-slide must be at least 1 batch"));
  o.slide = 1;
  o.agg = "avg(v)";
  EXPECT_TRUE(FailsWith(NewBatchWindowOperator(o, &op), "supports count and sum(f)"));
  o.agg = "count";
  o.drop_zero = true;
  EXPECT_TRUE(FailsWith(NewBatchWindowOperator(o, &op), "--drop-zero goes with --inverse"));
}

}  // namespace
}  // namespace sstream
