#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "frame/frame_format.h"
#include "json/json_internal.h"
#include "sstream/frame.h"

namespace sstream {

using namespace frame_format;

namespace {
constexpr size_t kPadding = 64;           // >= SIMDJSON_PADDING: views can be parsed in place
constexpr size_t kInitialCapacity = 1 << 20;
constexpr size_t kBadBytesKept = 4096;
}  // namespace

FrameReader::FrameReader(ByteSource* source, ReaderLimits limits)
    : source_(source), limits_(limits) {
  buf_.resize(kInitialCapacity + kPadding);
}

FrameReader::~FrameReader() = default;

std::string FrameReader::Position() const {
  if (format_ == WireFormat::kJson) return fmt::format("{}: line {}", source_->Name(), line_);
  return fmt::format("{}: byte {}", source_->Name(), frame_offset_);
}

bool FrameReader::FillBuffer(int timeout_ms, Status* status, bool* timed_out) {
  *timed_out = false;
  size_t capacity = buf_.size() - kPadding;
  if (begin_ > 0 && (begin_ == end_ || capacity - end_ < capacity / 4)) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    consumed_ += begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == capacity) {
    // One record fills the buffer: grow (records are bounded by the limit).
    buf_.resize(capacity * 2 + kPadding);
    capacity = buf_.size() - kPadding;
  }
  size_t got = 0;
  ++reads_;
  Status s = source_->Read(buf_.data() + end_, capacity - end_, timeout_ms, &got, timed_out);
  if (!s.ok()) {
    *status = s;
    return false;
  }
  if (*timed_out) return true;
  if (got == 0) eof_ = true;
  end_ += got;
  return true;
}

FrameReader::Result FrameReader::Next(Frame* frame, int timeout_ms, Status* status) {
  if (fatal_) {
    *status = Status::Corruption("input already failed");
    return Result::kBadInput;
  }
  while (!bom_checked_) {
    // A UTF-8 byte-order mark before the first line is not data (editors on
    // some systems write one); it is skipped, as Spark's JSON reader does.
    static constexpr char kBom[] = "\xEF\xBB\xBF";
    const size_t avail = end_ - begin_;
    const size_t n = std::min<size_t>(avail, 3);
    if (consumed_ + begin_ != 0 || std::memcmp(buf_.data() + begin_, kBom, n) != 0) {
      bom_checked_ = true;
    } else if (avail >= 3) {
      begin_ += 3;
      bom_checked_ = true;
    } else if (eof_) {
      bom_checked_ = true;  // a cut mark is left to be read as data
    } else {
      bool timed_out;
      if (!FillBuffer(timeout_ms, status, &timed_out)) return Result::kBadInput;
      if (timed_out) return Result::kTimeout;
    }
  }
  if (limits_.raw_lines) detected_ = true;
  while (!detected_) {
    if (end_ - begin_ >= kStreamHeaderSize || (eof_ && end_ > begin_) ||
        (end_ > begin_ && buf_[begin_] != kMagic[0])) {
      if (buf_[begin_] == kMagic[0]) {
        format_ = WireFormat::kBinary;
      }
      detected_ = true;
      break;
    }
    if (eof_) return Result::kEof;
    bool timed_out;
    if (!FillBuffer(timeout_ms, status, &timed_out)) return Result::kBadInput;
    if (timed_out) return Result::kTimeout;
  }
  return format_ == WireFormat::kJson ? NextJson(frame, timeout_ms, status)
                                      : NextBinary(frame, timeout_ms, status);
}

namespace {

// True when `line` is the beginning of a JSON text that was cut: a string,
// object or array is still open, or it ends expecting a value. Complete or
// plainly invalid text is not cut.
bool IsCutJson(std::string_view line) {
  int depth = 0;
  bool in_string = false;
  char last = 0;  // last byte outside strings that is not a blank
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') {
        if (++i == line.size()) return true;
      } else if (c == '"') {
        in_string = false;
        last = '"';
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '{':
      case '[': ++depth; last = c; break;
      case '}':
      case ']':
        if (--depth < 0) return false;
        last = c;
        break;
      case ' ':
      case '\t':
      case '\r': break;
      default: last = c; break;
    }
  }
  return in_string || depth > 0 || last == ',' || last == ':';
}

}  // namespace

