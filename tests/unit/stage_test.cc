// RunStage (stage.h): batches, forwarding of control frames, bad-record
// policies, end of input.
#include "sstream/stage.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "sstream/record.h"
#include "stage_harness.h"

namespace sstream {
namespace {

using testing_util::Lines;
using testing_util::RunOperator;
using testing_util::StageRun;
using testing_util::TempDir;
using testing_util::Tick;

// Passes records through, rejects records with a "bad" field, and writes a
// marker line at every batch end and at the end of input.
class EchoOperator : public Operator {
 public:
  Status OnRecord(const Frame& f, FrameWriter* out) override {
    records.emplace_back(f.json);
    if (std::string_view(f.json).find("\"bad\"") != std::string_view::npos) {
      return Status::InvalidArgument("bad field");
    }
    if (std::string_view(f.json).find("\"fatal\"") != std::string_view::npos) {
      return Status::IOError("disk on fire");
    }
    return out->WriteData(f.json, f.has_event_time, f.event_time);
  }
  Status OnBatchEnd(int64_t epoch, FrameWriter* out) override {
    epochs.push_back(epoch);
    return out->WriteData("{\"batch\":" + std::to_string(epoch) + "}");
  }
  Status OnEnd(FrameWriter* out) override {
    ++ends;
    return out->WriteData("{\"end\":true}");
  }

