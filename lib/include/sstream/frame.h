// Frames: what travels through the pipe between sstream stages.
//
// Two wire formats carry the same frames (see sstream-frame(5)):
//  * JSON: one JSON object per line. Data records are the objects themselves;
//    control signals are objects whose first key is "@sstream", e.g.
//    {"@sstream":"tick","epoch":3}. Readable in a terminal, `| head`, `| jq`.
//  * binary: a 16-byte stream header, then length-prefixed, CRC32C-checked
//    frames. The fast path between sstream stages; a data frame may carry an
//    event time already extracted upstream.
// FrameReader detects the format from the first bytes of its input.
//
// Views handed out by FrameReader::Next (Frame::json, Frame::payload) stay
// valid until the next call to Next. Neither class is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "sstream/io.h"
#include "sstream/status.h"

namespace sstream {

enum class WireFormat { kJson, kBinary };
Status ParseWireFormat(std::string_view name, WireFormat* out);

enum class FrameType : uint8_t {
  kData = 1,       // one record (JSON object text)
  kTick = 2,       // end of micro-batch `epoch`
  kWatermark = 3,  // event-time watermark in ms
  kEnd = 4,        // end of stream: flush everything
  kStream = 5,     // properties of the stream (StreamProperties), before its first record
  // Everything else is an unknown control frame, forwarded unchanged.
  kJsonControl = 0x20,  // a JSON control line of an unknown kind, carried in binary
};

// TICK flags (sstream-frame(5)). kTickLastOfRun: the batch is the last of a
// run-once trigger under a checkpoint, and the run ends after it without
// END. Spark runs no no-data batch after Trigger.Once, so stateful stages
// advance their watermark at this TICK but leave the eviction it allows to
// the next batch (the next run's first). JSON lines: "last":true.
inline constexpr uint8_t kTickLastOfRun = 0x01;

// One top-level field of a record, as listed in a binary DATA frame's field
// index: byte ranges, relative to the start of the record text, of the key
// (without its quotes, escapes as written) and of the raw JSON value. With it
// a later stage finds fields without parsing the record again
// (sstream-frame(5), "Field index").
struct FieldSpan {
  uint16_t key_off, key_len, val_off, val_len;
};

// Builds a field index for a record under 64 KiB (larger records get none).
class FieldIndexBuilder {
 public:
  void Clear() {
    buf_.clear();
    ok_ = true;
  }
  void Add(size_t key_off, size_t key_len, size_t val_off, size_t val_len) {
    if (key_off + key_len > 0xFFFF || val_off + val_len > 0xFFFF || buf_.size() >= 8 * 0xFFFF) {
      ok_ = false;
      return;
    }
    const uint16_t v[4] = {static_cast<uint16_t>(key_off), static_cast<uint16_t>(key_len),
                           static_cast<uint16_t>(val_off), static_cast<uint16_t>(val_len)};
    char e[8];
    for (int i = 0; i < 4; ++i) {  // little-endian, whatever the host
      e[2 * i] = static_cast<char>(v[i] & 0xff);
      e[2 * i + 1] = static_cast<char>(v[i] >> 8);
    }
    buf_.append(e, 8);
  }
  // Appends entries already encoded (Frame::field_index), unchanged.
  void AppendEncoded(std::string_view entries) { buf_.append(entries); }
  // The encoded entries, or empty when an offset did not fit.
  std::string_view bytes() const { return ok_ ? std::string_view(buf_) : std::string_view(); }

 private:
  std::string buf_;
  bool ok_ = true;
};

// Properties of a stream that travel with it in a STREAM signal
// (sstream-frame(5)): the last stateful operator upstream and its output
// mode, so a later stateful stage can refuse what Spark refuses. A stream
// without the signal has no stateful operator upstream.
struct StreamProperties {
  std::string op;    // "aggregation", "deduplication", or another kind; empty: none
  std::string mode;  // its output mode: "append", "update" or "complete"
};

struct Frame {
  FrameType type = FrameType::kData;
  uint8_t type_code = 1;     // raw type byte (differs from `type` only for unknown frames)
  uint8_t flags = 0;         // raw flags byte, forwarded unchanged with unknown frames
  std::string_view json;     // kData: the record; kJsonControl, kStream: the whole line
  bool has_event_time = false;
  int64_t event_time = 0;    // kData with has_event_time: ms since epoch
  int64_t epoch = 0;         // kTick (flags: kTickLastOfRun)
  int64_t watermark = 0;     // kWatermark (ms)
  const StreamProperties* stream = nullptr;  // kStream (owned by the reader)
  std::string_view payload;  // unknown frames: raw payload bytes
  // kData from binary input: the field index entries (8 bytes each), already
  // checked to lie within `json`; empty when the frame has none.
  std::string_view field_index;
  size_t field_count() const { return field_index.size() / 8; }
  FieldSpan field(size_t i) const {  // inline: read for every field of every record
    const auto* e = reinterpret_cast<const unsigned char*>(field_index.data()) + i * 8;
    auto u16 = [e](int k) { return static_cast<uint16_t>(e[k] | (e[k + 1] << 8)); };
    return {u16(0), u16(2), u16(4), u16(6)};
  }
};

inline bool IsControl(const Frame& f) { return f.type != FrameType::kData; }

// What a reader does with input it cannot use.
struct ReaderLimits {
  size_t max_record_bytes = 16 << 20;  // a longer JSON line or data frame is a bad record
  bool raw_lines = false;  // plain text lines: no format detection, no control lines
  // A record cut off by the end of input (a JSON line without its newline
  // whose brackets or string are still open, or a binary frame missing
  // bytes) is a truncated stream: Next() reports kEof and truncated() tells.
  // Otherwise it is a bad record (JSON) or fatal damage (binary).
  bool cut_record_ends_input = false;
};

class FrameReader {
 public:
  FrameReader(ByteSource* source, ReaderLimits limits = {});
  ~FrameReader();

