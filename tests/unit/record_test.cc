// Records read in place (record.h): RecordScanner, JSON string and number
// helpers, event times.
#include "sstream/record.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace sstream {
namespace {

// ---- RecordScanner ----

TEST(RecordScannerTest, FindsTopLevelAndNestedPaths) {
  RecordScanner s({"a", "b.c", "`x.y`.z", "missing", "arr", "b.e.f", "b"});
  ASSERT_TRUE(s.ScanCopy("{\"a\":\"str\",\"b\":{\"c\":12.5,\"e\":{\"f\":true}},"
                         "\"x.y\":{\"z\":[1,2]},\"arr\":[1,{\"k\":null}]}")
                  .ok());
  ASSERT_EQ(s.size(), 7u);
  EXPECT_EQ(s.value(0), "\"str\"");
  EXPECT_EQ(s.value(1), "12.5");
  EXPECT_EQ(s.value(2), "[1,2]");
  EXPECT_EQ(s.value(3), "");
  EXPECT_TRUE(s.value(3).empty());
  EXPECT_EQ(s.value(4), "[1,{\"k\":null}]");
  EXPECT_EQ(s.value(5), "true");
  EXPECT_EQ(s.value(6), "{\"c\":12.5,\"e\":{\"f\":true}}");
}

TEST(RecordScannerTest, ValuesAreRawAndTrimmedWithWhitespaceInside) {
  RecordScanner s({"a", "b", "c", "d", "e", "n"});
  ASSERT_TRUE(s.ScanCopy("  { \"a\" : \"x y\" , \"b\" : [ 1 , 2 ] ,\n\t\"c\" : { \"k\" : 1 } ,"
                         " \"d\" : -1.5e3 , \"e\" : false , \"n\" : null }  ")
                  .ok());
  EXPECT_EQ(s.value(0), "\"x y\"");
  EXPECT_EQ(s.value(1), "[ 1 , 2 ]");
  EXPECT_EQ(s.value(2), "{ \"k\" : 1 }");
  EXPECT_EQ(s.value(3), "-1.5e3");
  EXPECT_EQ(s.value(4), "false");
  EXPECT_EQ(s.value(5), "null");
  EXPECT_EQ(KindOfRaw(s.value(5)), JsonKind::kNull);
}

TEST(RecordScannerTest, StringsKeepTheirEscapes) {
  RecordScanner s({"a"});
  ASSERT_TRUE(s.ScanCopy(R"({"a":"q\"x\\y\u00e9"})").ok());
  EXPECT_EQ(s.value(0), R"("q\"x\\y\u00e9")");
  std::string scratch;
  std::string_view text;
  ASSERT_TRUE(StringContent(s.value(0), &scratch, &text).ok());
  EXPECT_EQ(text, "q\"x\\y\xC3\xA9");
}

TEST(RecordScannerTest, NestedMissingOrNotAnObject) {
  RecordScanner s({"a.b", "c.d", "e.f.g", "h.i"});
  ASSERT_TRUE(s.ScanCopy("{\"a\":5,\"c\":{\"x\":1},\"e\":{\"f\":\"str\"},\"h\":[{\"i\":1}]}").ok());
  for (size_t i = 0; i < s.size(); ++i) EXPECT_TRUE(s.value(i).empty()) << i << ": " << s.value(i);
}

TEST(RecordScannerTest, KeysWithSpecialCharacters) {
  RecordScanner s({"`odd name`", "q\"k", "`a.b`"});
  ASSERT_TRUE(s.ScanCopy(R"({"odd name":1,"q\"k":2,"a.b":3})").ok());
  EXPECT_EQ(s.value(0), "1");
  EXPECT_EQ(s.value(1), "2");
  EXPECT_EQ(s.value(2), "3");
}

TEST(RecordScannerTest, NestedNamesWithDotsAndBackquotes) {
  RecordScanner s({"u.`x.y`", "u.`a``b`.c", "u.x"});
  ASSERT_TRUE(s.ScanCopy(R"({"u":{"x.y":2,"a`b":{"c":3},"x":{"y":4}}})").ok());
  EXPECT_EQ(s.value(0), "2");
  EXPECT_EQ(s.value(1), "3");
  EXPECT_EQ(s.value(2), "{\"y\":4}");
}

TEST(RecordScannerTest, FirstOfDuplicateKeysWins) {
  RecordScanner s({"a"});
  ASSERT_TRUE(s.ScanCopy("{\"a\":1,\"a\":2}").ok());
  EXPECT_EQ(s.value(0), "1");
}

TEST(RecordScannerTest, SharedTopLevelSegments) {
  RecordScanner s({"u.name", "u.id", "u", "u.name"});
  ASSERT_TRUE(s.ScanCopy("{\"u\":{\"id\":7,\"name\":\"ann\"}}").ok());
  EXPECT_EQ(s.value(0), "\"ann\"");
  EXPECT_EQ(s.value(1), "7");
  EXPECT_EQ(s.value(2), "{\"id\":7,\"name\":\"ann\"}");
  EXPECT_EQ(s.value(3), "\"ann\"");
}

TEST(RecordScannerTest, RescanResetsValues) {
  RecordScanner s({"a", "b.c"});
  ASSERT_TRUE(s.ScanCopy("{\"a\":1,\"b\":{\"c\":2}}").ok());
  EXPECT_EQ(s.value(1), "2");
  ASSERT_TRUE(s.ScanCopy("{\"z\":1}").ok());
  EXPECT_TRUE(s.value(0).empty());
  EXPECT_TRUE(s.value(1).empty());
  ASSERT_TRUE(s.ScanCopy("{\"b\":{\"c\":\"x\"},\"a\":[]}").ok());
  EXPECT_EQ(s.value(0), "[]");
  EXPECT_EQ(s.value(1), "\"x\"");
}

TEST(RecordScannerTest, ScanInPlaceWithPadding) {
  std::string text = "{\"a\":42}";
  std::string padded = text + std::string(64, '\0');
  RecordScanner s({"a"});
  ASSERT_TRUE(s.Scan(std::string_view(padded.data(), text.size())).ok());
  EXPECT_EQ(s.value(0), "42");
}

TEST(RecordScannerTest, CollectAllListsTopLevelFieldsInOrder) {
  RecordScanner s({"b"});
  s.set_collect_all(true);
  ASSERT_TRUE(s.ScanCopy("{\"z\":1, \"b\" : [1, 2] ,\"a\":{\"x\":\"y\"},\"q\\\"k\":null}").ok());
  const auto& f = s.fields();
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0].first, "z");
  EXPECT_EQ(f[0].second, "1");
  EXPECT_EQ(f[1].first, "b");
  EXPECT_EQ(f[1].second, "[1, 2]");
  EXPECT_EQ(f[2].first, "a");
  EXPECT_EQ(f[2].second, "{\"x\":\"y\"}");
  EXPECT_EQ(f[3].first, "q\\\"k") << "names are raw, escapes kept";
  EXPECT_EQ(f[3].second, "null");
  EXPECT_EQ(s.value(0), "[1, 2]");
  // An empty object has no fields; fields are reset per scan.
  ASSERT_TRUE(s.ScanCopy("{}").ok());
  EXPECT_TRUE(s.fields().empty());
  EXPECT_TRUE(s.value(0).empty());
}

TEST(RecordScannerTest, CollectAllWithNoPaths) {
  RecordScanner s({});
  s.set_collect_all(true);
  ASSERT_TRUE(s.ScanCopy("{\"a\":1,\"b\":2}").ok());
  ASSERT_EQ(s.fields().size(), 2u);
  EXPECT_EQ(s.fields()[1].first, "b");
}

TEST(RecordScannerTest, KeysWithEscapesMatchTheirUnescapedNames) {
  // Keys are matched by length first and escapes are found eight bytes at a
  // time; an escaped spelling of a wanted name still finds it.
  RecordScanner s({"event", "a_long_field_name_x", "k"});
  ASSERT_TRUE(s.ScanCopy(R"({"ev\u0065nt":1,"a_long_field_name_x":2,"k\"":3,"k":4})").ok());
  EXPECT_EQ(s.value(0), "1");
  EXPECT_EQ(s.value(1), "2");
  EXPECT_EQ(s.value(2), "4") << "k\" is another key";
  ASSERT_TRUE(s.ScanCopy(R"({"eventX":1,"even":2,"event":3})").ok());
  EXPECT_EQ(s.value(0), "3") << "same prefix, other length";
  EXPECT_EQ(s.value(1), "");
}

TEST(RecordScannerTest, Errors) {
  struct Case {
    const char* json;
    const char* message;  // a part of the expected message
  };
  const Case cases[] = {
      {"{\"a\":}", "invalid JSON"},
      {"{\"a\":1", ""},
      {"{\"a\":1,}", ""},
      {"{a:1}", ""},
      {"{\"a\":\"\xff\"}", "UTF-8"},
      {"{\"b\":\"\xC3\x28\"}", "UTF-8"},
      {"[1,2]", "not a JSON object"},
      {"\"str\"", "not a JSON object"},
      {"12", "not a JSON object"},
      {"null", "not a JSON object"},
      {"{\"a\":1} x", "invalid JSON"},
      {"{\"a\":1}{\"b\":2}", ""},
      {"{\"a\":1}]", ""},
      {"", ""},
      {"   ", ""},
  };
  for (const auto& c : cases) {
    RecordScanner s({"a"});
    Status st = s.ScanCopy(c.json);
    EXPECT_TRUE(st.IsInvalidArgument()) << "accepted: " << c.json;
    EXPECT_NE(st.message().find(c.message), std::string::npos) << c.json << ": " << st.message();
  }
}

TEST(RecordScannerTest, ErrorsAfterTheWantedFieldsAreStillFound) {
  // The scanner may stop looking for fields early, but brackets and UTF-8
  // are still checked. (The insides of values it skips are not: {"b":tru}
  // and {"b":{"c" 1}} pass, a cost of On-Demand parsing; JsonValidator
  // checks everything where records enter.)
  for (const char* bad : {"{\"a\":1,\"b\":}", "{\"a\":1,\"b\":[1,}", "{\"a\":1,\"b\":\"\xff\"}",
                          "{\"a\":1,\"b\":2"}) {
    RecordScanner s({"a"});
    EXPECT_FALSE(s.ScanCopy(bad).ok()) << bad;
  }
}

// ---- JSON strings ----

std::string Content(std::string_view raw) {
  std::string scratch;
  std::string_view out;
  Status s = StringContent(raw, &scratch, &out);
  EXPECT_TRUE(s.ok()) << raw << ": " << s.ToString();
  return std::string(out);
}

TEST(StringContentTest, PlainStringsAreViews) {
  std::string raw = "\"hello\"";
  std::string scratch;
  std::string_view out;
  ASSERT_TRUE(StringContent(raw, &scratch, &out).ok());
  EXPECT_EQ(out, "hello");
  EXPECT_EQ(out.data(), raw.data() + 1) << "no copy without escapes";
  EXPECT_EQ(Content("\"\""), "");
}

TEST(StringContentTest, Escapes) {
  EXPECT_EQ(Content(R"("a\"b\\c\/d")"), "a\"b\\c/d");
  EXPECT_EQ(Content(R"("\n\t\r\b\f")"), "\n\t\r\b\f");
  EXPECT_EQ(Content(R"("\u0041\u00e9\u20AC")"), "A\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(Content(R"("\u0000x")"), std::string("\0x", 2));
  EXPECT_EQ(Content(R"("\ud83d\ude00")"), "\xF0\x9F\x98\x80");      // U+1F600 from a surrogate pair
  EXPECT_EQ(Content(R"("x\uD834\uDD1Ey")"), "x\xF0\x9D\x84\x9Ey");  // U+1D11E, upper-case hex
}

TEST(StringContentTest, UnpairedSurrogatesBecomeReplacementCharacters) {
  std::string lone_high = Content(R"("\ud83dx")");
  EXPECT_EQ(lone_high, "\xEF\xBF\xBDx");
  EXPECT_EQ(Content(R"("\ude00")"), "\xEF\xBF\xBD");
  EXPECT_EQ(Content(R"("\ud83d\u0041")"),
            "\xEF\xBF\xBD"
            "A");
  EXPECT_TRUE(IsValidUtf8(lone_high));
}

TEST(StringContentTest, Errors) {
  for (const char* bad : {"abc", "\"abc", "abc\"", "\"", "", R"("abc\")", R"("\x")", R"("\u12")",
                          R"("\u12G4")", "12", "null"}) {
    std::string scratch;
    std::string_view out;
    EXPECT_TRUE(StringContent(bad, &scratch, &out).IsInvalidArgument()) << bad;
  }
}

TEST(AppendJsonStringTest, Escaping) {
  std::string out;
  AppendJsonString(&out, "a\"b\\c\n\r\t\b\f\x01\x1f\x7f/\xC3\xA9");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\x7f/\xC3\xA9\"");
  out.clear();
  AppendJsonString(&out, "");
  EXPECT_EQ(out, "\"\"");
  out = "x:";
  AppendJsonString(&out, "plain");
  EXPECT_EQ(out, "x:\"plain\"") << "appends";
}

TEST(AppendJsonStringTest, RoundTripsThroughStringContent) {
  std::string all;
  for (int c = 1; c < 128; ++c) all.push_back(static_cast<char>(c));
  all += "\xE2\x82\xAC";
  std::string raw;
  AppendJsonString(&raw, all);
  EXPECT_EQ(Content(raw), all);
  RecordScanner s({"k"});
  ASSERT_TRUE(s.ScanCopy("{\"k\":" + raw + "}").ok()) << "the output is valid JSON";
  EXPECT_EQ(s.value(0), raw);
}

TEST(AppendJsonStringLossyTest, ValidInputUnchanged) {
  std::string a, b;
  AppendJsonString(&a, "caf\xC3\xA9 \"q\"");
  AppendJsonStringLossy(&b, "caf\xC3\xA9 \"q\"");
  EXPECT_EQ(a, b);
}

TEST(AppendJsonStringLossyTest, InvalidBytesBecomeReplacementCharacters) {
  std::string out;
  AppendJsonStringLossy(&out,
                        "a\xff"
                        "b");
  EXPECT_EQ(out,
            "\"a\xEF\xBF\xBD"
            "b\"");
  out.clear();
  AppendJsonStringLossy(&out, "\xE2\x82");  // a truncated 3-byte sequence
  EXPECT_EQ(out, "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  out.clear();
  AppendJsonStringLossy(&out, "\xC0\x80");  // an overlong NUL
  EXPECT_EQ(out, "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  for (std::string bad :
       {std::string("\x80\x80\x80"), std::string("x\xED\xA0\x80y"), std::string("\xF4\x90\x80\x80"),
        std::string("\"\xfe\n\x01", 4), std::string("ok\xF0\x9F\x98")}) {
    std::string json;
    AppendJsonStringLossy(&json, bad);
    EXPECT_TRUE(IsValidUtf8(json)) << json;
    RecordScanner s({"k"});
    EXPECT_TRUE(s.ScanCopy("{\"k\":" + json + "}").ok()) << json;
  }
}

TEST(Utf8Test, Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("abc\xC3\xA9\xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // an encoded surrogate
}

// ---- numbers ----

std::string Number(double v) {
  std::string out;
  AppendJsonNumber(&out, v);
  return out;
}

TEST(AppendJsonNumberTest, Forms) {
  EXPECT_EQ(Number(5.0), "5");
  EXPECT_EQ(Number(-3.0), "-3");
  EXPECT_EQ(Number(0.0), "0");
  EXPECT_EQ(Number(-0.0), "0");
  EXPECT_EQ(Number(1.5), "1.5");
  EXPECT_EQ(Number(0.1), "0.1");
  EXPECT_EQ(Number(-2.25), "-2.25");
  EXPECT_EQ(Number(123456789012.0), "123456789012");
  EXPECT_EQ(Number(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(Number(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(Number(-std::numeric_limits<double>::infinity()), "null");
  // Large and tiny values stay valid JSON numbers that read back exactly.
  for (double v : {1e20, -1e300, 9e15, 1.7976931348623157e308, 5e-324, 1.0 / 3.0}) {
    std::string s = Number(v);
    double back;
    ASSERT_TRUE(RawToDouble(s, &back)) << s;
    EXPECT_EQ(back, v) << s;
    RecordScanner sc({"n"});
    EXPECT_TRUE(sc.ScanCopy("{\"n\":" + s + "}").ok()) << s;
  }
}

TEST(RawNumberTest, Conversions) {
  double d;
  EXPECT_TRUE(RawToDouble("12.5", &d));
  EXPECT_EQ(d, 12.5);
  EXPECT_TRUE(RawToDouble("\"12.5\"", &d)) << "a string holding a number";
  EXPECT_EQ(d, 12.5);
  EXPECT_TRUE(RawToDouble("-1e3", &d));
  EXPECT_EQ(d, -1000);
  EXPECT_FALSE(RawToDouble("\"abc\"", &d));
  EXPECT_FALSE(RawToDouble("\"\"", &d));
  EXPECT_FALSE(RawToDouble("", &d));
  EXPECT_FALSE(RawToDouble("12abc", &d));
  EXPECT_FALSE(RawToDouble("true", &d));
  int64_t i;
  EXPECT_TRUE(RawToInt64("42", &i));
  EXPECT_EQ(i, 42);
  EXPECT_TRUE(RawToInt64("\"-7\"", &i));
  EXPECT_EQ(i, -7);
  EXPECT_TRUE(RawToInt64("9223372036854775807", &i));
  EXPECT_EQ(i, std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(RawToInt64("9223372036854775808", &i));
  EXPECT_FALSE(RawToInt64("4.2", &i));
  EXPECT_FALSE(RawToInt64("1e3", &i));
  EXPECT_FALSE(RawToInt64("", &i));
}

TEST(RawToInt64Test, AgreesWithFromCharsOnEveryLengthAndBadByte) {
  // The digit loop reads 8, then 4, then single digits: every length from 1
  // to 20, with a non-digit (or a byte just outside '0'..'9') at each place.
  std::mt19937_64 rng(11);
  for (size_t len = 1; len <= 20; ++len) {
    for (int round = 0; round < 200; ++round) {
      std::string text(len, '0');
      for (auto& c : text) c = static_cast<char>('0' + rng() % 10);
      if (round % 2 == 1) {
        const char bad[] = {'/', ':', 'a', ' ', '.', '-', '\xb0', '\0', 'p', '@'};
        text[rng() % len] = bad[rng() % sizeof(bad)];
      }
      int64_t want = 0, got = 0;
      auto r = std::from_chars(text.data(), text.data() + text.size(), want);
      const bool ok = r.ec == std::errc() && r.ptr == text.data() + text.size();
      ASSERT_EQ(RawToInt64(text, &got), ok) << text;
      if (ok) {
        ASSERT_EQ(got, want) << text;
      }
    }
  }
}

TEST(KindOfRawTest, Kinds) {
  EXPECT_EQ(KindOfRaw(""), JsonKind::kMissing);
  EXPECT_EQ(KindOfRaw("null"), JsonKind::kNull);
  EXPECT_EQ(KindOfRaw("true"), JsonKind::kBool);
  EXPECT_EQ(KindOfRaw("false"), JsonKind::kBool);
  EXPECT_EQ(KindOfRaw("-1"), JsonKind::kNumber);
  EXPECT_EQ(KindOfRaw("\"x\""), JsonKind::kString);
  EXPECT_EQ(KindOfRaw("{}"), JsonKind::kObject);
  EXPECT_EQ(KindOfRaw("[]"), JsonKind::kArray);
}

// ---- field paths ----

std::vector<std::string> Path(std::string_view text) {
  std::vector<std::string> segs;
  Status s = ParseFieldPath(text, &segs);
  EXPECT_TRUE(s.ok()) << text << ": " << s.ToString();
  return segs;
}

TEST(ParseFieldPathTest, Forms) {
  EXPECT_EQ(Path("a"), std::vector<std::string>({"a"}));
  EXPECT_EQ(Path("a.b.c"), std::vector<std::string>({"a", "b", "c"}));
  EXPECT_EQ(Path("`a.b`.c"), std::vector<std::string>({"a.b", "c"}));
  EXPECT_EQ(Path("x.`odd name`"), std::vector<std::string>({"x", "odd name"}));
  EXPECT_EQ(Path("`a``b`"), std::vector<std::string>({"a`b"}));
  for (const char* bad : {"", "a.", ".a", "a..b", "`a", "a.`b"}) {
    std::vector<std::string> segs;
    EXPECT_TRUE(ParseFieldPath(bad, &segs).IsInvalidArgument()) << bad;
  }
}

// ---- event times ----

constexpr int64_t kT = 1'767'323'045'000;  // 2026-01-02T03:04:05Z

TEST(EventTimeFromRawTest, NumbersAndStrings) {
  struct Case {
    const char* raw;
    TimeFormat fmt;
    int64_t ms;
    TimeFormat used;
  };
  const Case cases[] = {
      {"1767323045", TimeFormat::kAuto, kT, TimeFormat::kSeconds},
      {"1767323045123", TimeFormat::kAuto, kT + 123, TimeFormat::kMillis},
      {"1767323045.5", TimeFormat::kAuto, kT + 500, TimeFormat::kSeconds},
      {"1.767323045e9", TimeFormat::kAuto, kT, TimeFormat::kSeconds},
      {"1767323045123456", TimeFormat::kAuto, kT + 123, TimeFormat::kMicros},
      {"\"1767323045123\"", TimeFormat::kAuto, kT + 123, TimeFormat::kMillis},
      {"\"2026-01-02T03:04:05Z\"", TimeFormat::kAuto, kT, TimeFormat::kIso},
      {"\"2026-01-02 03:04:05.250+00:00\"", TimeFormat::kIso, kT + 250, TimeFormat::kIso},
      {"\"2026-01-02T03:04:05\\u005a\"", TimeFormat::kAuto, kT, TimeFormat::kIso},
      {"5000", TimeFormat::kMillis, 5'000, TimeFormat::kMillis},
      {"-1", TimeFormat::kAuto, -1'000, TimeFormat::kSeconds},
  };
  for (const auto& c : cases) {
    int64_t ms = 0;
    TimeFormat used = TimeFormat::kAuto;
    Status s = EventTimeFromRaw(c.raw, c.fmt, &ms, &used);
    ASSERT_TRUE(s.ok()) << c.raw << ": " << s.ToString();
    EXPECT_EQ(ms, c.ms) << c.raw;
    EXPECT_EQ(used, c.used) << c.raw;
  }
}

TEST(EventTimeFromRawTest, Errors) {
  int64_t ms;
  TimeFormat used;
  EXPECT_NE(EventTimeFromRaw("", TimeFormat::kAuto, &ms, &used).message().find("missing"),
            std::string::npos);
  EXPECT_NE(EventTimeFromRaw("null", TimeFormat::kAuto, &ms, &used).message().find("null"),
            std::string::npos);
  for (const char* bad :
       {"true", "{}", "[1]", "\"\"", "\"soon\"", "\"2026-13-01\"", "1e400", "\"bad\\escape\""}) {
    EXPECT_TRUE(EventTimeFromRaw(bad, TimeFormat::kAuto, &ms, &used).IsInvalidArgument()) << bad;
  }
  EXPECT_TRUE(EventTimeFromRaw("5", TimeFormat::kIso, &ms, &used).IsInvalidArgument());
  EXPECT_TRUE(
      EventTimeFromRaw("\"2026-01-02\"", TimeFormat::kMillis, &ms, &used).IsInvalidArgument());
}

TEST(AppendTimeTest, Formats) {
  auto t = [](int64_t ms, TimeFormat f) {
    std::string out;
    AppendTime(&out, ms, f);
    return out;
  };
  EXPECT_EQ(t(kT, TimeFormat::kMillis), "1767323045000");
  EXPECT_EQ(t(kT, TimeFormat::kAuto), "1767323045000");
  EXPECT_EQ(t(kT, TimeFormat::kSeconds), "1767323045");
  EXPECT_EQ(t(kT + 500, TimeFormat::kSeconds), "1767323045.5");
  EXPECT_EQ(t(-1'500, TimeFormat::kSeconds), "-1.5");
  EXPECT_EQ(t(kT, TimeFormat::kMicros), "1767323045000000");
  EXPECT_EQ(t(kT, TimeFormat::kNanos), "1767323045000000000");
  EXPECT_EQ(t(kT + 7, TimeFormat::kIso), "\"2026-01-02T03:04:05.007Z\"");
  EXPECT_EQ(t(-1, TimeFormat::kIso), "\"1969-12-31T23:59:59.999Z\"");
  // Each format reads back to the same millisecond.
  for (TimeFormat f : {TimeFormat::kSeconds, TimeFormat::kMillis, TimeFormat::kMicros,
                       TimeFormat::kNanos, TimeFormat::kIso}) {
    for (int64_t ms : {kT, kT + 1, int64_t{-86'400'001}}) {
      int64_t back;
      ASSERT_TRUE(EventTimeFromRaw(t(ms, f), f, &back, nullptr).ok()) << t(ms, f);
      EXPECT_EQ(back, ms) << t(ms, f);
    }
  }
}

// ---- JsonValidator ----

Status Validate(JsonValidator& v, const std::string& text) {
  std::string padded = text + std::string(64, '\0');
  return v.ValidateObject(std::string_view(padded.data(), text.size()));
}

TEST(JsonValidatorTest, ObjectsOnly) {
  JsonValidator v;
  EXPECT_TRUE(Validate(v, "{\"a\":[1,{\"b\":null}]}").ok());
  EXPECT_TRUE(Validate(v, " {} ").ok());
  EXPECT_TRUE(Validate(v, "[1]").IsInvalidArgument());
  EXPECT_TRUE(Validate(v, "{\"a\":}").IsInvalidArgument());
  EXPECT_TRUE(Validate(v, "{\"a\":\"\xff\"}").IsInvalidArgument());
  EXPECT_TRUE(Validate(v, "{} {}").IsInvalidArgument());
  EXPECT_TRUE(Validate(v, "").IsInvalidArgument());
}

}  // namespace
}  // namespace sstream
