// Fuzz target: FrameReader on arbitrary bytes (either wire format), read
// whole and in tiny chunks, with every frame re-written by a FrameWriter.
// Beyond "no crash, no hang": whatever the reader accepts must survive a
// binary round trip unchanged.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "sstream/frame.h"
#include "sstream/io.h"

namespace {

using sstream::Frame;
using sstream::FrameReader;
using sstream::FrameType;
using sstream::FrameWriter;
using sstream::MemorySink;
using sstream::MemorySource;
using sstream::ReaderLimits;
using sstream::Status;
using sstream::WireFormat;

struct Owned {
  uint8_t type_code;
  uint8_t flags;  // kept only for types this reader does not interpret
  FrameType type;
  std::string json;
  std::string payload;
  bool has_event_time;
  int64_t number;  // event time, epoch or watermark
  std::string index;  // data: the field index entries
};

Owned Copy(const Frame& f) {
  Owned o{f.type_code,      f.flags, f.type, std::string(f.json), std::string(f.payload),
          f.has_event_time, 0,       std::string(f.field_index)};
  switch (f.type) {
    case FrameType::kData:
      o.number = f.has_event_time ? f.event_time : 0;
      break;
    case FrameType::kTick:
      o.number = f.epoch;
      break;
    case FrameType::kWatermark:
      o.number = f.watermark;
      break;
    default:
      break;
  }
  // Only the fields that travel for this type are compared.
  if (f.type != FrameType::kData && f.type != FrameType::kJsonControl) o.json.clear();
  if (f.type == FrameType::kData || f.type == FrameType::kTick || f.type == FrameType::kWatermark ||
      f.type == FrameType::kEnd || f.type == FrameType::kJsonControl) {
    o.payload.clear();
  }
  if (f.type == FrameType::kData || f.type == FrameType::kTick || f.type == FrameType::kWatermark ||
      f.type == FrameType::kEnd) {
    o.flags = 0;
  }
  return o;
}

bool Same(const Owned& a, const Owned& b) {
  return a.type_code == b.type_code && a.flags == b.flags && a.type == b.type && a.json == b.json &&
         a.payload == b.payload && a.has_event_time == b.has_event_time && a.number == b.number &&
         a.index == b.index;
}

// How many lines of the JSON re-write of `frames` a reader does not skip as
// blank. The writer turns line breaks into spaces; the reader drops one CR at
// the end of a line and skips lines of spaces and tabs.
size_t NonBlankLines(const std::vector<Owned>& frames) {
  size_t n = 0;
  for (const auto& f : frames) {
    if (f.type != FrameType::kData && f.type != FrameType::kJsonControl) {
      ++n;
      continue;
    }
    std::string line = f.json;
    for (char& c : line) c = c == '\n' ? ' ' : c;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    n += line.find_first_not_of(" \t") != std::string::npos;
  }
  return n;
}

// Reads everything; returns the frames and writes each to both writers.
std::vector<Owned> ReadAll(const std::string& input, size_t chunk, ReaderLimits limits,
                           FrameWriter* json, FrameWriter* binary, int* bad) {
  MemorySource src(input, chunk);
  FrameReader reader(&src, limits);
  std::vector<Owned> frames;
  *bad = 0;
  // A MemorySource never waits, so every call makes progress; the bound only
  // turns a hang into a crash the fuzzer reports.
  for (size_t guard = 0; guard < input.size() * 4 + 64; ++guard) {
    Frame f;
    Status st;
    FrameReader::Result r = reader.Next(&f, 0, &st);
    if (r == FrameReader::Result::kEof) return frames;
    if (r == FrameReader::Result::kTimeout) continue;
    if (r == FrameReader::Result::kBadInput) {
      ++*bad;
      (void)reader.Position();
      (void)reader.last_bad_bytes();
      if (st.ok()) std::abort();  // a bad input always says why
      if (reader.fatal()) return frames;
      continue;
    }
    frames.push_back(Copy(f));
    if (json != nullptr) (void)json->WriteFrame(f);
    if (binary != nullptr) (void)binary->WriteFrame(f);
  }
  std::abort();  // no progress: a hang
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Three readers per input (each holds a 1 MiB buffer, which is what costs
  // time under sanitizers): the whole input, its binary re-write, and one
  // more way of reading chosen by the input's length.
  const std::string input(reinterpret_cast<const char*>(data), size);
  MemorySink json_out, binary_out;
  int bad = 0;
  std::vector<Owned> frames;
  {
    FrameWriter json(&json_out, WireFormat::kJson);
    FrameWriter binary(&binary_out, WireFormat::kBinary);
    frames = ReadAll(input, SIZE_MAX, ReaderLimits(), &json, &binary, &bad);
    (void)json.Flush();
    (void)binary.Flush();
  }
  // Everything read survives a binary round trip.
  int bad2 = 0;
  if (frames.empty() != binary_out.contents().empty()) std::abort();
  std::vector<Owned> again;
  if (!frames.empty()) {
    again = ReadAll(binary_out.contents(), SIZE_MAX, ReaderLimits(), nullptr, nullptr, &bad2);
  }
  if (bad2 != 0 || again.size() != frames.size()) std::abort();
  for (size_t i = 0; i < frames.size(); ++i) {
    if (!Same(frames[i], again[i])) std::abort();
  }
  switch (size % 4) {
    case 0: {
      // How the input arrives must not change what is read.
      std::vector<Owned> bytewise = ReadAll(input, 1, ReaderLimits(), nullptr, nullptr, &bad2);
      if (bad2 != bad || bytewise.size() != frames.size()) std::abort();
      for (size_t i = 0; i < frames.size(); ++i) {
        if (!Same(frames[i], bytewise[i])) std::abort();
      }
      break;
    }
    case 1: {
      // A small record limit, read in small chunks, gives the same frames and
      // bad records as reading it whole.
      ReaderLimits small;
      small.max_record_bytes = 40;
      int bad_whole = 0;
      std::vector<Owned> whole = ReadAll(input, SIZE_MAX, small, nullptr, nullptr, &bad_whole);
      std::vector<Owned> chunked = ReadAll(input, 3, small, nullptr, nullptr, &bad2);
      if (bad2 != bad_whole || chunked.size() != whole.size()) std::abort();
      for (size_t i = 0; i < whole.size(); ++i) {
        if (!Same(whole[i], chunked[i])) std::abort();
      }
      break;
    }
    case 2: {
      // Text lines: every line is one record (empty ones too).
      ReaderLimits raw;
      raw.raw_lines = true;
      std::vector<Owned> lines = ReadAll(input, 7, raw, nullptr, nullptr, &bad2);
      size_t want = 0;
      for (char c : input) want += c == '\n';
      if (!input.empty() && input.back() != '\n') ++want;
      if (lines.size() + static_cast<size_t>(bad2) != want) std::abort();
      break;
    }
    default: {
      // The JSON re-write keeps one line per frame (none lost, none split),
      // unless a garbage first line starts with the binary magic byte (no
      // JSON text can): then the re-write reads as a binary stream.
      if (!json_out.contents().empty() && json_out.contents()[0] == '\x89') break;
      std::vector<Owned> back = ReadAll(json_out.contents(), 5, ReaderLimits(), nullptr, nullptr, &bad2);
      if (back.size() + static_cast<size_t>(bad2) != NonBlankLines(frames)) std::abort();
      break;
    }
  }
  return 0;
}