  enum class Result {
    kFrame,     // *frame is filled
    kTimeout,   // nothing arrived within timeout_ms (or a signal interrupted the wait)
    kEof,       // clean end of input
    kBadInput,  // *status says what is wrong; Next() continues after the bad record
  };
  // Reads the next frame. On kBadInput the error is recoverable (the bad line or
  // frame has been skipped) unless status.IsCorruption() and fatal() is true.
  // The status says what is wrong; Position() says where.
  Result Next(Frame* frame, int timeout_ms, Status* status);

  WireFormat format() const { return format_; }
  bool detected() const { return detected_; }
  // True after a bad input that makes the rest of the stream unreadable.
  bool fatal() const { return fatal_; }
  // Where the last frame (or bad record) started: "stdin: line 12" or
  // "stdin: byte 4096".
  std::string Position() const;
  // The raw bytes of the last bad record (for dead-letter files), possibly cut.
  std::string_view last_bad_bytes() const { return bad_bytes_; }
  uint64_t line() const { return line_; }
  // Bytes of input consumed through the last frame (or bad record): where a
  // reader resuming after it starts.
  uint64_t offset() const { return consumed_ + begin_; }
  // True when input bytes are buffered: the next Next() may not wait.
  bool buffered() const { return begin_ < end_; }
  // Reads from the source so far (waits that timed out included).
  uint64_t reads() const { return reads_; }
  // After kEof with ReaderLimits::cut_record_ends_input: the input ended
  // inside a record, of truncated_bytes() bytes starting at
  // truncated_position() ("stdin: line 7", "stdin: byte 4096").
  bool truncated() const { return truncated_bytes_ > 0; }
  uint64_t truncated_bytes() const { return truncated_bytes_; }
  const std::string& truncated_position() const { return truncated_position_; }
  // The input starts `offset` bytes (and `line` lines) into the stream: byte
  // offsets and line numbers in positions count from there.
  void ResumeAt(uint64_t offset, uint64_t line) {
    consumed_ = offset;
    line_ = line;
  }

 private:
  bool FillBuffer(int timeout_ms, Status* status, bool* timed_out);
  Result NextJson(Frame* frame, int timeout_ms, Status* status);
  Result NextBinary(Frame* frame, int timeout_ms, Status* status);
  Result ParseJsonLine(std::string_view line, Frame* frame, Status* status);
  Result CutFrame(size_t avail);

  ByteSource* source_;
  ReaderLimits limits_;
  std::string buf_;     // buf_[begin_, end_) holds unread bytes; padded for simdjson
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  bool detected_ = false;
  bool fatal_ = false;
  bool discarding_ = false;  // skipping the rest of an overlong line
  bool bom_checked_ = false;  // a UTF-8 byte-order mark at the start was looked for
  uint64_t reads_ = 0;
  uint64_t truncated_bytes_ = 0;
  std::string truncated_position_;
  WireFormat format_ = WireFormat::kJson;
  uint64_t line_ = 0;           // JSON: 1-based number of the last line returned
  uint64_t consumed_ = 0;       // bytes before buf_[begin_]
  uint64_t frame_offset_ = 0;   // byte offset of the last frame
  std::string bad_bytes_;
  std::string scratch_;
  StreamProperties stream_;
};

class FrameWriter {
 public:
  FrameWriter(ByteSink* sink, WireFormat format);
  ~FrameWriter();

  Status WriteData(std::string_view json) { return WriteData(json, false, 0); }
  // `field_index` (FieldIndexBuilder::bytes() or Frame::field_index) travels
  // with the record in the binary format and is dropped in JSON.
  Status WriteData(std::string_view json, bool has_event_time, int64_t event_time,
                   std::string_view field_index = {});
  Status WriteTick(int64_t epoch, uint8_t flags = 0);
  Status WriteWatermark(int64_t ms);
  Status WriteEnd();
  // A STREAM signal with `props`.
  Status WriteStream(const StreamProperties& props);
  // A STREAM signal with `props` goes out before whatever is written first.
  void SetStreamHeader(const StreamProperties& props) {
    header_ = props;
    header_pending_ = true;
  }
  // Forwards a frame of a type this stage does not consume.
  Status WriteFrame(const Frame& frame);
  Status Flush();
  WireFormat format() const { return format_; }
  // Control signals can be suppressed (a terminal, --control never); data only then.
  void set_data_only(bool v) {
    data_only_ = v;
    write_control_ = nullptr;
  }
  // Or left to `write_control`, asked once, right before the first control
  // signal is due (data written before that goes out first), its answer kept:
  // an expensive question is asked only by streams that get that far.
  void set_control_decider(std::function<bool()> write_control) {
    write_control_ = std::move(write_control);
  }
  // Data records written so far.
  int64_t records_written() const { return records_written_; }

 private:
  // Appends a frame whose payload is `parts`, in order, straight into the buffer.
  Status WriteBinary(uint8_t type, uint8_t flags, std::initializer_list<std::string_view> parts);
  Status WriteControlLine(std::string_view line);
  void AppendLine(std::string_view line);
  Status ResolveControl();
  BufferedWriter out_;
  WireFormat format_;
  bool header_written_ = false;
  bool data_only_ = false;
  std::function<bool()> write_control_;
  bool header_pending_ = false;  // SetStreamHeader: not yet written
  StreamProperties header_;
  int64_t records_written_ = 0;
};

}  // namespace sstream
