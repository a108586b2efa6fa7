// Frames on the wire (frame.h): FrameWriter -> FrameReader in both formats,
// detection, pass-through of unknown frames, and every kind of damage.
#include "sstream/frame.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sstream/io.h"
#include "sstream/record.h"
#include "stage_harness.h"

namespace sstream {

// Internal (lib/src/frame/frame_format.h): used to forge frames with a valid
// checksum but bad contents.
uint32_t Crc32c(uint32_t crc, const char* data, size_t n);

namespace {

constexpr size_t kStreamHeader = 16;  // sstream-frame(5): magic, version, flags
constexpr size_t kFrameHeader = 12;   // crc32c, length, type, flags, reserved

// A Frame with its views copied, so it outlives the next FrameReader::Next.
struct Owned {
  FrameType type = FrameType::kData;
  uint8_t type_code = 0;
  uint8_t flags = 0;
  std::string json;
  bool has_event_time = false;
  int64_t event_time = 0;
  int64_t epoch = 0;
  int64_t watermark = 0;
  std::string payload;
  std::string position;

  Frame View() const {
    Frame f;
    f.type = type;
    f.type_code = type_code;
    f.flags = flags;
    f.json = json;
    f.has_event_time = has_event_time;
    f.event_time = event_time;
    f.epoch = epoch;
    f.watermark = watermark;
    f.payload = payload;
    return f;
  }
};

struct BadInput {
  Status status;
  std::string position;
  std::string bad_bytes;
};

struct ReadResult {
  std::vector<Owned> frames;
  std::vector<BadInput> bad;
  bool eof = false;
  bool fatal = false;
  WireFormat format = WireFormat::kJson;
};

ReadResult ReadAll(const std::string& bytes, size_t chunk = SIZE_MAX, ReaderLimits limits = {}) {
  MemorySource src(bytes, chunk);
  FrameReader reader(&src, limits);
  ReadResult r;
  for (int guard = 0; guard < 1'000'000; ++guard) {
    Frame f;
    Status st;
    FrameReader::Result res = reader.Next(&f, 0, &st);
    if (res == FrameReader::Result::kEof) {
      r.eof = true;
      break;
    }
    if (res == FrameReader::Result::kTimeout) continue;  // a MemorySource never waits
    if (res == FrameReader::Result::kBadInput) {
      r.bad.push_back({st, reader.Position(), std::string(reader.last_bad_bytes())});
      if (reader.fatal()) {
        r.fatal = true;
        // Once fatal, the reader keeps failing.
        Status again;
        EXPECT_EQ(reader.Next(&f, 0, &again), FrameReader::Result::kBadInput);
        EXPECT_TRUE(again.IsCorruption());
        break;
      }
      continue;
    }
    Owned o;
    o.type = f.type;
    o.type_code = f.type_code;
    o.flags = f.flags;
    o.json = std::string(f.json);
    o.has_event_time = f.has_event_time;
    o.event_time = f.event_time;
    o.epoch = f.epoch;
    o.watermark = f.watermark;
    o.payload = std::string(f.payload);
    o.position = reader.Position();
    r.frames.push_back(std::move(o));
  }
  r.format = reader.format();
  return r;
}

const char kUnknownPayload[] =
    "\x00\x01"
    "ab\xff";
const std::string kUnknown(kUnknownPayload, 5);
const char kFutureLine[] = "{\"@sstream\":\"future\",\"x\":1}";

// One of everything the wire carries.
std::string WriteSample(WireFormat format) {
  MemorySink sink;
  {
    FrameWriter w(&sink, format);
    EXPECT_TRUE(w.WriteData("{\"a\":1}").ok());
    EXPECT_TRUE(w.WriteData("{\"b\":\"x\"}", true, 1'767'323'045'123).ok());
    EXPECT_TRUE(w.WriteTick(5).ok());
    EXPECT_TRUE(w.WriteWatermark(-1'500).ok());
    Frame unknown;
    unknown.type = static_cast<FrameType>(0x30);
    unknown.type_code = 0x30;
    unknown.payload = kUnknown;
    EXPECT_TRUE(w.WriteFrame(unknown).ok());
    Frame future;
    future.type = FrameType::kJsonControl;
    future.type_code = static_cast<uint8_t>(FrameType::kJsonControl);
    future.json = kFutureLine;
    EXPECT_TRUE(w.WriteFrame(future).ok());
    EXPECT_TRUE(w.WriteData("{}").ok());
    EXPECT_TRUE(w.WriteEnd().ok());
    EXPECT_TRUE(w.Flush().ok());
  }
  return sink.contents();
}

// Checks the frames of WriteSample(); event times survive only in binary.
void ExpectSample(const ReadResult& r, bool event_time_kept) {
  ASSERT_TRUE(r.bad.empty()) << r.bad[0].status.ToString();
  ASSERT_TRUE(r.eof);
  ASSERT_EQ(r.frames.size(), 8u);
  EXPECT_EQ(r.frames[0].type, FrameType::kData);
  EXPECT_EQ(r.frames[0].type_code, 1);
  EXPECT_EQ(r.frames[0].json, "{\"a\":1}");
  EXPECT_FALSE(r.frames[0].has_event_time);
  EXPECT_EQ(r.frames[1].type, FrameType::kData);
  EXPECT_EQ(r.frames[1].json, "{\"b\":\"x\"}");
  EXPECT_EQ(r.frames[1].has_event_time, event_time_kept);
  if (event_time_kept) {
    EXPECT_EQ(r.frames[1].event_time, 1'767'323'045'123);
  }
  EXPECT_EQ(r.frames[2].type, FrameType::kTick);
  EXPECT_EQ(r.frames[2].epoch, 5);
  EXPECT_EQ(r.frames[3].type, FrameType::kWatermark);
  EXPECT_EQ(r.frames[3].watermark, -1'500);
  EXPECT_EQ(r.frames[4].type_code, 0x30);
  EXPECT_EQ(static_cast<int>(r.frames[4].type), 0x30);
  EXPECT_EQ(r.frames[4].payload, kUnknown);
  EXPECT_TRUE(IsControl(r.frames[4].View()));
  EXPECT_EQ(r.frames[5].type, FrameType::kJsonControl);
  EXPECT_EQ(r.frames[5].json, kFutureLine);
  EXPECT_EQ(r.frames[6].json, "{}");
  EXPECT_EQ(r.frames[7].type, FrameType::kEnd);
  EXPECT_TRUE(IsControl(r.frames[7].View()));
  EXPECT_FALSE(IsControl(r.frames[0].View()));
}

// Re-writes frames (as a stage forwards them) in `format`.
std::string Rewrite(const std::vector<Owned>& frames, WireFormat format) {
  MemorySink sink;
  FrameWriter w(&sink, format);
  for (const auto& o : frames) EXPECT_TRUE(w.WriteFrame(o.View()).ok());
  EXPECT_TRUE(w.Flush().ok());
  return sink.contents();
}

void PutU32(std::string* s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*s)[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// A binary frame with a correct checksum around arbitrary contents.
std::string ForgeFrame(uint8_t type, uint8_t flags, const std::string& payload) {
  std::string f(kFrameHeader, '\0');
  PutU32(&f, 4, static_cast<uint32_t>(payload.size()));
  f[8] = static_cast<char>(type);
  f[9] = static_cast<char>(flags);
  f += payload;
  uint32_t crc = Crc32c(0, f.data() + 4, kFrameHeader - 4);
  crc = Crc32c(crc, payload.data(), payload.size());
  PutU32(&f, 0, crc);
  return f;
}

std::string BinaryOf(const std::vector<std::string>& records) {
  return testing_util::Binary({records.begin(), records.end()});
}

// ---- round trips ----

TEST(FrameRoundTripTest, Json) {
  std::string bytes = WriteSample(WireFormat::kJson);
  EXPECT_EQ(bytes.find('\x89'), std::string::npos) << "JSON output is plain text";
  ReadResult r = ReadAll(bytes);
  EXPECT_EQ(r.format, WireFormat::kJson);
  ExpectSample(r, false);
}

TEST(FrameRoundTripTest, JsonLinesAreReadable) {
  std::string bytes = WriteSample(WireFormat::kJson);
  EXPECT_NE(bytes.find("{\"a\":1}\n"), std::string::npos);
  EXPECT_NE(bytes.find("{\"@sstream\":\"tick\",\"epoch\":5}\n"), std::string::npos);
  EXPECT_NE(bytes.find("\"@sstream\":\"watermark\",\"ms\":-1500"), std::string::npos);
  EXPECT_NE(bytes.find("1969-12-31T23:59:58.500Z"), std::string::npos) << bytes;
  EXPECT_NE(bytes.find("{\"@sstream\":\"frame\",\"type\":48,\"hex\":\"00016162ff\"}\n"),
            std::string::npos)
      << bytes;
  EXPECT_NE(bytes.find(std::string(kFutureLine) + "\n"), std::string::npos);
  EXPECT_EQ(bytes.substr(bytes.size() - 19), "{\"@sstream\":\"end\"}\n");
}

TEST(FrameRoundTripTest, Binary) {
  std::string bytes = WriteSample(WireFormat::kBinary);
  ASSERT_GE(bytes.size(), kStreamHeader);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89SSTR\r\n\x1a", 8));
  EXPECT_EQ(bytes[8], 1) << "version 1, little-endian";
  ReadResult r = ReadAll(bytes);
  EXPECT_EQ(r.format, WireFormat::kBinary);
  ExpectSample(r, true);
}

TEST(FrameRoundTripTest, OneByteChunks) {
  for (WireFormat format : {WireFormat::kJson, WireFormat::kBinary}) {
    SCOPED_TRACE(format == WireFormat::kJson ? "json" : "binary");
    std::string bytes = WriteSample(format);
    ReadResult r = ReadAll(bytes, 1);
    EXPECT_EQ(r.format, format);
    ExpectSample(r, format == WireFormat::kBinary);
    ReadResult r7 = ReadAll(bytes, 7);
    ExpectSample(r7, format == WireFormat::kBinary);
  }
}

TEST(FrameRoundTripTest, BinaryToJsonToBinaryKeepsUnknownFrames) {
  ReadResult bin = ReadAll(WriteSample(WireFormat::kBinary));
  ASSERT_EQ(bin.frames.size(), 8u);
  ReadResult json = ReadAll(Rewrite(bin.frames, WireFormat::kJson));
  EXPECT_EQ(json.format, WireFormat::kJson);
  ExpectSample(json, false);
  ReadResult back = ReadAll(Rewrite(json.frames, WireFormat::kBinary));
  EXPECT_EQ(back.format, WireFormat::kBinary);
  ExpectSample(back, false);
}

TEST(FrameRoundTripTest, JsonToBinaryToJsonKeepsUnknownFrames) {
  std::string original = WriteSample(WireFormat::kJson);
  ReadResult json = ReadAll(original);
  ReadResult bin = ReadAll(Rewrite(json.frames, WireFormat::kBinary));
  EXPECT_EQ(bin.format, WireFormat::kBinary);
  ExpectSample(bin, false);
  std::string again = Rewrite(bin.frames, WireFormat::kJson);
  EXPECT_EQ(again, original) << "JSON -> binary -> JSON is the identity";
}

TEST(FrameRoundTripTest, LargeRecordsGrowTheBuffer) {
  std::string big = "{\"v\":\"" + std::string(3 << 20, 'x') + "\"}";
  for (WireFormat format : {WireFormat::kJson, WireFormat::kBinary}) {
    MemorySink sink;
    FrameWriter w(&sink, format);
    ASSERT_TRUE(w.WriteData("{\"a\":1}").ok());
    ASSERT_TRUE(w.WriteData(big).ok());
    ASSERT_TRUE(w.WriteData("{\"a\":2}").ok());
    ASSERT_TRUE(w.Flush().ok());
    ReadResult r = ReadAll(sink.contents(), 100'000);
    ASSERT_TRUE(r.bad.empty());
    ASSERT_EQ(r.frames.size(), 3u);
    EXPECT_EQ(r.frames[1].json, big);
    EXPECT_EQ(r.frames[2].json, "{\"a\":2}");
  }
}

TEST(FrameRoundTripTest, ManyBinaryFrames) {
  // Includes frames whose checksum starts with the magic byte 0x89: they
  // must not be mistaken for a stream header.
  std::vector<std::string> records;
  for (int i = 0; i < 3000; ++i) records.push_back("{\"i\":" + std::to_string(i) + "}");
  std::string bytes = BinaryOf(records);
  size_t magic_starts = 0;
  for (size_t at = kStreamHeader; at < bytes.size();) {
    if (static_cast<unsigned char>(bytes[at]) == 0x89) ++magic_starts;
    uint32_t len = 0;
    for (int k = 3; k >= 0; --k) len = (len << 8) | static_cast<unsigned char>(bytes[at + 4 + k]);
    at += kFrameHeader + len;
  }
  ASSERT_GT(magic_starts, 0u) << "the test needs a frame starting with 0x89";
  for (size_t chunk : {SIZE_MAX, size_t{1}, size_t{13}}) {
    ReadResult r = ReadAll(bytes, chunk);
    ASSERT_TRUE(r.bad.empty()) << r.bad[0].status.ToString();
    ASSERT_EQ(r.frames.size(), records.size());
    for (size_t i = 0; i < records.size(); ++i) ASSERT_EQ(r.frames[i].json, records[i]);
  }
}

TEST(FrameRoundTripTest, ConcatenatedBinaryStreams) {
  std::string bytes = BinaryOf({"{\"s\":1}"}) + BinaryOf({"{\"s\":2}", "{\"s\":3}"});
  ReadResult r = ReadAll(bytes);
  ASSERT_TRUE(r.bad.empty()) << r.bad[0].status.ToString();
  ASSERT_EQ(r.frames.size(), 3u);
  EXPECT_EQ(r.frames[2].json, "{\"s\":3}");
}

// issue-10: the last batch of a run-once trigger is marked on its TICK, in
// both wires, and the mark survives a rewrite into the other wire.
TEST(FrameRoundTripTest, TheLastOfRunTickFlagTravelsInBothWires) {
  for (WireFormat format : {WireFormat::kJson, WireFormat::kBinary}) {
    SCOPED_TRACE(format == WireFormat::kJson ? "json" : "binary");
    MemorySink sink;
    FrameWriter w(&sink, format);
    ASSERT_TRUE(w.WriteTick(3).ok());
    ASSERT_TRUE(w.WriteTick(4, kTickLastOfRun).ok());
    if (format == WireFormat::kJson) {
      EXPECT_EQ(sink.contents(), "{\"@sstream\":\"tick\",\"epoch\":3}\n"
                             "{\"@sstream\":\"tick\",\"epoch\":4,\"last\":true}\n");
    }
    ReadResult r = ReadAll(sink.contents());
    ASSERT_EQ(r.frames.size(), 2u);
    EXPECT_EQ(r.frames[0].flags, 0);
    EXPECT_EQ(r.frames[1].type, FrameType::kTick);
    EXPECT_EQ(r.frames[1].epoch, 4);
    EXPECT_EQ(r.frames[1].flags, kTickLastOfRun);
    const WireFormat other = format == WireFormat::kJson ? WireFormat::kBinary : WireFormat::kJson;
    ReadResult back = ReadAll(Rewrite(r.frames, other));
    ASSERT_EQ(back.frames.size(), 2u);
    EXPECT_EQ(back.frames[0].flags, 0);
    EXPECT_EQ(back.frames[1].flags, kTickLastOfRun);
  }
  ReadResult off = ReadAll("{\"@sstream\":\"tick\",\"epoch\":1,\"last\":false}\n");
  ASSERT_EQ(off.frames.size(), 1u);
  EXPECT_EQ(off.frames[0].flags, 0);
  ReadResult bad = ReadAll("{\"@sstream\":\"tick\",\"epoch\":1,\"last\":1}\n");
  ASSERT_EQ(bad.bad.size(), 1u);
  EXPECT_NE(bad.bad[0].status.message().find("tick \"last\" must be true or false"), std::string::npos);
}

TEST(FrameWriterTest, DataOnlySuppressesControlSignals) {
  for (WireFormat format : {WireFormat::kJson, WireFormat::kBinary}) {
    MemorySink sink;
    FrameWriter w(&sink, format);
    w.set_data_only(true);
    ASSERT_TRUE(w.WriteData("{\"a\":1}").ok());
    ASSERT_TRUE(w.WriteTick(1).ok());
    ASSERT_TRUE(w.WriteWatermark(5).ok());
    Frame unknown;
    unknown.type = static_cast<FrameType>(0x30);
    unknown.type_code = 0x30;
    ASSERT_TRUE(w.WriteFrame(unknown).ok());
    ASSERT_TRUE(w.WriteEnd().ok());
    ReadResult r = ReadAll(sink.contents());
    ASSERT_EQ(r.frames.size(), 1u);
    EXPECT_EQ(r.frames[0].json, "{\"a\":1}");
    if (format == WireFormat::kJson) {
      EXPECT_EQ(sink.contents(), "{\"a\":1}\n");
    }
  }
}

// issue-10: whether control signals are written is asked once, right before
// the first is due; data written before that is already out.
TEST(FrameWriterTest, ControlDeciderIsAskedOnceBeforeTheFirstControlSignal) {
  for (bool write : {false, true}) {
    MemorySink sink;
    FrameWriter w(&sink, WireFormat::kJson);
    int asked = 0;
    std::string seen;
    w.set_control_decider([&] {
      ++asked;
      seen = sink.contents();
      return write;
    });
    ASSERT_TRUE(w.WriteData("{\"a\":1}").ok());
    EXPECT_EQ(asked, 0) << "data alone never asks";
    ASSERT_TRUE(w.WriteTick(0).ok());
    EXPECT_EQ(seen, "{\"a\":1}\n") << "data flushed before asking";
    ASSERT_TRUE(w.WriteData("{\"a\":2}").ok());
    ASSERT_TRUE(w.WriteWatermark(5).ok());
    ASSERT_TRUE(w.WriteEnd().ok());
    EXPECT_EQ(asked, 1);
    if (write) {
      EXPECT_NE(sink.contents().find("\"@sstream\":\"end\""), std::string::npos);
    } else {
      EXPECT_EQ(sink.contents(), "{\"a\":1}\n{\"a\":2}\n");
    }
  }
}

TEST(FrameWriterTest, TickFlushesTheBatch) {
  MemorySink sink;
  FrameWriter w(&sink, WireFormat::kJson);
  ASSERT_TRUE(w.WriteData("{\"a\":1}").ok());
  EXPECT_EQ(sink.contents(), "") << "data is buffered";
  ASSERT_TRUE(w.WriteTick(0).ok());
  EXPECT_EQ(sink.contents(), "{\"a\":1}\n{\"@sstream\":\"tick\",\"epoch\":0}\n");
}

TEST(WireFormatTest, Names) {
  WireFormat f;
  ASSERT_TRUE(ParseWireFormat("json", &f).ok());
  EXPECT_EQ(f, WireFormat::kJson);
  ASSERT_TRUE(ParseWireFormat("binary", &f).ok());
  EXPECT_EQ(f, WireFormat::kBinary);
  EXPECT_TRUE(ParseWireFormat("xml", &f).IsInvalidArgument());
}

TEST(Crc32cTest, KnownVector) {
  EXPECT_EQ(Crc32c(0, "123456789", 9), 0xE3069283u);
  EXPECT_EQ(Crc32c(0, "", 0), 0u);
  // Incremental computation equals one pass, at every split point.
  std::string text(100, '\0');
  for (size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>(i * 7 + 3);
  uint32_t whole = Crc32c(0, text.data(), text.size());
  for (size_t split = 0; split <= text.size(); ++split) {
    uint32_t part = Crc32c(Crc32c(0, text.data(), split), text.data() + split, text.size() - split);
    ASSERT_EQ(part, whole) << split;
  }
}

// ---- detection ----

TEST(FrameDetectionTest, EmptyInputIsEof) {
  ReadResult r = ReadAll("");
  EXPECT_TRUE(r.eof);
  EXPECT_TRUE(r.frames.empty());
  EXPECT_TRUE(r.bad.empty());
}

TEST(FrameDetectionTest, JsonFromFirstByte) {
  MemorySource src("  {\"a\":1}\n", 1);
  FrameReader reader(&src);
  EXPECT_FALSE(reader.detected());
  Frame f;
  Status st;
  ASSERT_EQ(reader.Next(&f, 0, &st), FrameReader::Result::kFrame);
  EXPECT_TRUE(reader.detected());
  EXPECT_EQ(reader.format(), WireFormat::kJson);
  EXPECT_EQ(f.json, "  {\"a\":1}");
}

TEST(FrameDetectionTest, BinaryFromMagic) {
  std::string bytes = BinaryOf({"{\"a\":1}"});
  MemorySource src(bytes, 3);
  FrameReader reader(&src);
  Frame f;
  Status st;
  ASSERT_EQ(reader.Next(&f, 0, &st), FrameReader::Result::kFrame) << st.ToString();
  EXPECT_EQ(reader.format(), WireFormat::kBinary);
  EXPECT_EQ(f.json, "{\"a\":1}");
  EXPECT_EQ(reader.Next(&f, 0, &st), FrameReader::Result::kEof);
}

TEST(FrameDetectionTest, HeaderOnlyBinaryStreamIsEmpty) {
  std::string bytes = BinaryOf({});
  EXPECT_TRUE(bytes.empty()) << "no header is written before the first frame";
  MemorySink sink;
  FrameWriter w(&sink, WireFormat::kBinary);
  ASSERT_TRUE(w.WriteEnd().ok());
  ReadResult r = ReadAll(sink.contents().substr(0, kStreamHeader));
  EXPECT_TRUE(r.eof);
  EXPECT_TRUE(r.bad.empty());
  EXPECT_TRUE(r.frames.empty());
}

TEST(FrameDetectionTest, RawLinesAreNeverControl) {
  ReaderLimits limits;
  limits.raw_lines = true;
  ReadResult r =
      ReadAll("plain text\n{\"@sstream\":\"tick\",\"epoch\":1}\n\x89 not binary\n\n  \r\n",
              SIZE_MAX, limits);
  ASSERT_TRUE(r.bad.empty());
  ASSERT_EQ(r.frames.size(), 5u);
  EXPECT_EQ(r.frames[0].json, "plain text");
  EXPECT_EQ(r.frames[1].type, FrameType::kData);
  EXPECT_EQ(r.frames[2].json, "\x89 not binary");
  // Spark's text source: blank lines are records too.
  EXPECT_EQ(r.frames[3].json, "");
  EXPECT_EQ(r.frames[4].json, "  ");
}

// ---- binary damage ----

TEST(BinaryDamageTest, BadMagicIsFatal) {
  std::string bytes = BinaryOf({"{\"a\":1}"});
  bytes[3] = 'X';
  ReadResult r = ReadAll(bytes);
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_TRUE(r.fatal);
  EXPECT_TRUE(r.bad[0].status.IsCorruption());
  EXPECT_NE(r.bad[0].status.message().find("bad magic"), std::string::npos);
  EXPECT_EQ(r.bad[0].position, "memory: byte 0") << "the reader says where, the status what";
  EXPECT_TRUE(r.frames.empty());
}

TEST(BinaryDamageTest, OtherVersionNamesBothVersions) {
  std::string bytes = BinaryOf({"{\"a\":1}"});
  PutU32(&bytes, 8, 2);
  ReadResult r = ReadAll(bytes);
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_TRUE(r.fatal);
  EXPECT_TRUE(r.bad[0].status.IsCorruption());
  const std::string& m = r.bad[0].status.message();
  EXPECT_NE(m.find("version 2"), std::string::npos) << m;
  EXPECT_NE(m.find("version 1"), std::string::npos) << m;
  EXPECT_EQ(ExitCodeFor(r.bad[0].status), kExitCorrupt);
}

TEST(BinaryDamageTest, ChecksumMismatchIsRecoverable) {
  std::string bytes = BinaryOf({"{\"a\":1}", "{\"a\":2}", "{\"a\":3}"});
  const size_t second = kStreamHeader + kFrameHeader + 7;
  bytes[second + kFrameHeader + 2] ^= 0x01;  // damage the payload of frame 2
  for (size_t chunk : {SIZE_MAX, size_t{1}}) {
    ReadResult r = ReadAll(bytes, chunk);
    ASSERT_EQ(r.bad.size(), 1u);
    EXPECT_FALSE(r.fatal);
    EXPECT_TRUE(r.bad[0].status.IsCorruption());
    EXPECT_NE(r.bad[0].status.message().find("checksum"), std::string::npos);
    EXPECT_EQ(r.bad[0].position, "memory: byte " + std::to_string(second));
    EXPECT_EQ(r.bad[0].bad_bytes.size(), 7u);
    ASSERT_EQ(r.frames.size(), 2u);
    EXPECT_EQ(r.frames[0].json, "{\"a\":1}");
    EXPECT_EQ(r.frames[1].json, "{\"a\":3}") << "the next frame is still readable";
    EXPECT_TRUE(r.eof);
  }
}

TEST(BinaryDamageTest, DamagedHeaderFieldFailsChecksum) {
  std::string bytes = BinaryOf({"{\"a\":1}", "{\"a\":2}"});
  bytes[kStreamHeader + 9] = 0x01;  // flags: claims an event time
  ReadResult r = ReadAll(bytes);
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_FALSE(r.fatal);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.frames[0].json, "{\"a\":2}");
}

TEST(BinaryDamageTest, OversizedLengthIsFatal) {
  std::string bytes = BinaryOf({"{\"a\":1}", "{\"a\":2}"});
  PutU32(&bytes, kStreamHeader + 4, 0x7fffffff);
  ReadResult r = ReadAll(bytes);
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_TRUE(r.fatal);
  EXPECT_TRUE(r.bad[0].status.IsCorruption());
  EXPECT_NE(r.bad[0].status.message().find("exceeds"), std::string::npos);
  EXPECT_TRUE(r.frames.empty());
}

// issue-10: a binary record over --max-record-bytes is a bad record, as a
// JSON line is; its field index does not count against the limit. Only a
// length no record within the limit can have is damage.
TEST(BinaryDamageTest, Issue10RecordOverTheLimitIsABadRecord) {
  ReaderLimits limits;
  limits.max_record_bytes = 100;
  std::string ok = BinaryOf({std::string(90, ' ') + "{}"});
  EXPECT_EQ(ReadAll(ok, SIZE_MAX, limits).frames.size(), 1u);
  std::string big = BinaryOf({"{\"a\":\"" + std::string(200, 'x') + "\"}", "{\"b\":1}"});
  ReadResult r = ReadAll(big, SIZE_MAX, limits);
  EXPECT_FALSE(r.fatal);
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_TRUE(r.bad[0].status.IsInvalidArgument());
  EXPECT_EQ(r.bad[0].status.message(), "record longer than 100 bytes");
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.frames[0].json, "{\"b\":1}");
  // A 162-byte record with ten fields under a limit of 200: its frame, with
  // event time and field index, is longer than 200 bytes.
  limits.max_record_bytes = 200;
  std::string rec = "{";
  for (int i = 0; i < 10; ++i) rec += fmt::format("{}\"f{}\":\"{}\"", i ? "," : "", i, "abc");
  rec += "}";
  rec.insert(1, std::string(162 - rec.size(), ' '));
  ASSERT_EQ(rec.size(), 162u);
  MemorySink sink;
  {
    FrameWriter w(&sink, WireFormat::kBinary);
    JsonValidator v;
    FieldIndexBuilder index;
    std::string padded = rec + std::string(64, '\0');
    ASSERT_TRUE(v.ValidateObject(std::string_view(padded.data(), rec.size()), &index).ok());
    ASSERT_EQ(index.bytes().size(), 80u);
    ASSERT_TRUE(w.WriteData(rec, true, 5, index.bytes()).ok());
    ASSERT_TRUE(w.Flush().ok());
  }
  ReadResult indexed = ReadAll(sink.contents(), SIZE_MAX, limits);
  EXPECT_TRUE(indexed.bad.empty());
  ASSERT_EQ(indexed.frames.size(), 1u);
  EXPECT_EQ(indexed.frames[0].json, rec);
  // An impossible length is still fatal damage.
  std::string bytes = BinaryOf({"{\"a\":1}"});
  PutU32(&bytes, kStreamHeader + 4, 200 + 10 + 8 * 0xFFFF + 1);
  ReadResult d = ReadAll(bytes, SIZE_MAX, limits);
  EXPECT_TRUE(d.fatal);
  ASSERT_EQ(d.bad.size(), 1u);
  EXPECT_TRUE(d.bad[0].status.IsCorruption());
}

// issue-10: a binary TICK with a negative epoch is refused as a JSON tick
// line with one is: a bad control signal under the policy.
TEST(BinaryDamageTest, Issue10NegativeTickEpochIsABadRecord) {
  std::string payload(8, '\xff');  // -1
  std::string bytes = BinaryOf({"{\"a\":1}"}) + ForgeFrame(2, 0, payload);
  ReadResult r = ReadAll(bytes);
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_FALSE(r.fatal);
  EXPECT_TRUE(r.bad[0].status.IsInvalidArgument());
  EXPECT_NE(r.bad[0].status.message().find("negative epoch"), std::string::npos);
  ReadResult j = ReadAll("{\"a\":1}\n{\"@sstream\":\"tick\",\"epoch\":-1}\n");
  ASSERT_EQ(j.bad.size(), 1u);
  EXPECT_TRUE(j.bad[0].status.IsInvalidArgument());
  EXPECT_NE(j.bad[0].status.message().find("negative epoch"), std::string::npos);
}

// issue-10: a UTF-8 byte-order mark before the first line is skipped.
TEST(FrameDetectionTest, Issue10ByteOrderMarkIsSkipped) {
  for (size_t chunk : {SIZE_MAX, size_t{1}, size_t{2}}) {
    ReadResult r = ReadAll("\xEF\xBB\xBF{\"a\":1}\n{\"a\":2}\n", chunk);
    ASSERT_TRUE(r.bad.empty());
    ASSERT_EQ(r.frames.size(), 2u) << chunk;
    EXPECT_EQ(r.frames[0].json, "{\"a\":1}");
    EXPECT_EQ(r.frames[0].position, "memory: line 1");
  }
  // Only at the start: later it is part of the line.
  ReadResult later = ReadAll("{\"a\":1}\n\xEF\xBB\xBF{\"a\":2}\n");
  ASSERT_EQ(later.frames.size(), 2u);
  EXPECT_EQ(later.frames[1].json, "\xEF\xBB\xBF{\"a\":2}");
  // A lone mark is an empty input; text lines lose it too.
  EXPECT_TRUE(ReadAll("\xEF\xBB\xBF").frames.empty());
  ReaderLimits text;
  text.raw_lines = true;
  ReadResult t = ReadAll("\xEF\xBB\xBFhello\n", SIZE_MAX, text);
  ASSERT_EQ(t.frames.size(), 1u);
  EXPECT_EQ(t.frames[0].json, "hello");
}

// issue-10: with cut_record_ends_input, input that ends inside a record is
// a truncated stream (kEof, truncated()), JSON and binary alike.
TEST(FrameReaderTest, Issue10CutRecordEndsInput) {
  ReaderLimits limits;
  limits.cut_record_ends_input = true;
  for (const std::string cut : {"{\"a\":\"x", "{\"a\":", "{\"a\":1,", "{\"a\":[1,2", "{\"a\\"}) {
    MemorySource src("{\"a\":0}\n" + cut);
    FrameReader reader(&src, limits);
    Frame f;
    Status st;
    ASSERT_EQ(reader.Next(&f, 0, &st), FrameReader::Result::kFrame);
    ASSERT_EQ(reader.Next(&f, 0, &st), FrameReader::Result::kEof) << cut;
    EXPECT_TRUE(reader.truncated());
    EXPECT_EQ(reader.truncated_bytes(), cut.size());
    EXPECT_EQ(reader.truncated_position(), "memory: line 2");
  }
  for (const std::string whole : {"{\"a\":1}", "{\"a\":\"}\"}", "garbage", "{\"a\":1}}"}) {
    MemorySource src(whole);
    FrameReader reader(&src, limits);
    Frame f;
    Status st;
    EXPECT_EQ(reader.Next(&f, 0, &st), FrameReader::Result::kFrame) << whole;
    EXPECT_EQ(reader.Next(&f, 0, &st), FrameReader::Result::kEof);
    EXPECT_FALSE(reader.truncated()) << whole;
  }
  std::string bin = BinaryOf({"{\"a\":1}", "{\"a\":2}"});
  for (size_t keep : {kStreamHeader + kFrameHeader + 7 + 5, bin.size() - 1}) {
    MemorySource src(bin.substr(0, keep));
    FrameReader reader(&src, limits);
    Frame f;
    Status st;
    ASSERT_EQ(reader.Next(&f, 0, &st), FrameReader::Result::kFrame);
    ASSERT_EQ(reader.Next(&f, 0, &st), FrameReader::Result::kEof);
    EXPECT_EQ(reader.truncated_bytes(), keep - (kStreamHeader + kFrameHeader + 7));
    EXPECT_EQ(reader.truncated_position(),
              fmt::format("memory: byte {}", kStreamHeader + kFrameHeader + 7));
  }
}

TEST(BinaryDamageTest, TruncatedFrameHeaderAtEof) {
  std::string bytes = BinaryOf({"{\"a\":1}", "{\"a\":2}"});
  bytes.resize(kStreamHeader + kFrameHeader + 7 + 5);
  for (size_t chunk : {SIZE_MAX, size_t{1}}) {
    ReadResult r = ReadAll(bytes, chunk);
    ASSERT_EQ(r.frames.size(), 1u);
    ASSERT_EQ(r.bad.size(), 1u);
    EXPECT_TRUE(r.fatal);
    EXPECT_TRUE(r.bad[0].status.IsCorruption());
    EXPECT_NE(r.bad[0].status.message().find("truncated"), std::string::npos);
  }
}

TEST(BinaryDamageTest, TruncatedPayloadAtEof) {
  std::string bytes = BinaryOf({"{\"a\":1}", "{\"a\":2}"});
  bytes.pop_back();
  for (size_t chunk : {SIZE_MAX, size_t{1}}) {
    ReadResult r = ReadAll(bytes, chunk);
    ASSERT_EQ(r.frames.size(), 1u);
    ASSERT_EQ(r.bad.size(), 1u);
    EXPECT_TRUE(r.fatal);
    EXPECT_NE(r.bad[0].status.message().find("truncated"), std::string::npos);
  }
}

TEST(BinaryDamageTest, TruncatedStreamHeader) {
  ReadResult r = ReadAll(std::string("\x89SST", 4));
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_TRUE(r.fatal);
  EXPECT_TRUE(r.bad[0].status.IsCorruption());
}

TEST(BinaryDamageTest, ControlFrameOfWrongLengthIsSkipped) {
  std::string bytes = BinaryOf({"{\"a\":1}"});
  bytes += ForgeFrame(static_cast<uint8_t>(FrameType::kTick), 0, "abc");
  bytes += ForgeFrame(static_cast<uint8_t>(FrameType::kData), 0x01, "abc");  // short event time
  bytes += ForgeFrame(static_cast<uint8_t>(FrameType::kData), 0, "{\"a\":2}");
  ReadResult r = ReadAll(bytes);
  ASSERT_EQ(r.bad.size(), 2u);
  EXPECT_FALSE(r.fatal);
  EXPECT_NE(r.bad[0].status.message().find("expected 8"), std::string::npos);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[1].json, "{\"a\":2}");
}

TEST(BinaryDamageTest, UnknownFrameTypesPassThrough) {
  std::string bytes = BinaryOf({"{\"a\":1}"});
  bytes += ForgeFrame(0x7f, 0, "payload");
  bytes += ForgeFrame(0x00, 0, "");
  ReadResult r = ReadAll(bytes);
  ASSERT_TRUE(r.bad.empty());
  ASSERT_EQ(r.frames.size(), 3u);
  EXPECT_EQ(r.frames[1].type_code, 0x7f);
  EXPECT_EQ(r.frames[1].payload, "payload");
  EXPECT_EQ(r.frames[2].type_code, 0x00);
}

TEST(BinaryDamageTest, FlagsOfUnknownFramesSurviveBothFormats) {
  std::string bytes = BinaryOf({"{\"a\":1}"});
  bytes += ForgeFrame(0x31, 0x05, "xy");
  ReadResult bin = ReadAll(bytes);
  ASSERT_EQ(bin.frames.size(), 2u);
  EXPECT_EQ(bin.frames[1].flags, 0x05);
  std::string json = Rewrite(bin.frames, WireFormat::kJson);
  EXPECT_NE(json.find("{\"@sstream\":\"frame\",\"type\":49,\"flags\":5,\"hex\":\"7879\"}\n"),
            std::string::npos)
      << json;
  ReadResult back = ReadAll(Rewrite(ReadAll(json).frames, WireFormat::kBinary));
  ASSERT_EQ(back.frames.size(), 2u);
  EXPECT_EQ(back.frames[1].type_code, 0x31);
  EXPECT_EQ(back.frames[1].flags, 0x05);
  EXPECT_EQ(back.frames[1].payload, "xy");
  ReadResult bad = ReadAll("{\"@sstream\":\"frame\",\"type\":49,\"flags\":300,\"hex\":\"\"}\n");
  EXPECT_EQ(bad.bad.size(), 1u);
}

TEST(BinaryDamageTest, PositionNamesByteOffsets) {
  std::string bytes = BinaryOf({"{\"a\":1}", "{\"bb\":22}"});
  ReadResult r = ReadAll(bytes);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[0].position, "memory: byte 16");
  EXPECT_EQ(r.frames[1].position, "memory: byte " + std::to_string(16 + 12 + 7));
}

// ---- JSON damage ----

TEST(JsonInputTest, PositionNamesLineNumbers) {
  ReadResult r = ReadAll("{\"a\":1}\n\n{\"a\":2}\n{\"@sstream\":\"tick\",\"epoch\":0}\n");
  ASSERT_EQ(r.frames.size(), 3u);
  EXPECT_EQ(r.frames[0].position, "memory: line 1");
  EXPECT_EQ(r.frames[1].position, "memory: line 3");
  EXPECT_EQ(r.frames[2].position, "memory: line 4");
}

TEST(JsonInputTest, CrlfAndBlankLines) {
  for (size_t chunk : {SIZE_MAX, size_t{1}}) {
    ReadResult r =
        ReadAll("{\"a\":1}\r\n\r\n   \n\t\n{\"b\":2}\r\n{\"@sstream\":\"end\"}\r\n", chunk);
    ASSERT_TRUE(r.bad.empty());
    ASSERT_EQ(r.frames.size(), 3u);
    EXPECT_EQ(r.frames[0].json, "{\"a\":1}");
    EXPECT_EQ(r.frames[1].json, "{\"b\":2}");
    EXPECT_EQ(r.frames[1].position, "memory: line 5");
    EXPECT_EQ(r.frames[2].type, FrameType::kEnd);
  }
}

TEST(JsonInputTest, LastLineWithoutNewline) {
  ReadResult r = ReadAll("{\"a\":1}\n{\"a\":2}");
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[1].json, "{\"a\":2}");
  EXPECT_EQ(r.frames[1].position, "memory: line 2");
  EXPECT_TRUE(r.eof);
}

TEST(JsonInputTest, OverlongLineIsABadRecord) {
  ReaderLimits limits;
  limits.max_record_bytes = 16;
  const std::string longline = "{\"b\":\"" + std::string(40, 'x') + "\"}";
  const std::string input = "{\"a\":1}\n" + longline + "\n{\"c\":3}\n";
  for (size_t chunk : {SIZE_MAX, size_t{1}, size_t{5}}) {
    SCOPED_TRACE(chunk);
    ReadResult r = ReadAll(input, chunk, limits);
    ASSERT_EQ(r.bad.size(), 1u);
    EXPECT_FALSE(r.fatal);
    EXPECT_TRUE(r.bad[0].status.IsInvalidArgument());
    EXPECT_NE(r.bad[0].status.message().find("longer than 16"), std::string::npos)
        << r.bad[0].status.message();
    EXPECT_EQ(r.bad[0].position, "memory: line 2");
    EXPECT_LE(r.bad[0].bad_bytes.size(), longline.size());
    EXPECT_EQ(longline.compare(0, r.bad[0].bad_bytes.size(), r.bad[0].bad_bytes), 0)
        << "the kept bytes are the start of the bad line";
    ASSERT_EQ(r.frames.size(), 2u);
    EXPECT_EQ(r.frames[0].json, "{\"a\":1}");
    EXPECT_EQ(r.frames[1].json, "{\"c\":3}") << "the following line is still read";
    EXPECT_EQ(r.frames[1].position, "memory: line 3");
  }
}

TEST(JsonInputTest, OverlongLastLineWithoutNewline) {
  ReaderLimits limits;
  limits.max_record_bytes = 8;
  ReadResult r = ReadAll("{\"a\":1}\n{\"b\":\"xxxxxxxxxxxxxxx\"}", 1, limits);
  ASSERT_EQ(r.bad.size(), 1u);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_TRUE(r.eof);
}

TEST(JsonInputTest, LineAtTheLimitIsAccepted) {
  ReaderLimits limits;
  limits.max_record_bytes = 7;
  ReadResult r = ReadAll("{\"a\":1}\n{\"a\":12}\n{\"a\":3}\n", SIZE_MAX, limits);
  ASSERT_EQ(r.frames.size(), 2u);
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_EQ(r.bad[0].position, "memory: line 2");
}

TEST(JsonInputTest, MalformedControlLines) {
  const char* cases[] = {
      "{\"@sstream\":\"tick\"}",                               // no epoch
      "{\"@sstream\":\"tick\",\"epoch\":\"3\"}",               // epoch not an integer
      "{\"@sstream\":\"tick\",\"epoch\":-1}",                  // negative epoch
      "{\"@sstream\":\"watermark\"}",                          // no ms
      "{\"@sstream\":7}",                                      // kind not a string
      "{\"@sstream\":\"tick\",\"epoch\":1",                    // not JSON
      "{\"@sstream\":\"frame\",\"type\":300,\"hex\":\"\"}",    // type out of range
      "{\"@sstream\":\"frame\",\"type\":48,\"hex\":\"abc\"}",  // odd hex
      "{\"@sstream\":\"frame\",\"type\":48,\"hex\":\"zz\"}",   // not hex
      "{\"@sstream\":\"frame\",\"type\":2,\"hex\":\"\"}",      // a known type in disguise
  };
  for (const char* c : cases) {
    SCOPED_TRACE(c);
    ReadResult r = ReadAll(std::string("{\"a\":1}\n") + c + "\n{\"a\":2}\n");
    ASSERT_EQ(r.bad.size(), 1u);
    EXPECT_FALSE(r.fatal);
    EXPECT_TRUE(r.bad[0].status.IsInvalidArgument()) << r.bad[0].status.ToString();
    EXPECT_EQ(r.bad[0].position, "memory: line 2");
    EXPECT_EQ(r.bad[0].bad_bytes, c);
    ASSERT_EQ(r.frames.size(), 2u);
    EXPECT_EQ(r.frames[1].json, "{\"a\":2}");
  }
}

TEST(JsonInputTest, ControlLinesWithSpacesAndExtraKeys) {
  ReadResult r = ReadAll(
      "{ \"@sstream\" : \"tick\", \"epoch\": 9, \"extra\": true }\n"
      "{\t\"@sstream\":\"watermark\",\"ms\":1000,\"time\":\"1970-01-01T00:00:01.000Z\"}\n");
  ASSERT_TRUE(r.bad.empty()) << r.bad[0].status.ToString();
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[0].type, FrameType::kTick);
  EXPECT_EQ(r.frames[0].epoch, 9);
  EXPECT_EQ(r.frames[1].type, FrameType::kWatermark);
  EXPECT_EQ(r.frames[1].watermark, 1'000);
}

TEST(JsonInputTest, UnknownControlKindIsForwardedVerbatim) {
  ReadResult r = ReadAll(std::string(kFutureLine) + "\n");
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.frames[0].type, FrameType::kJsonControl);
  EXPECT_EQ(r.frames[0].json, kFutureLine);
  EXPECT_EQ(Rewrite(r.frames, WireFormat::kJson), std::string(kFutureLine) + "\n");
}

TEST(JsonInputTest, DataLinesAreNotValidatedByTheReader) {
  // The reader only frames lines; stages validate records (and report them
  // with the reader's position).
  ReadResult r = ReadAll("not json\n[1,2]\n");
  ASSERT_TRUE(r.bad.empty());
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[0].json, "not json");
}

}  // namespace
}  // namespace sstream

