// FieldPresence (ops/field_presence.h): fields a query names that no record
// of a batch has.
#include "ops/field_presence.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sstream/expr.h"
#include "sstream/record.h"

namespace sstream {
namespace {

// A tracker over the fields of one --where expression.
struct Tracker {
  explicit Tracker(const std::string& where) {
    std::unique_ptr<Expr> e;
    EXPECT_TRUE(CompileExpr(where, &fields, &e).ok());
    presence.WatchNew(fields, 0, "--where");
    scanner = std::make_unique<RecordScanner>(fields.paths());
  }
  void Feed(const std::string& record) {
    ASSERT_TRUE(scanner->ScanCopy(record).ok());
    presence.Seen(*scanner, record);
  }
  FieldRegistry fields;
  FieldPresence presence;
  std::unique_ptr<RecordScanner> scanner;
};

// Issue 10, item 9: a misspelled field reads as null in every record; it is
// reported once per field, and is an error with --strict.
TEST(FieldPresenceTest, Issue10AFieldNoRecordOfABatchHasIsReported) {
  Tracker t("campain_id = 1 AND b > 1");
  t.Feed(R"({"campaign_id":1,"b":2})");
  t.Feed(R"({"campaign_id":2,"b":null})");
  Status s = t.presence.EndBatch(7, /*strict=*/true);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "--where: no record of batch 7 (2 record(s)) has the field 'campain_id' (did you "
            "mean 'campaign_id'?)");
}

TEST(FieldPresenceTest, Issue10AWarningIsGivenOncePerField) {
  Tracker t("x = 1");
  t.Feed(R"({"y":1})");
  EXPECT_TRUE(t.presence.EndBatch(0, false).ok());  // warned (on stderr)
  t.Feed(R"({"y":1})");
  EXPECT_TRUE(t.presence.EndBatch(1, true).ok()) << "already reported: not again";
}

TEST(FieldPresenceTest, Issue10AFieldPresentWithNullIsPresent) {
  Tracker t("x IS NULL");
  t.Feed(R"({"x":null})");
  EXPECT_TRUE(t.presence.EndBatch(0, true).ok());
}

TEST(FieldPresenceTest, Issue10OneRecordWithTheFieldIsEnough) {
  Tracker t("u.name = 'a' OR x = 1");
  t.Feed(R"({"x":1})");
  t.Feed(R"({"u":{"name":"b"}})");
  t.Feed(R"({})");
  EXPECT_TRUE(t.presence.EndBatch(0, true).ok());
}

TEST(FieldPresenceTest, Issue10EachBatchIsCheckedUntilReported) {
  Tracker t("x = 1");
  t.Feed(R"({"x":1})");
  EXPECT_TRUE(t.presence.EndBatch(0, true).ok());
  EXPECT_TRUE(t.presence.EndBatch(1, true).ok()) << "an empty batch proves nothing";
  t.Feed(R"({"y":1})");
  Status s = t.presence.EndBatch(2, true);
  EXPECT_EQ(s.message(), "--where: no record of batch 2 (1 record(s)) has the field 'x'");
}

TEST(FieldPresenceTest, Issue10NestedPathsAreWatchedWhole) {
  Tracker t("user.nmae = 'a'");
  t.Feed(R"({"user":{"name":"a"}})");
  Status s = t.presence.EndBatch(0, true);
  EXPECT_EQ(s.message(), "--where: no record of batch 0 (1 record(s)) has the field 'user.nmae'");
}

TEST(FieldPresenceTest, EditDistance) {
  EXPECT_EQ(EditDistance("campain_id", "campaign_id"), 1u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("same", "same"), 0u);
  EXPECT_EQ(EditDistance("nmae", "name"), 1u) << "a swap";
}

}  // namespace
}  // namespace sstream
