#include <fmt/format.h>

#include "frame/frame_format.h"
#include "sstream/frame.h"
#include "sstream/record.h"
#include "sstream/time.h"

namespace sstream {

using namespace frame_format;

Status ParseWireFormat(std::string_view name, WireFormat* out) {
  if (name == "json") {
    *out = WireFormat::kJson;
  } else if (name == "binary") {
    *out = WireFormat::kBinary;
  } else {
    return Status::InvalidArgument(
        fmt::format("unknown wire format '{}' (expected json or binary)", name));
  }
  return Status::OK();
}

FrameWriter::FrameWriter(ByteSink* sink, WireFormat format) : out_(sink), format_(format) {}
FrameWriter::~FrameWriter() = default;

Status FrameWriter::WriteBinary(uint8_t type, uint8_t flags,
                                std::initializer_list<std::string_view> parts) {
  if (header_pending_) SSTREAM_RETURN_IF_ERROR(WriteStream(header_));
  std::string& b = out_.buffer();
  if (!header_written_) {
    char h[kStreamHeaderSize] = {};
    std::memcpy(h, kMagic, sizeof(kMagic));
    PutU32(h + 8, kVersion);
    b.append(h, sizeof(h));
    header_written_ = true;
  }
  size_t len = 0;
  for (std::string_view part : parts) len += part.size();
  char h[kFrameHeaderSize];
  PutU32(h, 0);
  PutU32(h + 4, static_cast<uint32_t>(len));
  h[8] = static_cast<char>(type);
  h[9] = static_cast<char>(flags);
  h[10] = h[11] = 0;
  size_t start = b.size();
  b.append(h, kFrameHeaderSize);
  for (std::string_view part : parts) b.append(part);
  // One pass over the contiguous frame, then the checksum goes in front.
  PutU32(b.data() + start, Crc32c(0, b.data() + start + 4, kFrameHeaderSize - 4 + len));
  return out_.MaybeFlush();
}

// Appends one JSON line. A record from binary input may hold line breaks
// (JSON allows them between tokens, and inside strings they must be escaped),
// so they become spaces: the same JSON, on one line.
void FrameWriter::AppendLine(std::string_view line) {
  if (header_pending_) {
    // A write error here shows again at the next flush.
    (void)WriteStream(header_);
  }
  std::string& b = out_.buffer();
  size_t start = b.size();
  b.append(line);
  if (std::memchr(line.data(), '\n', line.size()) != nullptr) {
    for (size_t i = start; i < b.size(); ++i) {
      if (b[i] == '\n') b[i] = ' ';
    }
  }
  b.push_back('\n');
}

Status FrameWriter::WriteControlLine(std::string_view line) {
  AppendLine(line);
  return Status::OK();
}

// Asks the decider once. What is written so far goes out first, so a reader
// waited for can start on the data meanwhile.
Status FrameWriter::ResolveControl() {
  if (!write_control_) return Status::OK();
  Status flushed = out_.Flush();
  data_only_ = !write_control_();
  write_control_ = nullptr;
  return flushed;
}

Status FrameWriter::WriteData(std::string_view json, bool has_event_time, int64_t event_time,
                              std::string_view field_index) {
  ++records_written_;
  if (format_ == WireFormat::kJson) {
    AppendLine(json);
    return out_.MaybeFlush();
  }
  uint8_t flags = 0;
  char t[8];
  std::string_view time;
  if (has_event_time) {
    PutU64(t, static_cast<uint64_t>(event_time));
    time = std::string_view(t, 8);
    flags |= kFlagEventTime;
  }
  char n[2];
  std::string_view count;
  if (!field_index.empty()) {
    PutU16(n, static_cast<uint16_t>(field_index.size() / kFieldEntrySize));
    count = std::string_view(n, 2);
    flags |= kFlagFieldIndex;
  }
  return WriteBinary(static_cast<uint8_t>(FrameType::kData), flags, {time, count, field_index, json});
}

Status FrameWriter::WriteTick(int64_t epoch, uint8_t flags) {
  SSTREAM_RETURN_IF_ERROR(ResolveControl());
  if (data_only_) return out_.Flush();
  flags &= kTickLastOfRun;  // the only TICK flag defined
  if (format_ == WireFormat::kJson) {
    WriteControlLine(fmt::format("{{\"@sstream\":\"tick\",\"epoch\":{}{}}}", epoch,
                                 flags & kTickLastOfRun ? ",\"last\":true" : ""));
  } else {
    char p[8];
    PutU64(p, static_cast<uint64_t>(epoch));
    SSTREAM_RETURN_IF_ERROR(
        WriteBinary(static_cast<uint8_t>(FrameType::kTick), flags, {std::string_view(p, 8)}));
  }
  // A tick closes a micro-batch: make it visible downstream now.
  return out_.Flush();
}

Status FrameWriter::WriteWatermark(int64_t ms) {
  SSTREAM_RETURN_IF_ERROR(ResolveControl());
  if (data_only_) return Status::OK();
  if (format_ == WireFormat::kJson) {
    return WriteControlLine(fmt::format("{{\"@sstream\":\"watermark\",\"ms\":{},\"time\":\"{}\"}}",
                                        ms, FormatIso(ms)));
  }
  char p[8];
  PutU64(p, static_cast<uint64_t>(ms));
  return WriteBinary(static_cast<uint8_t>(FrameType::kWatermark), 0, {std::string_view(p, 8)});
}

Status FrameWriter::WriteEnd() {
  SSTREAM_RETURN_IF_ERROR(ResolveControl());
  if (!data_only_) {
    if (format_ == WireFormat::kJson) {
      WriteControlLine("{\"@sstream\":\"end\"}");
    } else {
      SSTREAM_RETURN_IF_ERROR(WriteBinary(static_cast<uint8_t>(FrameType::kEnd), 0, {}));
    }
  }
  return out_.Flush();
}

Status FrameWriter::WriteStream(const StreamProperties& props) {
  header_pending_ = false;
  // A control signal like the others: only for a reader that wants them.
  SSTREAM_RETURN_IF_ERROR(ResolveControl());
  if (data_only_) return Status::OK();
  std::string line = "{\"@sstream\":\"stream\"";
  if (!props.op.empty()) {
    line += ",\"operator\":";
    AppendJsonStringLossy(&line, props.op);
  }
  if (!props.mode.empty()) {
    line += ",\"mode\":";
    AppendJsonStringLossy(&line, props.mode);
  }
  line += "}";
  if (format_ == WireFormat::kJson) return WriteControlLine(line);
  return WriteBinary(static_cast<uint8_t>(FrameType::kStream), 0, {line});
}

Status FrameWriter::WriteFrame(const Frame& f) {
  switch (f.type) {
    case FrameType::kData: return WriteData(f.json, f.has_event_time, f.event_time, f.field_index);
    case FrameType::kTick: return WriteTick(f.epoch, f.flags);
    case FrameType::kWatermark: return WriteWatermark(f.watermark);
    case FrameType::kEnd: return WriteEnd();
    default: break;
  }
  SSTREAM_RETURN_IF_ERROR(ResolveControl());
  if (data_only_) return Status::OK();
  if (format_ == WireFormat::kJson) {
    if (f.type == FrameType::kJsonControl || f.type == FrameType::kStream) {
      return WriteControlLine(f.json);
    }
    std::string line = fmt::format("{{\"@sstream\":\"frame\",\"type\":{},", f.type_code);
    if (f.flags != 0) line += fmt::format("\"flags\":{},", f.flags);
    line += "\"hex\":\"";
    static const char kHex[] = "0123456789abcdef";
    for (unsigned char c : f.payload) {
      line.push_back(kHex[c >> 4]);
      line.push_back(kHex[c & 15]);
    }
    line += "\"}";
    return WriteControlLine(line);
  }
  if (f.type == FrameType::kJsonControl || f.type == FrameType::kStream) {
    return WriteBinary(f.type_code, f.flags, {f.json});
  }
  return WriteBinary(f.type_code, f.flags, {f.payload});
}

Status FrameWriter::Flush() { return out_.Flush(); }

}  // namespace sstream
