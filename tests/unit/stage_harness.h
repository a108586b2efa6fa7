// Test helpers: run an Operator through RunStage over memory buffers with a
// ManualClock, and pick the output apart. Header-only, for the *_test.cc
// files of the stage operators.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

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
    for (const auto& l : r.lines) (IsControlLine(l) ? r.control : r.data).push_back(l);
  }
  return r;
}

inline std::string Tick(int64_t epoch) {
  return "{\"@sstream\":\"tick\",\"epoch\":" + std::to_string(epoch) + "}";
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
