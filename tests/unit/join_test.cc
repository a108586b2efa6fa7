// Stream-static join (join.h): CSV/TSV/NDJSON static tables and the join
// operator run through RunStage.
#include "sstream/join.h"

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
using testing_util::TempDir;

using Row = std::vector<std::string>;

StaticTable Parse(std::string_view text, char delim = ',') {
  StaticTable t;
  Status s = ParseDelimited(text, delim, "t.csv", &t);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return t;
}

Status ParseError(std::string_view text) {
  StaticTable t;
  return ParseDelimited(text, ',', "t.csv", &t);
}

// ---- ParseDelimited (RFC 4180) ----

TEST(ParseDelimitedTest, HeaderAndRows) {
  StaticTable t = Parse("id,name\n1,ann\n2,bob\n");
  EXPECT_EQ(t.columns, Row({"id", "name"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0], Row({"\"1\"", "\"ann\""})) << "values are JSON strings";
  EXPECT_EQ(t.rows[1], Row({"\"2\"", "\"bob\""}));
}

TEST(ParseDelimitedTest, Quoting) {
  StaticTable t = Parse(
      "id,text\n"
      "1,\"a, b\"\n"
      "2,\"say \"\"hi\"\"\"\n"
      "3,\"multi\nline\"\n"
      "4,\"\"\n"
      "5,\"\"\"\"\n");
  ASSERT_EQ(t.rows.size(), 5u);
  EXPECT_EQ(t.rows[0][1], "\"a, b\"");
  EXPECT_EQ(t.rows[1][1], "\"say \\\"hi\\\"\"");
  EXPECT_EQ(t.rows[2][1], "\"multi\\nline\"");
  EXPECT_EQ(t.rows[3][1], "\"\"") << "a quoted empty field is an empty string, not null";
  EXPECT_EQ(t.rows[4][1], "\"\\\"\"");
}

TEST(ParseDelimitedTest, EmptyFieldsAreNull) {
  StaticTable t = Parse("a,b,c\n1,,3\n,,\n");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0], Row({"\"1\"", "null", "\"3\""}));
  EXPECT_EQ(t.rows[1], Row({"null", "null", "null"}));
}

TEST(ParseDelimitedTest, CrlfBomBlankLinesAndNoFinalNewline) {
  StaticTable t = Parse("\xEF\xBB\xBFid,name\r\n1,\"ann\"\r\n\r\n\n2,bob\r\n3,cy");
  EXPECT_EQ(t.columns, Row({"id", "name"})) << "the byte-order mark is not part of the name";
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0], Row({"\"1\"", "\"ann\""}));
  EXPECT_EQ(t.rows[1], Row({"\"2\"", "\"bob\""}));
  EXPECT_EQ(t.rows[2], Row({"\"3\"", "\"cy\""}));
}

TEST(ParseDelimitedTest, CrlfInsideQuotesIsKept) {
  StaticTable t = Parse("a,b\r\n\"x\r\ny\",z\r\n");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0][0], "\"x\\r\\ny\"");
  EXPECT_EQ(t.rows[0][1], "\"z\"");
}

TEST(ParseDelimitedTest, Tabs) {
  StaticTable t = Parse("a\tb\n1,5\tx y\n", '\t');
  EXPECT_EQ(t.columns, Row({"a", "b"}));
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0], Row({"\"1,5\"", "\"x y\""}));
}

TEST(ParseDelimitedTest, HeaderOnly) {
  StaticTable t = Parse("a,b\n");
  EXPECT_EQ(t.columns, Row({"a", "b"}));
  EXPECT_TRUE(t.rows.empty());
}

TEST(ParseDelimitedTest, WrongFieldCountNamesTheLine) {
  Status s = ParseError("a,b\n1,2\n3\n");
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "t.csv: line 3: expected 2 fields, found 1");
  // Lines count the newlines inside quoted fields.
  s = ParseError("a,b\n1,\"x\ny\"\n2,3,4\n");
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "t.csv: line 4: expected 2 fields, found 3");
  // Blank lines count too.
  s = ParseError("a,b\n\n\n1\n");
  EXPECT_NE(s.message().find("line 4"), std::string::npos) << s.message();
}