  std::vector<std::string> records;
  std::vector<int64_t> epochs;
  int ends = 0;
};

using testing_util::kEnd;

// A TICK downstream follows everything its batch produced.
TEST(RunStageTest, BatchOutputPrecedesItsTick) {
  EchoOperator op;
  StageRun r =
      RunOperator(&op, Lines({"{\"a\":1}", "{\"a\":2}", Tick(0), "{\"a\":3}", Tick(1), kEnd}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.lines, std::vector<std::string>({"{\"a\":1}", "{\"a\":2}", "{\"batch\":0}", Tick(0),
                                               "{\"a\":3}", "{\"batch\":1}", Tick(1),
                                               "{\"end\":true}", kEnd}));
  EXPECT_EQ(op.epochs, std::vector<int64_t>({0, 1}));
  EXPECT_EQ(op.ends, 1);
}

TEST(RunStageTest, UpstreamEpochIdsAreKept) {
  EchoOperator op;
  StageRun r = RunOperator(&op, Lines({"{\"a\":1}", Tick(41), Tick(42), kEnd}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(op.epochs, std::vector<int64_t>({41, 42})) << "an empty upstream batch still ticks";
}

TEST(RunStageTest, EofWithoutEndClosesTheOpenBatchAndCallsOnEnd) {
  EchoOperator op;
  StageRun r = RunOperator(&op, Lines({"{\"a\":1}", "{\"a\":2}"}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.lines, std::vector<std::string>({"{\"a\":1}", "{\"a\":2}", "{\"batch\":0}", Tick(0),
                                               "{\"end\":true}", kEnd}));
  EXPECT_EQ(op.ends, 1);
}

TEST(RunStageTest, OwnEpochsContinueAfterUpstreamTicks) {
  EchoOperator op;
  StageRun r = RunOperator(&op, Lines({"{\"a\":1}", Tick(7), "{\"a\":2}"}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(op.epochs, std::vector<int64_t>({7, 8}));
}

TEST(RunStageTest, EmptyInputStillEnds) {
  EchoOperator op;
  StageRun r = RunOperator(&op, "");
  ASSERT_TRUE(r.status.ok());
  EXPECT_TRUE(op.epochs.empty()) << "no records: no batch";
  EXPECT_EQ(op.ends, 1);
  EXPECT_EQ(r.lines, std::vector<std::string>({"{\"end\":true}", kEnd}));
}

TEST(RunStageTest, EndFrameStopsReading) {
  EchoOperator op;
  StageRun r = RunOperator(&op, Lines({"{\"a\":1}", kEnd, "{\"a\":2}"}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(op.records, std::vector<std::string>({"{\"a\":1}"}));
  EXPECT_EQ(r.lines.back(), kEnd);
}

TEST(RunStageTest, UnknownControlFramesAreForwardedUnchanged) {
  const std::string future = "{\"@sstream\":\"future\",\"x\":1}";
  const std::string frame = "{\"@sstream\":\"frame\",\"type\":48,\"hex\":\"00ff\"}";
  const std::string wm =
      "{\"@sstream\":\"watermark\",\"ms\":5000,\"time\":\"1970-01-01T00:00:05.000Z\"}";
  EchoOperator op;
  StageRun r = RunOperator(&op, Lines({"{\"a\":1}", future, frame, wm, Tick(0), kEnd}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.lines, std::vector<std::string>({"{\"a\":1}", future, frame, wm, "{\"batch\":0}",
                                               Tick(0), "{\"end\":true}", kEnd}));
}

TEST(RunStageTest, BinaryInputJsonOutputAndBack) {
  MemorySink bin;
  {
    FrameWriter w(&bin, WireFormat::kBinary);
    ASSERT_TRUE(w.WriteData("{\"a\":1}", true, 1234).ok());
    ASSERT_TRUE(w.WriteTick(3).ok());
    ASSERT_TRUE(w.WriteEnd().ok());
  }
  EchoOperator op;
  StageRun r = RunOperator(&op, bin.contents());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.lines, std::vector<std::string>(
                         {"{\"a\":1}", "{\"batch\":3}", Tick(3), "{\"end\":true}", kEnd}));
  // Binary out: the event time extracted upstream travels on.
  CommonOptions common;
  common.wire = "binary";
  EchoOperator op2;
  StageRun b = RunOperator(&op2, bin.contents(), common);
  ASSERT_TRUE(b.status.ok());
  MemorySource src(b.output);
  FrameReader reader(&src);
  Frame f;
  Status st;
  ASSERT_EQ(reader.Next(&f, 0, &st), FrameReader::Result::kFrame);
  EXPECT_EQ(reader.format(), WireFormat::kBinary);
  EXPECT_EQ(f.json, "{\"a\":1}");
  EXPECT_TRUE(f.has_event_time);
  EXPECT_EQ(f.event_time, 1234);
}

TEST(RunStageTest, DataOnlyAndTerminalWriteNoControlLines) {
  CommonOptions common;
  common.data_only = true;
  EchoOperator op;
  StageRun r =
      RunOperator(&op, Lines({"{\"a\":1}", Tick(0), "{\"@sstream\":\"future\"}", kEnd}), common);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.lines, std::vector<std::string>({"{\"a\":1}", "{\"batch\":0}", "{\"end\":true}"}));
  EchoOperator op2;
  StageRun t = RunOperator(&op2, Lines({"{\"a\":1}", Tick(0), "{\"@sstream\":\"future\"}", kEnd}),
                           CommonOptions(), /*terminal=*/true);
  ASSERT_TRUE(t.status.ok());
  EXPECT_TRUE(t.control.empty()) << t.output;
}

TEST(RunStageTest, DamagedBinaryInputIsFatalCorruption) {
  MemorySink bin;
  {
    FrameWriter w(&bin, WireFormat::kBinary);
    ASSERT_TRUE(w.WriteData("{\"a\":1}").ok());
    ASSERT_TRUE(w.WriteData("{\"a\":2}").ok());
    ASSERT_TRUE(w.Flush().ok());
  }
  std::string bytes = bin.contents();
  bytes.resize(bytes.size() - 3);
  CommonOptions skip;
  skip.bad_records = "skip";
  EchoOperator op;
  StageRun r = RunOperator(&op, bytes, skip);
  EXPECT_TRUE(r.status.IsCorruption()) << r.status.ToString();
  EXPECT_EQ(ExitCodeFor(r.status), kExitCorrupt);
  EXPECT_NE(r.status.message().find("memory: byte"), std::string::npos);
}

TEST(RunStageTest, ChecksumMismatchFollowsThePolicy) {
  MemorySink bin;
  {
    FrameWriter w(&bin, WireFormat::kBinary);
    ASSERT_TRUE(w.WriteData("{\"a\":1}").ok());
    ASSERT_TRUE(w.WriteData("{\"a\":2}").ok());
    ASSERT_TRUE(w.WriteData("{\"a\":3}").ok());
    ASSERT_TRUE(w.Flush().ok());
  }
  std::string bytes = bin.contents();
  bytes[16 + 12 + 7 + 12 + 3] ^= 0x20;  // inside the second payload
  EchoOperator fail_op;
  StageRun f = RunOperator(&fail_op, bytes);
  EXPECT_TRUE(f.status.IsCorruption()) << f.status.ToString();
  EXPECT_NE(f.status.message().find("memory: byte 35: frame checksum mismatch"), std::string::npos)
      << f.status.message();
  CommonOptions skip;
  skip.bad_records = "skip";
  EchoOperator op;
  StageRun r = RunOperator(&op, bytes, skip);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(op.records, std::vector<std::string>({"{\"a\":1}", "{\"a\":3}"}));
}

// ---- bad-record policies ----

TEST(BadRecordPolicyTest, FailNamesThePosition) {
  EchoOperator op;
  StageRun r = RunOperator(&op, Lines({"{\"a\":1}", "{\"bad\":1}", "{\"a\":3}"}));
  ASSERT_TRUE(r.status.IsInvalidArgument()) << r.status.ToString();
  EXPECT_EQ(r.status.message(), "memory: line 2: bad field");
  EXPECT_EQ(op.records.size(), 2u) << "stops at the bad record";
  EXPECT_EQ(op.ends, 0) << "a failed run does not flush";
}

TEST(BadRecordPolicyTest, FailOnABadControlLineNamesThePositionOnce) {
  EchoOperator op;
  StageRun r = RunOperator(&op, Lines({"{\"a\":1}", "{\"a\":2}", "{\"@sstream\":\"tick\"}"}));
  ASSERT_TRUE(r.status.IsInvalidArgument()) << r.status.ToString();
  const std::string& m = r.status.message();
  EXPECT_EQ(m.rfind("memory: line 3: ", 0), 0u) << m;
  EXPECT_EQ(m.find("memory: line 3", 1), std::string::npos) << "position repeated: " << m;
}

TEST(BadRecordPolicyTest, FailOnAnOverlongLine) {
  CommonOptions common;
  common.max_record_bytes = 10;
  EchoOperator op;
  StageRun r =
      RunOperator(&op, Lines({"{\"a\":1}", "{\"a\":\"0123456789\"}", "{\"a\":3}"}), common);
  ASSERT_TRUE(r.status.IsInvalidArgument()) << r.status.ToString();
  EXPECT_EQ(r.status.message().rfind("memory: line 2: ", 0), 0u) << r.status.message();
}

TEST(BadRecordPolicyTest, SkipCountsAndContinues) {
  CommonOptions common;
  common.bad_records = "skip";
  EchoOperator op;
  StageRun r = RunOperator(
      &op,
      Lines({"{\"a\":1}", "{\"bad\":1}", "{\"@sstream\":\"tick\"}", "{\"bad\":2}", "{\"a\":5}"}),
      common);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>(
                        {"{\"a\":1}", "{\"a\":5}", "{\"batch\":0}", "{\"end\":true}"}));

  std::unique_ptr<BadRecordHandler> h;
  ASSERT_TRUE(BadRecordHandler::Create(common, &h).ok());
  EXPECT_TRUE(h->Handle("x: line 1", Status::InvalidArgument("e"), "raw").ok());
  EXPECT_TRUE(h->Handle("x: line 2", Status::InvalidArgument("e"), "raw").ok());
  EXPECT_EQ(h->count(), 2);
}

TEST(BadRecordPolicyTest, OperatorErrorsOtherThanInvalidArgumentStopTheStage) {
  CommonOptions common;
  common.bad_records = "skip";
  EchoOperator op;
  StageRun r = RunOperator(&op, Lines({"{\"a\":1}", "{\"fatal\":1}", "{\"a\":3}"}), common);
  EXPECT_EQ(r.status.code(), StatusCode::kIOError);
  EXPECT_EQ(op.records.size(), 2u);
}

TEST(BadRecordPolicyTest, DeadLetterWritesJsonLines) {
  TempDir dir;
  CommonOptions common;
  common.bad_records = "dead-letter";
  common.dead_letter = dir.File("dead.ndjson");
  EchoOperator op;
  StageRun r = RunOperator(&op,
                           Lines({"{\"a\":1}", "{\"bad\":\"x\\\"y\"}", "{\"@sstream\":\"tick\"}",
                                  "{\"bad\":\"\xff\"}", "{\"a\":5}"}),
                           common);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.data, std::vector<std::string>(
                        {"{\"a\":1}", "{\"a\":5}", "{\"batch\":0}", "{\"end\":true}"}));
  auto lines = testing_util::SplitLines(TempDir::Read(common.dead_letter));
  ASSERT_EQ(lines.size(), 3u);
  struct Want {
    const char* position;
    const char* error;
    std::string record;
  };
  const Want want[] = {
      {"memory: line 2", "bad field", "{\"bad\":\"x\\\"y\"}"},
      {"memory: line 3", "tick needs an integer \"epoch\"", "{\"@sstream\":\"tick\"}"},
      {"memory: line 4", "bad field", "{\"bad\":\"\xEF\xBF\xBD\"}"},
  };
  for (size_t i = 0; i < 3; ++i) {
    RecordScanner s({"position", "error", "record"});
    ASSERT_TRUE(s.ScanCopy(lines[i]).ok()) << "each dead letter is valid JSON: " << lines[i];
    std::string scratch;
    std::string_view text;
    ASSERT_TRUE(StringContent(s.value(0), &scratch, &text).ok());
    EXPECT_EQ(text, want[i].position);
    ASSERT_TRUE(StringContent(s.value(1), &scratch, &text).ok());
    EXPECT_NE(text.find(want[i].error), std::string_view::npos) << text;
    ASSERT_TRUE(StringContent(s.value(2), &scratch, &text).ok());
    EXPECT_EQ(text, want[i].record);
  }
}

TEST(BadRecordPolicyTest, DeadLetterFileAloneImpliesThePolicyAndAppends) {
  TempDir dir;
  CommonOptions common;
  common.dead_letter = dir.Write("dead.ndjson", "{\"earlier\":true}\n");
  EchoOperator op;
  StageRun r = RunOperator(&op, Lines({"{\"bad\":1}", "{\"a\":2}"}), common);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  auto lines = testing_util::SplitLines(TempDir::Read(common.dead_letter));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "{\"earlier\":true}");
  EXPECT_NE(lines[1].find("\"position\":\"memory: line 1\""), std::string::npos) << lines[1];
}

TEST(BadRecordPolicyTest, OptionErrors) {
  std::unique_ptr<BadRecordHandler> h;
  CommonOptions unknown;
  unknown.bad_records = "ignore";
  EXPECT_TRUE(BadRecordHandler::Create(unknown, &h).IsInvalidArgument());
  CommonOptions no_file;
  no_file.bad_records = "dead-letter";
  Status s = BadRecordHandler::Create(no_file, &h);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("--dead-letter"), std::string::npos);
  CommonOptions bad_dir;
  bad_dir.dead_letter = "/nonexistent-dir-for-sstream-tests/dead.ndjson";
  EXPECT_FALSE(BadRecordHandler::Create(bad_dir, &h).ok());

  CommonOptions contradiction;
  contradiction.bad_records = "skip";
  contradiction.dead_letter = "unused.ndjson";
  s = BadRecordHandler::Create(contradiction, &h);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("contradict"), std::string::npos) << s.message();

  CommonOptions fail;
  ASSERT_TRUE(BadRecordHandler::Create(fail, &h).ok());
  Status f = h->Handle("in: line 9", Status::InvalidArgument("why"), "raw");
  EXPECT_EQ(f.message(), "in: line 9: why");
  EXPECT_EQ(h->count(), 0);
}

using testing_util::ScriptedSource;

// Without upstream ticks (a grep or jq in between) a stage closes batches on
// its own clock, skipping empty ones; once upstream ticks arrive they take
// over, and epoch ids keep growing.
TEST(RunStageTest, OwnClockBatchesUntilUpstreamTicks) {
  ManualClock clock(1'000'000);
  CommonOptions common;  // --tick 1s
  ScriptedSource in({{"{\"a\":1}\n"},
                     {"", 500},    // 1000500: before the first own deadline
                     {"", 600},    // 1001100: batch 0 closes on the stage's clock
                     {"", 5'000},  // nothing arrived: no empty batch
                     {"{\"a\":2}\n" + Tick(0) + "\n"},  // upstream's epoch 0 comes after ours
                     {"{\"a\":3}\n"},
                     {"", 5'000}},  // upstream ticks now: no own batch
                    &clock);
  MemorySink out;
  EchoOperator op;
  ASSERT_TRUE(testing_util::RunOperatorOn(&op, &in, &clock, &out, common).ok());
  EXPECT_EQ(op.epochs, std::vector<int64_t>({0, 1, 2}));
  EXPECT_EQ(testing_util::SplitLines(out.contents()),
            std::vector<std::string>({"{\"a\":1}", "{\"batch\":0}", Tick(0), "{\"a\":2}",
                                      "{\"batch\":1}", Tick(1), "{\"a\":3}", "{\"batch\":2}",
                                      Tick(2), "{\"end\":true}", kEnd}));
}

TEST(RunStageTest, BadTickOptionIsRefused) {
  CommonOptions common;
  common.tick = "soon";
  EchoOperator op;
  StageRun r = RunOperator(&op, Lines({"{\"a\":1}"}), common);
  // Option values found unusable before any I/O are usage errors (exit 2).
  EXPECT_EQ(r.status.code(), StatusCode::kUsage) << r.status.ToString();
  EXPECT_NE(r.status.message().find("--tick"), std::string::npos);
  EXPECT_TRUE(op.records.empty());
  CommonOptions wire;
  wire.wire = "xml";
  EchoOperator op2;
  EXPECT_EQ(ExitCodeFor(RunOperator(&op2, "", wire).status), kExitUsage);
  CommonOptions policy;
  policy.bad_records = "ignore";
  EchoOperator op3;
  EXPECT_EQ(ExitCodeFor(RunOperator(&op3, "", policy).status), kExitUsage);
}

TEST(RunStageTest, OneByteReads) {
  EchoOperator op;
  StageRun r =
      RunOperator(&op, Lines({"{\"a\":1}", Tick(0), "{\"a\":2}", kEnd}), CommonOptions(), false, 1);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.lines, std::vector<std::string>({"{\"a\":1}", "{\"batch\":0}", Tick(0), "{\"a\":2}",
                                               "{\"batch\":1}", Tick(1), "{\"end\":true}", kEnd}));
}

}  // namespace
}  // namespace sstream
