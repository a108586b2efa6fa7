// sstream-map's operator (map.h): --where and --select through RunStage.
#include "sstream/map.h"

#include <gtest/gtest.h>

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

StageRun Map(const std::string& where, const std::string& select,
             const std::vector<std::string>& input, const CommonOptions& common = CommonOptions()) {
  MapOptions o;
  o.where = where;
  o.select = select;
  std::unique_ptr<Operator> op;
  Status s = NewMapOperator(o, &op);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return {s, "", {}, {}, {}};
  return RunOperator(op.get(), Lines(input), common);
}

const std::vector<std::string> kEvents = {
    R"({"id":1,"type":"view","ad":{"id":"a1"},"price":"2.5"})",
    R"({"id":2,"type":"click","ad":{"id":"a2"},"price":4})",
    R"({"id":3 , "type" : "view"})",
    R"({"id":4,"type":null,"price":"n/a"})",
};

TEST(MapOperatorTest, WhereKeepsRecordsUnchanged) {
  StageRun r = Map("type = 'view'", "", kEvents);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({kEvents[0], kEvents[2]}))
      << "kept records are passed through byte for byte";
}

TEST(MapOperatorTest, WhereDropsNullConditions) {
  // price > 3: "2.5" casts (false), 4 (true), missing (null), "n/a" (null).
  StageRun r = Map("price > 3", "", kEvents);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.data, std::vector<std::string>({kEvents[1]}));
  StageRun n = Map("NOT price > 3", "", kEvents);
  EXPECT_EQ(n.data, std::vector<std::string>({kEvents[0]})) << "NOT null is still null";
  StageRun isnull = Map("type IS NULL OR ad.id = 'a2'", "", kEvents);
  EXPECT_EQ(isnull.data, std::vector<std::string>({kEvents[1], kEvents[3]}));
}

TEST(MapOperatorTest, SelectProjectsRenamesAndComputes) {
  StageRun r = Map("", "id, ad.id AS ad_id, price > 3 AS pricey, 'x' AS tag", kEvents);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({
                        R"({"id":1,"ad_id":"a1","pricey":false,"tag":"x"})",
                        R"({"id":2,"ad_id":"a2","pricey":true,"tag":"x"})",
                        // Missing fields and null results are left out, as Spark's
                        // JSON writer does.
                        R"({"id":3,"tag":"x"})",
                        R"({"id":4,"tag":"x"})",
                    }));
}

TEST(MapOperatorTest, SelectedValuesAreCopiedRaw) {
  StageRun r =
      Map("", "v, o", {R"({"v":"a\"b\u00e9","o":{ "k" : [1, 2] }})", R"({"v":1.50e2,"o":null})"});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.data, std::vector<std::string>(
                        {R"({"v":"a\"b\u00e9","o":{ "k" : [1, 2] }})", R"({"v":1.50e2})"}))
      << "a selected field keeps its JSON text untouched; a null one is left out, as "
         "Spark's JSON writer leaves out null fields";
}

TEST(MapOperatorTest, NoFieldFoundGivesAnEmptyObject) {
  StageRun r = Map("", "missing, also.missing", {R"({"a":1})"});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.data, std::vector<std::string>({"{}"}));
}

TEST(MapOperatorTest, StarAloneKeepsRecordsAsTheyAre) {
  StageRun r = Map("", "*", kEvents);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.data, kEvents);
}

TEST(MapOperatorTest, StarWithExtraColumns) {
  StageRun r = Map("id < 3", "*, price > 3 AS pricey, type", kEvents);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({
                        // An explicitly selected column replaces the one from *.
                        R"({"id":1,"ad":{"id":"a1"},"price":"2.5","pricey":false,"type":"view"})",
                        R"({"id":2,"ad":{"id":"a2"},"price":4,"pricey":true,"type":"click"})",
                    }));
}

TEST(MapOperatorTest, WhereAndSelectTogether) {
  StageRun r = Map("type = 'view' AND id > 1", "id AS n", kEvents);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.data, std::vector<std::string>({R"({"n":3})"}));
}

TEST(MapOperatorTest, ControlLinesPassThrough) {
  StageRun r = Map("id = 2", "id", {kEvents[0], kEvents[1], Tick(0), kEvents[1], Tick(1)});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.lines, std::vector<std::string>({R"({"id":2})", Tick(0), R"({"id":2})", Tick(1),
                                               "{\"@sstream\":\"end\"}"}));
}

TEST(MapOperatorTest, InvalidRecordsAreBadRecordsEvenWithoutExpressions) {
  for (const char* where : {"", "id = 1"}) {
    StageRun r = Map(where, "", {kEvents[0], "{\"id\":", kEvents[0]});
    ASSERT_TRUE(r.status.IsInvalidArgument()) << where;
    EXPECT_EQ(r.status.message().rfind("memory: line 2: invalid JSON", 0), 0u)
        << r.status.message();
  }
  CommonOptions skip;
  skip.bad_records = "skip";
  StageRun r = Map("", "", {kEvents[0], "[1,2]", "{\"id\":\"\xff\"}", kEvents[1]}, skip);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.data, std::vector<std::string>({kEvents[0], kEvents[1]}));
}