TEST(ParseDelimitedTest, Errors) {
  EXPECT_NE(ParseError("").message().find("no header line"), std::string::npos);
  EXPECT_NE(ParseError("\n\n").message().find("no header line"), std::string::npos);
  EXPECT_NE(ParseError("\xEF\xBB\xBF").message().find("no header line"), std::string::npos);
  EXPECT_NE(ParseError("a,,b\n").message().find("empty column name"), std::string::npos);
  Status s = ParseError("a,b\n1,\"open\n2,3\n");
  EXPECT_NE(s.message().find("line 2: unterminated quoted field"), std::string::npos)
      << s.message();
  s = ParseError("a,b\n\"x\"y,2\n");
  EXPECT_NE(s.message().find("line 2: unexpected character after a quoted field"),
            std::string::npos)
      << s.message();
  s = ParseError("a,b\n1,\xff\n");
  EXPECT_NE(s.message().find("invalid UTF-8"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().rfind("t.csv: ", 0), 0u) << "errors name the file";
}

// ---- LoadStaticTable ----

TEST(LoadStaticTableTest, FormatsByExtensionAndContent) {
  TempDir dir;
  StaticTable t;
  ASSERT_TRUE(LoadStaticTable(dir.Write("a.csv", "x,y\n1,2\n"), "auto", &t).ok());
  EXPECT_EQ(t.columns, Row({"x", "y"}));
  ASSERT_TRUE(LoadStaticTable(dir.Write("a.tsv", "x\ty\n1\t2\n"), "auto", &t).ok());
  EXPECT_EQ(t.rows[0], Row({"\"1\"", "\"2\""}));
  ASSERT_TRUE(LoadStaticTable(dir.Write("a.txt", "x;y\n"), "auto", &t).ok());
  EXPECT_EQ(t.columns, Row({"x;y"})) << "no extension, not JSON: CSV";
  ASSERT_TRUE(LoadStaticTable(dir.Write("b.txt", "x\ty\n"), "tsv", &t).ok());
  EXPECT_EQ(t.columns, Row({"x", "y"}));
  EXPECT_TRUE(LoadStaticTable(dir.Write("c.csv", "x\n"), "xml", &t).IsInvalidArgument());
  Status missing = LoadStaticTable(dir.File("none.csv"), "auto", &t);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound) << missing.ToString();
}

TEST(LoadStaticTableTest, NdjsonColumnsAreTheUnionOfKeys) {
  TempDir dir;
  std::string path = dir.Write("t.ndjson",
                               "{\"id\":1,\"v\":\"a\"}\n"
                               "\n"
                               "{\"@sstream\":\"tick\",\"epoch\":0}\n"
                               "{\"id\":2,\"v\":{\"n\":[1, 2]},\"w\":true}\r\n"
                               "{\"id\":3}\n");
  StaticTable t;
  ASSERT_TRUE(LoadStaticTable(path, "auto", &t).ok());
  EXPECT_EQ(t.columns, Row({"id", "v", "w"}));
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0], Row({"1", "\"a\"", "null"}));
  EXPECT_EQ(t.rows[1], Row({"2", "{\"n\":[1, 2]}", "true"}));
  EXPECT_EQ(t.rows[2], Row({"3", "null", "null"}));
}

TEST(LoadStaticTableTest, NdjsonErrorsNameTheLine) {
  TempDir dir;
  StaticTable t;
  Status s = LoadStaticTable(dir.Write("t.json", "{\"id\":1}\n{\"id\":\n"), "json", &t);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("t.json: line 2"), std::string::npos) << s.message();
}

// ---- the join operator ----

struct Joined {
  Status init;
  StageRun run;
};

Joined Join(const JoinOptions& o, const std::vector<std::string>& input,
            const CommonOptions& common = CommonOptions()) {
  std::unique_ptr<Operator> op;
  Joined j;
  j.init = NewJoinOperator(o, &op);
  if (j.init.ok()) j.run = RunOperator(op.get(), Lines(input), common);
  return j;
}

const char kCampaigns[] =
    "ad_id,campaign_id,owner\n"
    "1,c1,ann\n"
    "2,c2,bob\n"
    "2,c2b,cy\n"
    ",cnull,nobody\n"
    "42,c42,\n";

class JoinOperatorTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = dir_.Write("campaigns.csv", kCampaigns); }
  JoinOptions Options(const std::string& how = "inner") {
    JoinOptions o;
    o.static_path = path_;
    o.on = {"ad_id"};
    o.how = how;
    return o;
  }
  TempDir dir_;
  std::string path_;
};

TEST_F(JoinOperatorTest, InnerJoinAppendsStaticColumns) {
  Joined j =
      Join(Options(), {R"({"ad_id":"1","x":1})", R"({"ad_id":"9"})", R"({ "ad_id" : "1" } )"});
  ASSERT_TRUE(j.init.ok()) << j.init.ToString();
  ASSERT_TRUE(j.run.status.ok()) << j.run.status.ToString();
  EXPECT_EQ(j.run.data, std::vector<std::string>({
                            R"({"ad_id":"1","x":1,"campaign_id":"c1","owner":"ann"})",
                            R"({ "ad_id" : "1" ,"campaign_id":"c1","owner":"ann"})",
                        }))
      << "unmatched records are dropped by an inner join";
}

