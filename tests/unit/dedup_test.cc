// Deduplication (dedup.h), SPEC §3 rule 7 and Spark's StreamingDeduplicationSuite:
// first row per key wins; with a watermark and the time among the keys, late
// rows are dropped and keys evicted; within the watermark, a key lives until
// its first event time + delay is behind the watermark.
#include "sstream/dedup.h"

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

std::string Row(int id, int64_t t) {
  return "{\"id\":" + std::to_string(id) + ",\"t\":" + std::to_string(t) + "}";
}

StageRun Dedup(DedupOptions o, const std::vector<std::string>& input) {
  std::unique_ptr<Operator> op;
  Status s = NewDedupOperator(o, &op);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return {s, "", {}, {}, {}};
  return RunOperator(op.get(), Lines(input));
}

DedupOptions Opts(std::vector<std::string> keys, std::string watermark = "",
                  bool within = false) {
  DedupOptions o;
  o.keys = std::move(keys);
  o.time_field = "t";
  o.time_format = "ms";
  o.watermark = std::move(watermark);
  o.within_watermark = within;
  return o;
}

TEST(DedupTest, FirstRowPerKeyWinsWithoutWatermark) {
  StageRun r = Dedup(Opts({"id"}), {Row(1, 10), Row(1, 20), Row(2, 5), Tick(0), Row(1, 30), Tick(1)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({Row(1, 10), Row(2, 5)}))
      << "keys are remembered across batches";
}

TEST(DedupTest, SeveralKeyFieldsAndMissingFieldsAsNull) {
  StageRun r = Dedup(Opts({"id, k"}), {R"j({"id":1,"k":"a"})j", R"j({"id":1,"k":"b"})j",
                                       R"j({"id":1})j", R"j({"id":1,"k":null})j", R"j({"id":1,"k":"a"})j"});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.data, std::vector<std::string>(
                        {R"j({"id":1,"k":"a"})j", R"j({"id":1,"k":"b"})j", R"j({"id":1})j"}));
}

// Spark: dropDuplicates("id", "eventTime") after withWatermark("eventTime", "10 seconds").
TEST(DedupTest, WithWatermarkAndTimeInKeyDropsLateRowsAndEvictsKeys) {
  StageRun r = Dedup(Opts({"id", "t"}, "10s"),
                     {Row(1, 1'000), Row(1, 1'000), Row(1, 30'000), Tick(0),
                      // Watermark 20000: 1000 is late even though it was seen.
                      Row(1, 1'000), Row(2, 25'000), Row(1, 30'000), Tick(1)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({Row(1, 1'000), Row(1, 30'000), Row(2, 25'000)}));
}

// Spark: dropDuplicatesWithinWatermark("id") with a 5-second delay.
TEST(DedupTest, WithinWatermarkForgetsAKeyAfterItsTimePlusDelay) {
  StageRun r = Dedup(Opts({"id"}, "5s", true),
                     {Row(1, 1'000), Row(1, 4'000), Row(2, 20'000), Tick(0),
                      // Watermark 15000 >= 1000 + 5000: key 1 is forgotten; a new row for
                      // it after the watermark passes again. 14000 is late.
                      Row(1, 14'000), Row(1, 16'000), Row(2, 21'000), Tick(1)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({Row(1, 1'000), Row(2, 20'000), Row(1, 16'000)}))
      << "key 2 (20000 + 5000 > 15000) is still remembered, so 21000 is a duplicate";
}

// An upstream watermark combines with the stage's own by --watermark-policy.
TEST(DedupTest, UpstreamWatermarkFollowsThePolicy) {
  const std::string upstream = R"j({"@sstream":"watermark","ms":50000})j";
  // min(30000 - 10000, 50000) = 20000: 15000 is late.
  StageRun low = Dedup(Opts({"id", "t"}, "10s"), {Row(1, 30'000), upstream, Tick(0), Row(2, 25'000), Row(3, 15'000), Tick(1)});
  ASSERT_TRUE(low.status.ok()) << low.status.ToString();
  EXPECT_EQ(low.data, std::vector<std::string>({Row(1, 30'000), Row(2, 25'000)}));
  // max: 50000, so 25000 is late too.
  DedupOptions o = Opts({"id", "t"}, "10s");
  o.watermark_policy = "max";
  StageRun high = Dedup(o, {Row(1, 30'000), upstream, Tick(0), Row(2, 25'000), Row(3, 15'000), Tick(1)});
  ASSERT_TRUE(high.status.ok());
  EXPECT_EQ(high.data, std::vector<std::string>({Row(1, 30'000)}));
}

TEST(DedupTest, OptionErrors) {
  std::unique_ptr<Operator> op;
  EXPECT_TRUE(FailsWith(NewDedupOperator(Opts({}), &op), "--dedup needs at least one field"));
  EXPECT_TRUE(FailsWith(NewDedupOperator(Opts({"id,,k"}), &op), "--dedup: empty field name"));
  EXPECT_TRUE(FailsWith(NewDedupOperator(Opts({"id"}, "", true), &op),
                        "--within-watermark needs --time FIELD and --watermark DELAY"));
  EXPECT_TRUE(NewDedupOperator(Opts({"id", "t"}, "5s", true), &op).ok())
      << "the event-time field may be a key of --within-watermark, as in Spark";
  DedupOptions o = Opts({"id"}, "5s");
  o.time_field.clear();
  EXPECT_TRUE(FailsWith(NewDedupOperator(o, &op), "--watermark needs --time FIELD"));
}

TEST(DedupTest, BadEventTimeIsABadRecord) {
  StageRun r = Dedup(Opts({"id", "t"}, "5s"), {R"j({"id":1,"t":"soon"})j"});
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("memory: line 1"), std::string::npos) << r.status.message();
}

}  // namespace
}  // namespace sstream