FrameReader::Result FrameReader::NextJson(Frame* frame, int timeout_ms, Status* status) {
  for (;;) {
    const char* base = buf_.data();
    const char* nl = static_cast<const char*>(std::memchr(base + begin_, '\n', end_ - begin_));
    std::string_view line;
    if (nl != nullptr) {
      size_t pos = static_cast<size_t>(nl - base);
      line = std::string_view(base + begin_, pos - begin_);
      frame_offset_ = consumed_ + begin_;
      begin_ = pos + 1;
      if (discarding_) {
        discarding_ = false;
        continue;
      }
      ++line_;
    } else {
      if (end_ - begin_ > limits_.max_record_bytes) {
        bool first = !discarding_;
        if (first) {
          ++line_;
          bad_bytes_.assign(base + begin_, std::min(end_ - begin_, kBadBytesKept));
          frame_offset_ = consumed_ + begin_;
        }
        consumed_ += end_;  // the dropped bytes still count towards byte offsets
        begin_ = end_ = 0;
        discarding_ = true;
        if (first) {
          *status = Status::InvalidArgument(fmt::format(
              "line longer than {} bytes", limits_.max_record_bytes));
          return Result::kBadInput;
        }
      }
      if (eof_) {
        if (begin_ == end_) return Result::kEof;
        line = std::string_view(base + begin_, end_ - begin_);
        frame_offset_ = consumed_ + begin_;
        begin_ = end_;
        if (discarding_) {
          discarding_ = false;
          continue;
        }
        ++line_;
        if (limits_.cut_record_ends_input && !limits_.raw_lines && IsCutJson(line)) {
          // The last line lacks its newline and is unfinished: upstream
          // stopped while writing it. Complete JSON without a newline (a
          // file's last line) is a record like any other.
          truncated_bytes_ = line.size();
          truncated_position_ = Position();
          return Result::kEof;
        }
      } else {
        bool timed_out;
        if (!FillBuffer(timeout_ms, status, &timed_out)) return Result::kBadInput;
        if (timed_out) return Result::kTimeout;
        continue;
      }
    }
    if (line.size() > limits_.max_record_bytes) {
      // The whole line arrived in one read: as bad as one that overflowed the
      // buffer above.
      bad_bytes_.assign(line.substr(0, kBadBytesKept));
      *status = Status::InvalidArgument(
          fmt::format("line longer than {} bytes", limits_.max_record_bytes));
      return Result::kBadInput;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (limits_.raw_lines) {  // text: every line is a record, empty ones too (as Spark)
      frame->type = FrameType::kData;
      frame->type_code = 1;
      frame->json = line;
      frame->has_event_time = false;
      frame->field_index = {};
      return Result::kFrame;
    }
    size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == line.size()) continue;  // blank lines carry nothing
    return ParseJsonLine(line, frame, status);
  }
}

FrameReader::Result FrameReader::ParseJsonLine(std::string_view line, Frame* frame,
                                               Status* status) {
  // Control lines: optional blanks, '{', optional blanks, "@sstream".
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  bool control = false;
  if (i < line.size() && line[i] == '{') {
    size_t j = i + 1;
    while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
    control = line.compare(j, sizeof(kControlKey) - 1, kControlKey) == 0;
  }
  if (!control) {
    frame->type = FrameType::kData;
    frame->type_code = static_cast<uint8_t>(FrameType::kData);
    frame->json = line;
    frame->has_event_time = false;
    frame->field_index = {};
    return Result::kFrame;
  }
  json_internal::ControlLine c;
  Status s = json_internal::ParseControlLine(line, &c, &scratch_);
  if (!s.ok()) {
    bad_bytes_.assign(line.substr(0, kBadBytesKept));
    *status = s;
    return Result::kBadInput;
  }
  frame->json = line;
  frame->has_event_time = false;
  frame->flags = 0;
  if (c.kind == "tick") {
    frame->type = FrameType::kTick;
    frame->epoch = c.number;
    frame->flags = c.flags;
  } else if (c.kind == "watermark") {
    frame->type = FrameType::kWatermark;
    frame->watermark = c.number;
  } else if (c.kind == "end") {
    frame->type = FrameType::kEnd;
  } else if (c.kind == "stream") {
    frame->type = FrameType::kStream;
    stream_.op = std::move(c.op);
    stream_.mode = std::move(c.mode);
    frame->stream = &stream_;
  } else if (c.kind == "frame") {
    frame->type = static_cast<FrameType>(c.type_code);
    frame->type_code = c.type_code;
    frame->flags = c.flags;
    frame->payload = scratch_;
    if (frame->type == FrameType::kJsonControl) {
      frame->json = scratch_;  // the carried line itself
      return Result::kFrame;
    }
    if (frame->type == FrameType::kData || frame->type == FrameType::kTick ||
        frame->type == FrameType::kWatermark || frame->type == FrameType::kEnd ||
        frame->type == FrameType::kStream) {
      bad_bytes_.assign(line.substr(0, kBadBytesKept));
      *status = Status::InvalidArgument(
          fmt::format("control line of kind \"frame\" must carry an unknown type, not {}",
                      c.type_code));
      return Result::kBadInput;
    }
    return Result::kFrame;
  } else {
    frame->type = FrameType::kJsonControl;
  }
  frame->type_code = static_cast<uint8_t>(frame->type);
  return Result::kFrame;
}