TEST_F(JoinOperatorTest, NumbersMatchTheirText) {
  Joined j = Join(Options(), {R"({"ad_id":42})", R"({"ad_id":1,"n":true})", R"({"ad_id":42.0})"});
  ASSERT_TRUE(j.run.status.ok()) << j.run.status.ToString();
  EXPECT_EQ(j.run.data, std::vector<std::string>({
                            R"({"ad_id":42,"campaign_id":"c42","owner":null})",
                            R"({"ad_id":1,"n":true,"campaign_id":"c1","owner":"ann"})",
                        }))
      << "\"42\" = 42 by text; 42.0 is other text";
}

TEST_F(JoinOperatorTest, SeveralStaticRowsGiveSeveralOutputs) {
  Joined j = Join(Options(), {R"({"ad_id":2})"});
  ASSERT_TRUE(j.run.status.ok());
  EXPECT_EQ(j.run.data, std::vector<std::string>({
                            R"({"ad_id":2,"campaign_id":"c2","owner":"bob"})",
                            R"({"ad_id":2,"campaign_id":"c2b","owner":"cy"})",
                        }));
}

TEST_F(JoinOperatorTest, NullKeysNeverMatch) {
  // The static row with an empty (null) ad_id matches nothing, not even a
  // record whose key is null or missing.
  Joined inner = Join(Options(), {R"({"ad_id":null})", R"({"other":1})", R"({"ad_id":""})"});
  ASSERT_TRUE(inner.run.status.ok());
  EXPECT_TRUE(inner.run.data.empty()) << inner.run.output;
  Joined left = Join(Options("left"), {R"({"ad_id":null})", R"({"other":1})", "{}", " { } "});
  ASSERT_TRUE(left.run.status.ok()) << left.run.status.ToString();
  EXPECT_EQ(left.run.data, std::vector<std::string>({
                               R"({"ad_id":null,"campaign_id":null,"owner":null})",
                               R"({"other":1,"campaign_id":null,"owner":null})",
                               R"({"campaign_id":null,"owner":null})",
                               R"( { "campaign_id":null,"owner":null})",
                           }));
}

TEST_F(JoinOperatorTest, LeftJoinKeepsUnmatched) {
  Joined j = Join(Options("left"), {R"({"ad_id":"9","x":1})", R"({"ad_id":"1"})"});
  ASSERT_TRUE(j.run.status.ok());
  EXPECT_EQ(j.run.data, std::vector<std::string>({
                            R"({"ad_id":"9","x":1,"campaign_id":null,"owner":null})",
                            R"({"ad_id":"1","campaign_id":"c1","owner":"ann"})",
                        }));
}

TEST_F(JoinOperatorTest, StaticColumnReplacesTheRecordField) {
  Joined j = Join(Options(), {R"({"owner":"old","ad_id":"1","z":[1, 2]})"});
  ASSERT_TRUE(j.run.status.ok()) << j.run.status.ToString();
  EXPECT_EQ(j.run.data, std::vector<std::string>(
                            {R"({"ad_id":"1","z":[1, 2],"campaign_id":"c1","owner":"ann"})"}));
}

TEST_F(JoinOperatorTest, MultiKeyAndRenamedKeys) {
  std::string path = dir_.Write("multi.csv", "a,b,v\n1,x,one\n1,y,two\n2,x,three\n");
  JoinOptions o;
  o.static_path = path;
  o.on = {"sa=a, b"};
  Joined j = Join(
      o, {R"({"sa":1,"b":"y"})", R"({"sa":"2","b":"x"})", R"({"sa":1,"b":"z"})", R"({"sa":1})"});
  ASSERT_TRUE(j.init.ok()) << j.init.ToString();
  ASSERT_TRUE(j.run.status.ok());
  EXPECT_EQ(j.run.data, std::vector<std::string>({
                            R"({"sa":1,"b":"y","a":"1","v":"two"})",
                            R"({"sa":"2","b":"x","a":"2","v":"three"})",
                        }));
  // The same keys given as two --on values.
  o.on = {"sa=a", "b"};
  Joined k = Join(o, {R"({"sa":1,"b":"x"})"});
  ASSERT_TRUE(k.run.status.ok());
  EXPECT_EQ(k.run.data, std::vector<std::string>({R"({"sa":1,"b":"x","a":"1","v":"one"})"}));
}

TEST_F(JoinOperatorTest, NdjsonStaticTable) {
  std::string path = dir_.Write("users.ndjson",
                                "{\"uid\":7,\"profile\":{\"age\":30},\"tags\":[\"a\"]}\n"
                                "{\"uid\":\"8\",\"profile\":null}\n");
  JoinOptions o;
  o.static_path = path;
  o.on = {"uid"};
  Joined j = Join(o, {R"({"uid":"7"})", R"({"uid":8})"});
  ASSERT_TRUE(j.init.ok()) << j.init.ToString();
  ASSERT_TRUE(j.run.status.ok());
  EXPECT_EQ(j.run.data, std::vector<std::string>({
                            R"({"uid":"7","profile":{"age":30},"tags":["a"]})",
                            R"({"uid":8,"profile":null,"tags":null})",
                        }))
      << "JSON values are copied raw; a missing column is null";
}

