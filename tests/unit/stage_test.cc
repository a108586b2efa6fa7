// RunStage (stage.h): batches, forwarding of control frames, bad-record
// policies, end of input.
#include "sstream/stage.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "sstream/log.h"
#include "sstream/record.h"
#include "stage_harness.h"

namespace sstream {
namespace {

using testing_util::Lines;
using testing_util::ScriptedSource;
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

// issue-10: input that goes on after END (two streams in one pipe) stops the
// stage with an error instead of being dropped.
TEST(RunStageTest, Issue10InputAfterEndIsAnError) {
  EchoOperator op;
  StageRun r = RunOperator(&op, Lines({"{\"a\":1}", Tick(0), kEnd, "{\"a\":2}", Tick(0), kEnd}));
  EXPECT_TRUE(testing_util::FailsWith(r.status, "memory: line 4: input continues after the end "
                                                "of the stream (memory: line 3)"));
  EXPECT_EQ(ExitCodeFor(r.status), kExitFailure);
  EXPECT_NE(r.status.message().find("grep -v"), std::string::npos);
  EXPECT_EQ(op.ends, 0) << "nothing is flushed as if the input had ended";
  // A control signal after END is as wrong as a record.
  EchoOperator op2;
  StageRun c = RunOperator(&op2, Lines({"{\"a\":1}", kEnd, Tick(5)}));
  EXPECT_TRUE(testing_util::FailsWith(c.status, "line 3: input continues after the end"));
  // END followed by the end of input ends as always; blank lines carry nothing.
  EchoOperator op3;
  StageRun e = RunOperator(&op3, Lines({"{\"a\":1}", kEnd, ""}));
  ASSERT_TRUE(e.status.ok()) << e.status.ToString();
  EXPECT_EQ(e.lines.back(), kEnd);
  EXPECT_EQ(op3.ends, 1);
}

// issue-10: epochs from upstream only grow; a repeated or smaller one is a
// broken upstream (or two streams interleaved in one pipe) and stops the stage.
TEST(RunStageTest, Issue10EpochsThatDoNotIncreaseStopTheStage) {
  EchoOperator op;
  StageRun r = RunOperator(&op, Lines({"{\"a\":1}", Tick(5), "{\"a\":2}", Tick(2), "{\"a\":3}",
                                       Tick(7), kEnd}));
  EXPECT_TRUE(testing_util::FailsWith(r.status, "memory: line 4: epoch 2 follows epoch 5"));
  EXPECT_EQ(ExitCodeFor(r.status), kExitFailure);
  EXPECT_EQ(op.epochs, std::vector<int64_t>({5}));
  EchoOperator same;
  StageRun s = RunOperator(&same, Lines({Tick(0), "{\"a\":1}", Tick(0), kEnd}));
  EXPECT_TRUE(testing_util::FailsWith(s.status, "epoch 0 follows epoch 0"));
  // Binary ticks follow the same rule.
  MemorySink bin;
  {
    FrameWriter w(&bin, WireFormat::kBinary);
    ASSERT_TRUE(w.WriteTick(3).ok());
    ASSERT_TRUE(w.WriteTick(1).ok());
  }
  EchoOperator b;
  EXPECT_TRUE(testing_util::FailsWith(RunOperator(&b, bin.contents()).status,
                                      "memory: byte 36: epoch 1 follows epoch 3"));
}

// issue-10: a checkpoint-less stage that numbered batches on its own clock
// before upstream's first TICK keeps renumbering upstream's epochs after its
// own (the one renumbering allowed).
TEST(RunStageTest, Issue10OwnEpochsBeforeUpstreamTicksStillRenumber) {
  ManualClock clock(1'000'000);
  testing_util::ScriptedSource in({{"{\"a\":1}\n"}, {"", 1'500}, {"{\"a\":2}\n"}, {"", 1'500},
                     {Tick(0) + "\n" + Tick(1) + "\n"}},
                    &clock);
  MemorySink out;
  EchoOperator op;
  ASSERT_TRUE(testing_util::RunOperatorOn(&op, &in, &clock, &out).ok());
  EXPECT_EQ(op.epochs, std::vector<int64_t>({0, 1, 2, 3}));
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
  bytes[16 + 12 + 7 + 4 + 3] = '\x7f';  // the second frame's length: impossible
  CommonOptions skip;
  skip.bad_records = "skip";
  EchoOperator op;
  StageRun r = RunOperator(&op, bytes, skip);
  EXPECT_TRUE(r.status.IsCorruption()) << r.status.ToString();
  EXPECT_EQ(ExitCodeFor(r.status), kExitCorrupt);
  EXPECT_NE(r.status.message().find("memory: byte 35"), std::string::npos) << r.status.message();
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

// issue-10: records that trickle in (a grep --line-buffered upstream, never
// quiet long enough for a wait to time out) still close own batches on time.
TEST(RunStageTest, Issue10OwnTicksCloseOnTimeWhileRecordsTrickle) {
  ManualClock clock(1'000'000);
  std::vector<ScriptedSource::Step> steps;
  for (int i = 0; i < 10; ++i) {
    ScriptedSource::Step s;
    s.data = "{\"i\":" + std::to_string(i) + "}\n";
    s.advance_ms = 400;  // each record arrives 400 ms after the last
    steps.push_back(s);
  }
  ScriptedSource in(steps, &clock);
  MemorySink out;
  EchoOperator op;
  ASSERT_TRUE(testing_util::RunOperatorOn(&op, &in, &clock, &out).ok());
  // Deadlines at 1 s, 2 s, 3 s, 4 s after the start; records at 0.4 s .. 4 s.
  EXPECT_EQ(op.epochs, std::vector<int64_t>({0, 1, 2, 3}));
  std::vector<std::string> lines = testing_util::SplitLines(out.contents());
  EXPECT_EQ(std::vector<std::string>(lines.begin(), lines.begin() + 5),
            std::vector<std::string>({"{\"i\":0}", "{\"i\":1}", "{\"batch\":0}", Tick(0),
                                      "{\"i\":2}"}))
      << "batch 0 closes when the clock passes its deadline, before the third record";
}

// issue-10: a stream cut off inside its last record by a killed upstream is
// a truncated stream, not a bad record: the intact records count, the cut one
// is dropped with a warning, and JSON and binary behave alike.
TEST(RunStageTest, Issue10CutLastRecordIsATruncatedStream) {
  CommonOptions dead;
  TempDir dir;
  dead.dead_letter = dir.File("dead.jsonl");
  EchoOperator op;
  StageRun r = RunOperator(&op, "{\"a\":1}\n{\"a\":2}\n{\"a\":\"hal", dead);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(op.records, std::vector<std::string>({"{\"a\":1}", "{\"a\":2}"}));
  EXPECT_EQ(op.ends, 1) << "ends as input without END does";
  EXPECT_EQ(TempDir::Read(dead.dead_letter), "") << "a cut record is no dead letter";
  // Complete JSON without a final newline is a record like any other.
  EchoOperator whole;
  StageRun w = RunOperator(&whole, "{\"a\":1}\n{\"a\":[1,{\"b\":\"}\"}]}");
  ASSERT_TRUE(w.status.ok());
  EXPECT_EQ(whole.records.size(), 2u);
  // Invalid but finished text without a newline stays a bad record.
  EchoOperator bad;
  EXPECT_TRUE(testing_util::FailsWith(RunOperator(&bad, "{\"a\":1}\n{\"bad\":1}").status,
                                      "memory: line 2: bad field"));
  // Binary: cut inside a payload and inside a frame header alike.
  MemorySink bin;
  {
    FrameWriter wr(&bin, WireFormat::kBinary);
    ASSERT_TRUE(wr.WriteData("{\"a\":1}").ok());
    ASSERT_TRUE(wr.WriteData("{\"a\":2}").ok());
    ASSERT_TRUE(wr.WriteData("{\"a\":3}").ok());
    ASSERT_TRUE(wr.Flush().ok());
  }
  for (size_t cut : {3, 12 + 7 - 5}) {
    std::string bytes = bin.contents();
    bytes.resize(bytes.size() - cut);
    CommonOptions skip;
    skip.bad_records = "skip";
    EchoOperator b;
    StageRun br = RunOperator(&b, bytes, skip);
    ASSERT_TRUE(br.status.ok()) << br.status.ToString();
    EXPECT_EQ(b.records, std::vector<std::string>({"{\"a\":1}", "{\"a\":2}"})) << cut;
    EXPECT_EQ(br.lines, std::vector<std::string>({"{\"a\":1}", "{\"a\":2}", "{\"batch\":0}",
                                                  Tick(0), "{\"end\":true}", kEnd}));
  }
}

// issue-10: under a checkpoint, --idle-timeout finishes windows in upstream's
// next epoch instead of inventing one of its own.
TEST(RunStageTest, Issue10IdleUnderACheckpointInventsNoEpoch) {
  class IdleOp : public EchoOperator {
   public:
    int64_t IdleTimeoutMs() const override { return 600; }
    void OnIdle() override { ++idles; }
    int idles = 0;
  };
  ManualClock clock(1'000'000);
  testing_util::ScriptedSource in(
      {{"{\"a\":1}\n" + Tick(0) + "\n"}, {"", 700}, {"{\"a\":2}\n" + Tick(1) + "\n"}}, &clock);
  MemorySink out;
  IdleOp op;
  CommonOptions common;
  common.checkpoint = "unused";  // epochs are upstream's (no store is opened here)
  ASSERT_TRUE(testing_util::RunOperatorOn(&op, &in, &clock, &out, common).ok());
  EXPECT_EQ(op.idles, 1);
  EXPECT_EQ(op.epochs, std::vector<int64_t>({0, 1}));
  // Without a checkpoint the idle batch closes at once, on the stage's count.
  ManualClock clock2(1'000'000);
  testing_util::ScriptedSource in2(
      {{"{\"a\":1}\n" + Tick(0) + "\n"}, {"", 700}, {"{\"a\":2}\n" + Tick(1) + "\n"}}, &clock2);
  MemorySink out2;
  IdleOp op2;
  ASSERT_TRUE(testing_util::RunOperatorOn(&op2, &in2, &clock2, &out2).ok());
  EXPECT_EQ(op2.epochs, std::vector<int64_t>({0, 1, 2}));
}

// issue-10: a stop request (SIGTERM) that lands after the stage looked at
// its stop flag and before it waits for input ends the wait at once, instead
// of when more input arrives.
TEST(StopRequestTest, Issue10StopJustBeforeAWaitEndsIt) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  FdSource in(p[0], "pipe", /*own_fd=*/true);
  ASSERT_FALSE(StopRequested());
  RequestStop();  // as the signal handler does, between the check and the wait
  // A watchdog feeds the pipe if the wait does not end (the bug), so the
  // test fails instead of hanging.
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return done; })) {
      (void)!::write(p[1], "x", 1);
    }
  });
  char buf[16];
  size_t got = 0;
  bool timed_out = false;
  Status s = in.Read(buf, sizeof(buf), -1, &got, &timed_out);
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  watchdog.join();
  ClearStopRequestForTesting();
  ::close(p[1]);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(timed_out) << "the wait ended for the stop request, not for input";
  EXPECT_EQ(got, 0u);
  EXPECT_FALSE(StopRequested());
}