FrameReader::Result FrameReader::CutFrame(size_t avail) {
  truncated_bytes_ = avail;
  truncated_position_ = Position();
  begin_ = end_;
  return Result::kEof;
}

FrameReader::Result FrameReader::NextBinary(Frame* frame, int timeout_ms, Status* status) {
  auto corrupt = [&](std::string msg, bool fatal) {
    fatal_ = fatal_ || fatal;
    *status = Status::Corruption(std::move(msg));
    return Result::kBadInput;
  };
  for (;;) {
    size_t avail = end_ - begin_;
    const char* p = buf_.data() + begin_;
    frame_offset_ = consumed_ + begin_;
    // A stream header: at the start, or where streams were concatenated. A
    // frame's checksum starts with the magic byte one time in 256, so past
    // the start only all eight magic bytes mark a header.
    bool header = false;
    bool undecided = false;  // too few bytes yet to tell a header from a frame
    if (avail >= 1 && p[0] == kMagic[0]) {
      if (frame_offset_ == 0) {
        header = true;
      } else if (avail >= sizeof(kMagic)) {
        header = std::memcmp(p, kMagic, sizeof(kMagic)) == 0;
      } else {
        undecided = !eof_;
      }
    }
    if (undecided) {
      // Read more below.
    } else if (header) {
      if (avail < kStreamHeaderSize) {
        if (eof_) return corrupt("input ends inside the stream header", true);
      } else {
        if (std::memcmp(p, kMagic, sizeof(kMagic)) != 0) {
          return corrupt("not an sstream frame stream (bad magic bytes)", true);
        }
        uint32_t version = GetU32(p + 8);
        if (version != kVersion) {
          return corrupt(fmt::format("frame stream version {}, but this sstream reads version {}",
                                     version, kVersion),
                         true);
        }
        begin_ += kStreamHeaderSize;
        continue;
      }
    } else if (avail >= kFrameHeaderSize) {
      uint32_t len = GetU32(p + 4);
      // The framing limit: a record of --max-record-bytes with its event
      // time and the largest field index. Beyond it the length itself is
      // damaged; within it, a record over the limit is only a bad record.
      const uint64_t frame_limit =
          uint64_t{limits_.max_record_bytes} + 8 + 2 + kFieldEntrySize * 0xFFFF;
      if (len > kMaxPayload || len > frame_limit) {
        return corrupt(fmt::format("frame length {} exceeds the limit of {} bytes", len,
                                   frame_limit),
                       true);
      }
      if (avail >= kFrameHeaderSize + len) {
        const char* payload = p + kFrameHeaderSize;
        uint32_t crc = Crc32c(0, p + 4, kFrameHeaderSize - 4 + len);  // header tail + payload
        begin_ += kFrameHeaderSize + len;
        if (crc != GetU32(p)) {
          bad_bytes_.assign(payload, std::min<size_t>(len, kBadBytesKept));
          return corrupt("frame checksum mismatch (damaged frame)", false);
        }
        uint8_t type = static_cast<uint8_t>(p[8]);
        uint8_t flags = static_cast<uint8_t>(p[9]);
        frame->type_code = type;
        frame->flags = flags;
        frame->type = static_cast<FrameType>(type);
        frame->has_event_time = false;
        frame->field_index = {};
        switch (frame->type) {
          case FrameType::kData: {
            std::string_view rest(payload, len);
            if (flags & kFlagEventTime) {
              if (rest.size() < 8) return corrupt("data frame too short for its event time", false);
              frame->has_event_time = true;
              frame->event_time = static_cast<int64_t>(GetU64(rest.data()));
              rest.remove_prefix(8);
            }
            if (flags & kFlagFieldIndex) {
              if (rest.size() < 2) return corrupt("data frame too short for its field index", false);
              size_t n = GetU16(rest.data());
              if (rest.size() < 2 + n * kFieldEntrySize) {
                return corrupt("data frame too short for its field index", false);
              }
              frame->field_index = rest.substr(2, n * kFieldEntrySize);
              rest.remove_prefix(2 + n * kFieldEntrySize);
              for (size_t i = 0; i < n; ++i) {
                FieldSpan s = frame->field(i);
                if (s.key_off + s.key_len > rest.size() || s.val_off + s.val_len > rest.size()) {
                  frame->field_index = {};
                  return corrupt("field index points outside the record", false);
                }
              }
            }
            if (rest.size() > limits_.max_record_bytes) {
              // As a JSON line over the limit: the record is bad, the stream is not.
              frame->field_index = {};
              bad_bytes_.assign(rest.substr(0, kBadBytesKept));
              *status = Status::InvalidArgument(
                  fmt::format("record longer than {} bytes", limits_.max_record_bytes));
              return Result::kBadInput;
            }
            frame->json = rest;
            return Result::kFrame;
          }
          case FrameType::kTick:
          case FrameType::kWatermark:
            if (len != 8) {
              return corrupt(fmt::format("control frame of type {} has length {}, expected 8",
                                         type, len),
                             false);
            }
            frame->epoch = frame->watermark = static_cast<int64_t>(GetU64(payload));
            if (frame->type == FrameType::kTick && frame->epoch < 0) {
              // The rule of the JSON wire's tick lines (epochs count from 0).
              bad_bytes_.assign(payload, len);
              *status = Status::InvalidArgument(
                  fmt::format("tick frame: negative epoch {}", frame->epoch));
              return Result::kBadInput;
            }
            return Result::kFrame;
          case FrameType::kEnd:
            return Result::kFrame;
          case FrameType::kStream: {
            // The payload is the JSON form's control line.
            std::string_view line(payload, len);
            json_internal::ControlLine c;
            Status s = json_internal::ParseControlLine(line, &c, &scratch_);
            if (s.ok() && c.kind != "stream") s = Status::InvalidArgument("not a stream line");
            if (!s.ok()) {
              bad_bytes_.assign(line.substr(0, kBadBytesKept));
              *status = Status::InvalidArgument(fmt::format("STREAM frame: {}", s.message()));
              return Result::kBadInput;
            }
            stream_.op = std::move(c.op);
            stream_.mode = std::move(c.mode);
            frame->stream = &stream_;
            frame->json = line;
            return Result::kFrame;
          }
          case FrameType::kJsonControl:
            frame->json = std::string_view(payload, len);
            return Result::kFrame;
          default:
            frame->payload = std::string_view(payload, len);
            return Result::kFrame;
        }
      }
      if (eof_) {
        if (limits_.cut_record_ends_input) return CutFrame(avail);
        return corrupt("input ends inside a frame (truncated stream)", true);
      }
    } else if (eof_) {
      if (avail == 0) return Result::kEof;
      if (limits_.cut_record_ends_input) return CutFrame(avail);
      return corrupt("input ends inside a frame header (truncated stream)", true);
    }
    // Need more bytes; make room for a whole frame first (a partial stream
    // header has no length field).
    if (!header && avail >= kFrameHeaderSize) {
      size_t need = kFrameHeaderSize + GetU32(p + 4);
      if (need + kPadding > buf_.size()) {
        std::memmove(buf_.data(), buf_.data() + begin_, avail);
        consumed_ += begin_;
        end_ = avail;
        begin_ = 0;
        buf_.resize(need + kPadding);
      }
    }
    bool timed_out;
    if (!FillBuffer(timeout_ms, status, &timed_out)) return Result::kBadInput;
    if (timed_out) return Result::kTimeout;
  }
}

}  // namespace sstream