TEST_F(JoinOperatorTest, BadRecordsFollowThePolicy) {
  Joined fail = Join(Options(), {R"({"ad_id":"1"})", "{\"ad_id\":", R"({"ad_id":"2"})"});
  ASSERT_TRUE(fail.run.status.IsInvalidArgument());
  EXPECT_EQ(fail.run.status.message().rfind("memory: line 2: ", 0), 0u)
      << fail.run.status.message();
  CommonOptions skip;
  skip.bad_records = "skip";
  Joined j = Join(Options(), {R"({"ad_id":"1"})", "[1]", R"({"ad_id":"1"})"}, skip);
  ASSERT_TRUE(j.run.status.ok());
  EXPECT_EQ(j.run.data.size(), 2u);
}

TEST_F(JoinOperatorTest, EventTimeTravelsWithTheRecord) {
  std::unique_ptr<Operator> op;
  ASSERT_TRUE(NewJoinOperator(Options(), &op).ok());
  MemorySink in;
  {
    FrameWriter w(&in, WireFormat::kBinary);
    ASSERT_TRUE(w.WriteData(R"({"ad_id":"2"})", true, 777).ok());
    ASSERT_TRUE(w.WriteEnd().ok());
  }
  CommonOptions common;
  common.wire = "binary";
  StageRun r = RunOperator(op.get(), in.contents(), common);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  MemorySource src(r.output);
  FrameReader reader(&src);
  Frame f;
  Status st;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(reader.Next(&f, 0, &st), FrameReader::Result::kFrame);
    EXPECT_TRUE(f.has_event_time);
    EXPECT_EQ(f.event_time, 777);
  }
}

TEST_F(JoinOperatorTest, RecordsEndingInAnyJsonWhitespace) {
  // Binary frames carry the record text as written, trailing newline and all.
  std::unique_ptr<Operator> op;
  ASSERT_TRUE(NewJoinOperator(Options("left"), &op).ok());
  MemorySink in;
  {
    FrameWriter w(&in, WireFormat::kBinary);
    ASSERT_TRUE(w.WriteData("{\"ad_id\":\"1\"}\n").ok());
    ASSERT_TRUE(w.WriteData("{\"ad_id\":\"9\"} \r\n\t").ok());
    ASSERT_TRUE(w.WriteData("{}\r\n").ok());
    ASSERT_TRUE(w.WriteEnd().ok());
  }
  StageRun r = RunOperator(op.get(), in.contents());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>({
                        R"({"ad_id":"1","campaign_id":"c1","owner":"ann"})",
                        R"({"ad_id":"9","campaign_id":null,"owner":null})",
                        R"({"campaign_id":null,"owner":null})",
                    }));
}

TEST_F(JoinOperatorTest, EscapedKeysMatchTheirText) {
  Joined j = Join(Options(), {R"({"ad_id":"\u0031"})"});
  ASSERT_TRUE(j.run.status.ok());
  EXPECT_EQ(j.run.data,
            std::vector<std::string>({R"({"ad_id":"\u0031","campaign_id":"c1","owner":"ann"})"}));
}

TEST_F(JoinOperatorTest, OptionErrors) {
  std::unique_ptr<Operator> op;
  JoinOptions o = Options();
  o.on = {"nope"};
  Status s = NewJoinOperator(o, &op);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no column 'nope' (columns: ad_id, campaign_id, owner)"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(ExitCodeFor(s), kExitUsage);
  o.on = {};
  EXPECT_NE(NewJoinOperator(o, &op).message().find("--on"), std::string::npos);
  o.on = {" , "};
  EXPECT_NE(NewJoinOperator(o, &op).message().find("--on"), std::string::npos);
  o = Options("outer");
  s = NewJoinOperator(o, &op);
  EXPECT_NE(s.message().find("unknown join type 'outer'"), std::string::npos);
  EXPECT_EQ(ExitCodeFor(s), kExitUsage);
  o = Options();
  o.static_path.clear();
  EXPECT_NE(NewJoinOperator(o, &op).message().find("--static"), std::string::npos);
  o.static_path = dir_.File("missing.csv");
  EXPECT_EQ(NewJoinOperator(o, &op).code(), StatusCode::kNotFound);
  o.static_path = dir_.Write("bad.csv", "a,b\n1\n");
  s = NewJoinOperator(o, &op);
  EXPECT_NE(s.message().find("line 2"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace sstream
