// The field index of binary DATA frames: built where records enter sstream
// (the validator, the YSB generator) or are rebuilt (map, join), checked by
// the reader, and used by RecordScanner instead of parsing.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sstream/frame.h"
#include "sstream/io.h"
#include "sstream/join.h"
#include "sstream/map.h"
#include "sstream/record.h"
#include "sstream/ysb.h"
#include "stage_harness.h"

namespace sstream {
namespace {

using testing_util::RunOperator;
using testing_util::StageRun;
using testing_util::TempDir;

std::string Padded(std::string_view s) { return std::string(s) + std::string(64, '\0'); }

// The (key, value) pairs an index lists, as text.
std::vector<std::pair<std::string, std::string>> Listed(const Frame& f) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < f.field_count(); ++i) {
    FieldSpan s = f.field(i);
    out.emplace_back(std::string(f.json.substr(s.key_off, s.key_len)),
                     std::string(f.json.substr(s.val_off, s.val_len)));
  }
  return out;
}

// The same pairs found by parsing.
std::vector<std::pair<std::string, std::string>> Parsed(std::string_view json) {
  RecordScanner scanner({});
  scanner.set_collect_all(true);
  EXPECT_TRUE(scanner.ScanCopy(json).ok()) << json;
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : scanner.fields()) out.emplace_back(std::string(k), std::string(v));
  return out;
}

TEST(FieldIndexTest, ValidatorListsExactlyTheFieldsAParseFinds) {
  const std::vector<std::string> records = {
      R"({"a":1,"b":"x"})",
      R"({ "a" : [1, {"b":2}] , "c":"x\"y" ,"d":null } )",
      R"({"k\"q":{"n":{}},"e":[],"f":-1.5e3,"g":true})",
      R"({})",
      "{\"t\":\"tab\\there\"\n,\n\"u\" :\t\"v\"}",
  };
  JsonValidator v;
  FieldIndexBuilder index;
  for (const auto& r : records) {
    std::string p = Padded(r);
    ASSERT_TRUE(v.ValidateObject(std::string_view(p.data(), r.size()), &index).ok()) << r;
    Frame f;
    f.json = r;
    f.field_index = index.bytes();
    EXPECT_EQ(Listed(f), Parsed(r)) << r;
  }
}

// issue-10: numbers out of a double's or an int64's range are valid JSON: the
// source accepts them as every other stage does, and passes them as written.
TEST(FieldIndexTest, Issue10OutOfRangeNumbersAreValidJson) {
  JsonValidator v;
  FieldIndexBuilder index;
  for (std::string r : {R"({"x":1e400})", R"({"x":99999999999999999999999})", R"({"x":-1E-400})",
                        R"({"x":[123456789012345678901234567890, 1e999], "y":2})"}) {
    std::string p = Padded(r);
    EXPECT_TRUE(v.ValidateObject(std::string_view(p.data(), r.size()), &index).ok()) << r;
  }
}

TEST(FieldIndexTest, ValidatorRejectsWhatIsNotAValidObject) {
  JsonValidator v;
  for (std::string bad : {R"({"a":01})", R"({"a":1.})", R"({"a":-})", R"({"a":.5})",
                          R"({"a":+1})", R"({"a":1e+})", R"({"a":tru})", R"({"a":1e})",
                          R"({"a":nul})", R"([1,2])", "not json", R"({"a":"\x"})",
                          R"({"a":[1,}])", R"({"a":1} x)"}) {
    std::string p = Padded(bad);
    EXPECT_FALSE(v.ValidateObject(std::string_view(p.data(), bad.size())).ok()) << bad;
  }
  std::string p = Padded("[1,2]");
  EXPECT_EQ(v.ValidateObject(std::string_view(p.data(), 5)).message(), "record is not a JSON object");
  p = Padded("not json");
  EXPECT_NE(v.ValidateObject(std::string_view(p.data(), 8)).message().find("invalid JSON"),
            std::string::npos);
}

TEST(FieldIndexTest, GeneratorIndexMatchesItsText) {
  YsbGenerator gen(7, 0, 1000, 0);
  for (int i = 0; i < 50; ++i) {
    std::string json;
    int64_t t;
    FieldIndexBuilder index;
    gen.Next(&json, &t, &index);
    Frame f;
    f.json = json;
    f.field_index = index.bytes();
    ASSERT_EQ(f.field_count(), 7u);
    EXPECT_EQ(Listed(f), Parsed(json));
  }
}

TEST(FieldIndexTest, ReaderReturnsTheIndexAndScannerUsesItWithoutParsing) {
  // The record text is deliberately not JSON: only the index can find "b".
  std::string json = "<a=1|b=two>";
  FieldIndexBuilder index;
  index.Add(1, 1, 3, 1);
  index.Add(5, 1, 7, 3);
  MemorySource src(testing_util::Binary({{json, std::string(index.bytes())}}));
  FrameReader reader(&src);
  Frame f;
  Status st;
  ASSERT_EQ(reader.Next(&f, -1, &st), FrameReader::Result::kFrame) << st.ToString();
  EXPECT_EQ(f.json, json);
  ASSERT_EQ(f.field_count(), 2u);
  RecordScanner scanner({"b", "a", "missing"});
  ASSERT_TRUE(scanner.Scan(f).ok());
  EXPECT_EQ(scanner.value(0), "two");
  EXPECT_EQ(scanner.value(1), "1");
  EXPECT_EQ(scanner.value(2), "");
}