// A stateful operator of a given kind and mode (window, dedup stand-in).
class StatefulOp : public EchoOperator {
 public:
  StatefulOp(std::string op, std::string mode) : op_(std::move(op)), mode_(std::move(mode)) {}
  bool Stateful(StreamProperties* own) const override {
    own->op = op_;
    own->mode = mode_;
    return true;
  }

 private:
  std::string op_, mode_;
};

std::string StreamLine(const std::string& op, const std::string& mode) {
  return "{\"@sstream\":\"stream\",\"operator\":\"" + op + "\",\"mode\":\"" + mode + "\"}";
}

// issue-10: the output mode of the stage that produced a stream travels with
// it (STREAM), so a stateful stage refuses what Spark refuses before it
// writes anything.
TEST(StreamSignalTest, Issue10ChainedStatefulStagesFollowSparksRules) {
  struct Case {
    std::string up_op, up_mode, op, mode;
    bool refused;
  };
  for (const Case& c : std::vector<Case>{
           {"aggregation", "update", "aggregation", "update", true},
           {"aggregation", "complete", "aggregation", "append", true},
           {"aggregation", "update", "aggregation", "append", true},
           {"aggregation", "append", "aggregation", "update", true},
           {"aggregation", "append", "aggregation", "append", false},
           {"aggregation", "append", "deduplication", "append", true},
           {"aggregation", "update", "deduplication", "append", true},
           {"deduplication", "append", "aggregation", "update", false},
           {"deduplication", "append", "deduplication", "append", false},
       }) {
    StatefulOp op(c.op, c.mode);
    StageRun r = RunOperator(
        &op, Lines({StreamLine(c.up_op, c.up_mode), "{\"a\":1}", Tick(0), kEnd}));
    const std::string what = c.up_op + "/" + c.up_mode + " then " + c.op + "/" + c.mode;
    if (c.refused) {
      EXPECT_EQ(ExitCodeFor(r.status), kExitUsage) << what << ": " << r.status.ToString();
      EXPECT_NE(r.status.message().find("memory: line 1: "), std::string::npos) << what;
      EXPECT_EQ(r.output, "") << what << ": refused before any output";
      EXPECT_TRUE(op.records.empty());
    } else {
      ASSERT_TRUE(r.status.ok()) << what << ": " << r.status.ToString();
      EXPECT_EQ(r.stream, StreamLine(c.op, c.mode)) << what << ": its own replaces upstream's";
      EXPECT_EQ(std::count(r.control.begin(), r.control.end(), StreamLine(c.up_op, c.up_mode)), 0);
    }
  }
  StatefulOp update("aggregation", "update");
  StageRun r = RunOperator(
      &update, Lines({StreamLine("aggregation", "append"), "{\"a\":1}", Tick(0), kEnd}));
  EXPECT_NE(r.status.message().find("this aggregation in update mode follows an aggregation in "
                                    "append mode"),
            std::string::npos)
      << r.status.message();
}