TEST(MapOperatorTest, ExpressionErrorsNameTheOption) {
  std::unique_ptr<Operator> op;
  MapOptions o;
  o.where = "id = = 1";
  Status s = NewMapOperator(o, &op);
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message().rfind("--where: column 6:", 0), 0u) << s.message();
  o.where.clear();
  o.select = "id AS";
  s = NewMapOperator(o, &op);
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message().rfind("--select: column", 0), 0u) << s.message();
}

TEST(MapOperatorTest, EventTimeTravelsWithTheRecord) {
  MapOptions o;
  o.select = "id";
  std::unique_ptr<Operator> op;
  ASSERT_TRUE(NewMapOperator(o, &op).ok());
  MemorySink in;
  {
    FrameWriter w(&in, WireFormat::kBinary);
    ASSERT_TRUE(w.WriteData(R"({"id":1,"x":2})", true, -5).ok());
    ASSERT_TRUE(w.WriteEnd().ok());
  }
  CommonOptions common;
  common.wire = "binary";
  StageRun r = RunOperator(op.get(), in.contents(), common);
  ASSERT_TRUE(r.status.ok());
  MemorySource src(r.output);
  FrameReader reader(&src);
  Frame f;
  Status st;
  ASSERT_EQ(reader.Next(&f, 0, &st), FrameReader::Result::kFrame);
  EXPECT_EQ(f.json, R"({"id":1})");
  EXPECT_TRUE(f.has_event_time);
  EXPECT_EQ(f.event_time, -5);
}

StageRun MapWith(const MapOptions& o, const std::vector<std::string>& input,
                 const CommonOptions& common = CommonOptions()) {
  std::unique_ptr<Operator> op;
  Status s = NewMapOperator(o, &op);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return {s, "", {}, {}, {}};
  return RunOperator(op.get(), Lines(input), common);
}

const std::vector<std::string> kBaskets = {
    R"({"id":1,"tags":"a, b,c","items":[{"k":1},{"k":2}]})",
    R"({"id":2,"tags":null,"items":[]})",
    R"({"id":3,"items":"not an array"})",
};

TEST(MapExplodeTest, AFieldIsReplacedByEachElement) {
  MapOptions o;
  o.explode = "items";
  StageRun r = MapWith(o, kBaskets);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({
                        R"({"id":1,"tags":"a, b,c","items":{"k":1}})",
                        R"({"id":1,"tags":"a, b,c","items":{"k":2}})",
                    }))
      << "an empty array, null and a non-array give no record, as Spark's explode";
}

TEST(MapExplodeTest, SplitWithANameThenSelect) {
  MapOptions o;
  o.where = "id < 3";
  o.explode = "split(tags, ',') AS tag";
  o.select = "id, trim(tag) AS tag, upper(tag) = tag AS same";
  StageRun r = MapWith(o, kBaskets);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({
                        R"({"id":1,"tag":"a","same":false})",
                        R"({"id":1,"tag":"b","same":false})",
                        R"({"id":1,"tag":"c","same":false})",
                    }));
}

TEST(MapExplodeTest, AnExpressionWithoutANameIsCol) {
  MapOptions o;
  o.explode = "from_json('[10, 20]')";
  o.select = "id, col * 2 AS twice";
  StageRun r = MapWith(o, {R"({"id":7})"});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({R"({"id":7,"twice":20})", R"({"id":7,"twice":40})"}));
}

TEST(MapExplodeTest, ControlSignalsStayInPlaceAndOptionErrorsAreNamed) {
  MapOptions o;
  o.explode = "items";
  StageRun r = MapWith(o, {kBaskets[0], Tick(0), kBaskets[0]});
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.lines.size(), 7u) << "2 records, TICK 0, 2 records, TICK 1 at the end, END";
  EXPECT_EQ(r.lines[2], Tick(0));
  std::unique_ptr<Operator> op;
  o.explode = "a, b";
  EXPECT_TRUE(testing_util::FailsWith(NewMapOperator(o, &op), "--explode takes one expression"));
  o.explode = "a +";
  EXPECT_TRUE(testing_util::FailsWith(NewMapOperator(o, &op), "--explode: column 4"));
}

TEST(MapStrictTest, TypeErrorsAreBadRecordsOnlyInStrictMode) {
  MapOptions o;
  o.select = "id, price * 2 AS p";
  const std::vector<std::string> in = {R"({"id":1,"price":"2.5"})", R"({"id":2,"price":"n/a"})",
                                       R"({"id":3})"};
  StageRun lenient = MapWith(o, in);
  ASSERT_TRUE(lenient.status.ok());
  EXPECT_EQ(lenient.data, std::vector<std::string>(
                              {R"({"id":1,"p":5})", R"({"id":2})", R"({"id":3})"}));
  o.strict = true;
  StageRun failing = MapWith(o, in);
  ASSERT_FALSE(failing.status.ok());
  EXPECT_EQ(failing.status.message(),
            "memory: line 2: --select: 'n/a' (string) is not a number, for *");
  CommonOptions skip;
  skip.bad_records = "skip";
  StageRun skipped = MapWith(o, in, skip);
  ASSERT_TRUE(skipped.status.ok());
  EXPECT_EQ(skipped.data, std::vector<std::string>({R"({"id":1,"p":5})", R"({"id":3})"}))
      << "a missing field is null, not a type error";
  o.select.clear();
  o.where = "CAST(price AS DOUBLE) > 1";
  StageRun where = MapWith(o, in, skip);
  EXPECT_EQ(where.data, std::vector<std::string>({in[0]}));
}

}  // namespace
}  // namespace sstream