TEST(FieldIndexTest, AnIndexPointingOutsideTheRecordIsADamagedFrame) {
  FieldIndexBuilder index;
  index.Add(1, 1, 3, 50);  // value runs past the end
  MemorySource src(
      testing_util::Binary({{R"({"a":1})", std::string(index.bytes())}, {R"({"b":2})", ""}}));
  FrameReader reader(&src);
  Frame f;
  Status st;
  ASSERT_EQ(reader.Next(&f, -1, &st), FrameReader::Result::kBadInput);
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(st.message().find("field index"), std::string::npos);
  EXPECT_FALSE(reader.fatal());
  ASSERT_EQ(reader.Next(&f, -1, &st), FrameReader::Result::kFrame);
  EXPECT_EQ(f.json, R"({"b":2})");
  EXPECT_TRUE(f.field_index.empty());
}

TEST(FieldIndexTest, RecordsOf64KiBOrMoreGetNoIndex) {
  FieldIndexBuilder index;
  index.Add(1, 1, 5, 70000);
  EXPECT_TRUE(index.bytes().empty());
  index.Clear();
  index.Add(1, 1, 5, 10);
  EXPECT_EQ(index.bytes().size(), 8u);
}

TEST(FieldIndexTest, IndexIsDroppedInTheJsonWireFormat) {
  FieldIndexBuilder index;
  index.Add(2, 1, 5, 1);
  MemorySink sink;
  FrameWriter w(&sink, WireFormat::kJson);
  ASSERT_TRUE(w.WriteData(R"({"a":1})", false, 0, index.bytes()).ok());
  ASSERT_TRUE(w.Flush().ok());
  EXPECT_EQ(sink.contents(), "{\"a\":1}\n");
}

// Map and join rebuild the index of what they write; it must describe their
// output exactly as a parse would.
// Reads binary output and checks every data frame's index against a parse of
// its record; returns how many data frames there were.
size_t CheckIndexes(const std::string& bytes) {
  MemorySource src(bytes);
  FrameReader reader(&src);
  Frame f;
  Status st;
  size_t n = 0;
  while (reader.Next(&f, -1, &st) == FrameReader::Result::kFrame) {
    if (f.type != FrameType::kData) continue;
    ++n;
    EXPECT_GT(f.field_count(), 0u) << "an indexed input gives an indexed output: " << f.json;
    EXPECT_EQ(Listed(f), Parsed(f.json)) << f.json;
  }
  return n;
}

std::string IndexedInput(int n) {
  MemorySink sink;
  FrameWriter w(&sink, WireFormat::kBinary);
  YsbGenerator gen(3, 0, 1000, 0);
  for (int i = 0; i < n; ++i) {
    std::string json;
    int64_t t;
    FieldIndexBuilder index;
    gen.Next(&json, &t, &index);
    EXPECT_TRUE(w.WriteData(json, false, 0, index.bytes()).ok());
  }
  EXPECT_TRUE(w.WriteTick(0).ok());
  EXPECT_TRUE(w.WriteEnd().ok());
  return sink.contents();
}

TEST(FieldIndexTest, MapOutputIsIndexedLikeAParse) {
  MapOptions o;
  o.where = "event_type = 'view' OR event_type = 'click'";
  o.select = "*, ad_id AS `a\"d`, 5 > 3 AS flag";
  std::unique_ptr<Operator> op;
  ASSERT_TRUE(NewMapOperator(o, &op).ok());
  CommonOptions common;
  common.wire = "binary";
  StageRun r = RunOperator(op.get(), IndexedInput(40), common);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  // The rows the filter keeps, counted on the generated text itself.
  size_t want = 0;
  YsbGenerator gen(3, 0, 1000, 0);
  for (int i = 0; i < 40; ++i) {
    std::string json;
    int64_t t;
    gen.Next(&json, &t);
    want += json.find("\"event_type\": \"view\"") != std::string::npos ||
            json.find("\"event_type\": \"click\"") != std::string::npos;
  }
  ASSERT_GT(want, 0u);
  EXPECT_EQ(CheckIndexes(r.output), want);
}

TEST(FieldIndexTest, JoinOutputIsIndexedLikeAParse) {
  TempDir dir;
  std::string csv = "ad_id,campaign_id,name\n";
  for (int ad = 0; ad < YsbGenerator::kAds; ++ad) {
    csv += YsbGenerator::AdId(ad) + "," + YsbGenerator::CampaignId(ad / 10) + ",\"c\"\"" +
           std::to_string(ad) + "\"\n";
  }
  std::string table = dir.Write("campaigns.csv", csv);
  JoinOptions o;
  o.static_path = table;
  o.on = {"ad_id"};
  std::unique_ptr<Operator> op;
  ASSERT_TRUE(NewJoinOperator(o, &op).ok());
  CommonOptions common;
  common.wire = "binary";
  StageRun r = RunOperator(op.get(), IndexedInput(40), common);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(CheckIndexes(r.output), 40u);
}

}  // namespace
}  // namespace sstream