TEST(StreamSignalTest, Issue10StatelessStagesForwardItAndStatefulOnesWriteTheirOwn) {
  // Stateless: forwarded unchanged, in its place.
  EchoOperator echo;
  const std::string up = StreamLine("aggregation", "update");
  StageRun r = RunOperator(&echo, Lines({up, "{\"a\":1}", Tick(0), kEnd}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.stream, up);
  // Stateful without an upstream STREAM: its own comes first, even for an
  // empty input.
  StatefulOp agg("aggregation", "append");
  StageRun a = RunOperator(&agg, "");
  ASSERT_TRUE(a.status.ok());
  EXPECT_EQ(a.stream, StreamLine("aggregation", "append"));
  EXPECT_EQ(a.lines, std::vector<std::string>({"{\"end\":true}", kEnd}));
  // --data-only and terminals write no STREAM.
  CommonOptions data_only;
  data_only.data_only = true;
  StatefulOp quiet("aggregation", "append");
  StageRun q = RunOperator(&quiet, Lines({"{\"a\":1}"}), data_only);
  ASSERT_TRUE(q.status.ok());
  EXPECT_TRUE(q.stream.empty());
  EXPECT_TRUE(q.control.empty());
  // Binary: a STREAM frame (type 5) holding the same line, both ways.
  CommonOptions bin;
  bin.wire = "binary";
  StatefulOp b("deduplication", "append");
  StageRun br = RunOperator(&b, Lines({"{\"a\":1}", Tick(0)}), bin);
  ASSERT_TRUE(br.status.ok());
  EchoOperator back;
  StageRun j = RunOperator(&back, br.output);
  ASSERT_TRUE(j.status.ok()) << j.status.ToString();
  EXPECT_EQ(j.stream, StreamLine("deduplication", "append"));
  StatefulOp refuse("deduplication", "append");
  EchoOperator fwd;
  StageRun fb = RunOperator(&fwd, Lines({StreamLine("aggregation", "append"), "{\"a\":1}"}), bin);
  ASSERT_TRUE(fb.status.ok());
  EXPECT_EQ(ExitCodeFor(RunOperator(&refuse, fb.output).status), kExitUsage)
      << "the signal crossed a binary link";
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