namespace sstream {
namespace {

// The exact bytes of the example in sstream-frame(5), whose checksums were
// checked there with an independent CRC-32C: pins the layout, the field
// order and the checksum coverage of every frame type as written.
TEST(FrameGoldenBytesTest, MatchesTheManPageExample) {
  const unsigned char kWant[] = {
      0x89, 0x53, 0x53, 0x54, 0x52, 0x0d, 0x0a, 0x1a, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x6c, 0x7d, 0x39, 0x2e, 0x08, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x58, 0x1b,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xad, 0x1d, 0x76, 0xa9, 0x08, 0x00, 0x00, 0x00, 0x02,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x89, 0x47, 0xc6, 0x5d,
      0x33, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x7b, 0x22, 0x77, 0x69, 0x6e, 0x64, 0x6f,
      0x77, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x22, 0x3a, 0x31, 0x30, 0x30, 0x30, 0x30, 0x2c,
      0x22, 0x77, 0x69, 0x6e, 0x64, 0x6f, 0x77, 0x5f, 0x65, 0x6e, 0x64, 0x22, 0x3a, 0x32, 0x30,
      0x30, 0x30, 0x30, 0x2c, 0x22, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x22, 0x3a, 0x31, 0x7d, 0x79,
      0x83, 0x0a, 0xf7, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00};
  MemorySink sink;
  FrameWriter w(&sink, WireFormat::kBinary);
  ASSERT_TRUE(w.WriteWatermark(7'000).ok());
  ASSERT_TRUE(w.WriteTick(0).ok());
  ASSERT_TRUE(w.WriteData(R"({"window_start":10000,"window_end":20000,"count":1})").ok());
  ASSERT_TRUE(w.WriteEnd().ok());
  EXPECT_EQ(sink.contents(), std::string(reinterpret_cast<const char*>(kWant), sizeof(kWant)));
}

}  // namespace
}  // namespace sstream

namespace sstream {
namespace {

// A record from binary input may span lines (JSON whitespace); in the JSON
// wire format it must still be one line, or NDJSON framing breaks.
TEST(FrameWriterTest, LineBreaksInARecordBecomeSpacesInJson) {
  MemorySink sink;
  FrameWriter w(&sink, WireFormat::kJson);
  ASSERT_TRUE(w.WriteData("{\"a\":\n1,\n\"b\":\"x\"}").ok());
  ASSERT_TRUE(w.WriteTick(3).ok());
  EXPECT_EQ(sink.contents(), "{\"a\": 1, \"b\":\"x\"}\n{\"@sstream\":\"tick\",\"epoch\":3}\n");
}

}  // namespace
}  // namespace sstream
