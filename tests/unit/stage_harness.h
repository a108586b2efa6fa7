// Test helpers: run an Operator through RunStage over memory buffers with a
// ManualClock, and pick the output apart. Header-only, for the *_test.cc
// files of the stage operators.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sstream/clock.h"
#include "sstream/frame.h"
#include "sstream/io.h"
#include "sstream/stage.h"

namespace sstream::testing_util {

struct StageRun {
  Status status;
  std::string output;                // every byte written
  std::vector<std::string> lines;    // JSON output split into lines
  std::vector<std::string> data;     // data lines only
  std::vector<std::string> control;  // control lines only
  std::string stream = {};           // the leading STREAM line, if any (not in lines)
};

inline std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

inline bool IsControlLine(const std::string& line) { return line.rfind("{\"@sstream\"", 0) == 0; }

// Binary frames of records, each with an optional field index (index bytes
// as FieldIndexBuilder::bytes() gives them; empty for none).
struct BinaryRecord {
  std::string json;
  std::string index;
  BinaryRecord(const char* j) : json(j) {}  // NOLINT: plain records convert
  BinaryRecord(std::string j, std::string i = {}) : json(std::move(j)), index(std::move(i)) {}
};
inline std::string Binary(const std::vector<BinaryRecord>& records) {
  MemorySink sink;
  FrameWriter w(&sink, WireFormat::kBinary);
  for (const auto& r : records) EXPECT_TRUE(w.WriteData(r.json, false, 0, r.index).ok());
  EXPECT_TRUE(w.Flush().ok());
  return sink.contents();
}

// A source that plays a script: chunks of input, and pauses in which it
// reports a timeout and moves the manual clock on (a quiet pipe).
class ScriptedSource : public ByteSource {
 public:
  struct Step {
    std::string data;
    int64_t wait_ms = 0;  // > 0: report a timeout after this much time
    int64_t advance_ms = 0;  // with data: it arrives this much later (a wait may time out first)
  };
  ScriptedSource(std::vector<Step> steps, ManualClock* clock)
      : steps_(std::move(steps)), clock_(clock) {}
  Status Read(char* buf, size_t n, int timeout_ms, size_t* got, bool* timed_out) override {
    *got = 0;
    *timed_out = false;
    if (next_ >= steps_.size()) return Status::OK();
    Step& step = steps_[next_];
    if (step.wait_ms > 0) {
      clock_->AdvanceMillis(step.wait_ms);
      *timed_out = true;
      ++next_;
      return Status::OK();
    }
    if (timeout_ms >= 0 && step.advance_ms > timeout_ms) {  // the wait ends first
      clock_->AdvanceMillis(timeout_ms);
      step.advance_ms -= timeout_ms;
      *timed_out = true;
      return Status::OK();
    }
    clock_->AdvanceMillis(step.advance_ms);
    step.advance_ms = 0;
    *got = std::min(n, step.data.size());
    std::memcpy(buf, step.data.data(), *got);
    step.data.erase(0, *got);
    if (step.data.empty()) ++next_;
    return Status::OK();
  }
  std::string Name() const override { return "script"; }

 private:
  std::vector<Step> steps_;
  size_t next_ = 0;
  ManualClock* clock_;
};

// Runs `op` over `in` with `clock`; returns the status and fills *out.
inline Status RunOperatorOn(Operator* op, ByteSource* in, ManualClock* clock,
                            MemorySink* out, const CommonOptions& common = CommonOptions()) {
  StageContext ctx;
  ctx.input = in;
  ctx.output = out;
  ctx.clock = clock;
  ctx.common = &common;
  return RunStage(ctx, op);
}

// Runs `op` over `input` (JSON lines or binary frames) and collects the output.
inline StageRun RunOperator(Operator* op, const std::string& input,
                            const CommonOptions& common = CommonOptions(), bool terminal = false,
                            size_t chunk = SIZE_MAX) {
  MemorySource in(input, chunk);
  MemorySink out;
  ManualClock clock(1'000'000);
  StageContext ctx;
  ctx.input = &in;
  ctx.output = &out;
  ctx.clock = &clock;
  ctx.common = &common;
  ctx.terminal = terminal;
  StageRun r;
  r.status = RunStage(ctx, op);
  r.output = out.contents();
  if (common.wire == "json") {
    r.lines = SplitLines(r.output);
    // A stateful stage's STREAM signal comes first; kept apart, so tests
    // about the batches compare only what follows it.
    if (!r.lines.empty() && r.lines[0].rfind("{\"@sstream\":\"stream\"", 0) == 0) {
      r.stream = r.lines[0];
      r.lines.erase(r.lines.begin());
    }
    for (const auto& l : r.lines) (IsControlLine(l) ? r.control : r.data).push_back(l);
  }
  return r;
}

inline std::string Tick(int64_t epoch) {
  return "{\"@sstream\":\"tick\",\"epoch\":" + std::to_string(epoch) + "}";
}

inline const std::string kEnd = "{\"@sstream\":\"end\"}";

// Passes when `s` is an error whose message contains `part`.
inline ::testing::AssertionResult FailsWith(const Status& s, const std::string& part) {
  if (s.ok()) return ::testing::AssertionFailure() << "succeeded; expected an error with: " << part;
  if (s.message().find(part) == std::string::npos) {
    return ::testing::AssertionFailure() << "error \"" << s.message() << "\" lacks: " << part;
  }
  return ::testing::AssertionSuccess();
}

inline std::string Lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// A private temporary directory, removed with its files at destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "sstream_test_XXXXXX";
    char* p = ::mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    for (const auto& f : files_) ::unlink(f.c_str());
    ::rmdir(path_.c_str());
  }
  // A path inside the directory (removed at the end).
  std::string File(const std::string& name) {
    files_.push_back(path_ + "/" + name);
    return files_.back();
  }
  std::string Write(const std::string& name, const std::string& contents) {
    std::string p = File(name);
    std::ofstream f(p, std::ios::binary);
    f << contents;
    return p;
  }
  static std::string Read(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

 private:
  std::string path_;
  std::vector<std::string> files_;
};

}  // namespace sstream::testing_util
