// Records: JSON objects, read in place without building a tree.
//
// A RecordScanner is compiled once from the field paths a stage needs
// ("ad_id", "user.name") and then, for each record, finds the raw JSON text of
// those fields in one pass (simdjson On-Demand). Values stay raw JSON tokens
// (`"abc"`, `12.5`, `{"x":1}`) until a stage asks for a typed view, so
// projection and pass-through never re-serialize.
//
// Lifetimes: views returned by value()/field() point into the record text or
// into the scanner's scratch space and are valid until the next Scan().
// Input text must be followed by at least 64 readable bytes (true for every
// Frame::json view); use ScanCopy() otherwise. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sstream/frame.h"
#include "sstream/status.h"
#include "sstream/time.h"

namespace sstream {

enum class JsonKind { kMissing, kNull, kBool, kNumber, kString, kObject, kArray };
JsonKind KindOfRaw(std::string_view raw);

// The text of a raw JSON string token (unescaped into *scratch when needed).
Status StringContent(std::string_view raw, std::string* scratch, std::string_view* out);
// Numeric value of a raw JSON number token, or of a string holding a number.
bool RawToDouble(std::string_view raw, double* out);
bool RawToInt64(std::string_view raw, int64_t* out);
// Inside a raw JSON value (copied into *padded for parsing): element i of an
// array, or member `name` of an object, as raw JSON (a view of *padded), or
// empty when there is none.
std::string_view JsonElementAt(std::string_view raw, size_t i, std::string* padded);
std::string_view JsonMemberOf(std::string_view raw, std::string_view name, std::string* padded);
// Every element of a raw JSON array, as raw JSON views of *padded; false
// when `raw` is not an array.
bool JsonArrayElements(std::string_view raw, std::string* padded,
                       std::vector<std::string_view>* out);
// Elements of an array or members of an object; -1 for anything else.
int64_t JsonSize(std::string_view raw);
// Whether `text` is one complete JSON value.
bool IsJsonValue(std::string_view text);
// Appends `s` as a quoted, escaped JSON string.
void AppendJsonString(std::string* out, std::string_view s);
// Appends a double the way JSON expects (integers without ".0", no NaN/inf -> null).
void AppendJsonNumber(std::string* out, double v);
// Appends an integer's decimal digits.
void AppendInt(std::string* out, int64_t v);
bool IsValidUtf8(std::string_view s);
// Like AppendJsonString, but invalid UTF-8 bytes become U+FFFD (for messages
// and dead-letter files, which must stay valid JSON whatever the input was).
void AppendJsonStringLossy(std::string* out, std::string_view s);

// A dotted field path: "a.b.c"; backquotes allow dots inside a name: "`a.b`.c".
Status ParseFieldPath(std::string_view text, std::vector<std::string>* segments);

class RecordScanner {
 public:
  explicit RecordScanner(std::vector<std::string> paths);
  ~RecordScanner();
  RecordScanner(const RecordScanner&) = delete;
  RecordScanner& operator=(const RecordScanner&) = delete;

  // Finds every path. Errors: invalid JSON, invalid UTF-8, not an object.
  Status Scan(std::string_view json);
  Status ScanCopy(std::string_view json);
  // Uses the frame's field index when it has one (no parsing), else Scan(json).
  Status Scan(const Frame& frame);
  size_t size() const { return values_.size(); }
  // Raw JSON of path i, or an empty view when the record lacks it.
  std::string_view value(size_t i) const { return values_[i]; }
  // Replaces value i until the next scan (a column computed from the record).
  void SetValue(size_t i, std::string_view raw) { values_[i] = raw; }
  // When collect_all is set, every top-level (name, raw value) pair, in order.
  void set_collect_all(bool v) { collect_all_ = v; }
  const std::vector<std::pair<std::string_view, std::string_view>>& fields() const {
    return fields_;
  }

 private:
  void ResolvePaths();
  // Sets the value of the first unset top-level name equal to `name`; a
  // `raw` name (still escaped) only matches names that need no escaping.
  bool MatchTop(std::string_view name, std::string_view value, bool raw);
  // The first unset top-level name equal to `name`, or top_.size().
  size_t FindTop(std::string_view name, bool raw) const;
  // False when no wanted top-level name has this length: one test, inline,
  // rules out most fields of a record.
  bool MaybeTop(size_t len) const { return len >= 64 || ((top_lengths_ >> len) & 1); }
  // The raw value of member `name` of a raw JSON object inside the record.
  std::string_view FindMember(std::string_view object, const std::string& name);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<std::vector<std::string>> paths_;
  std::vector<std::string> top_;         // distinct first segments
  std::vector<size_t> top_of_path_;      // path index -> top_ index
  std::vector<std::string_view> top_values_;
  std::vector<std::string_view> values_;
  std::vector<std::pair<std::string_view, std::string_view>> fields_;
  bool collect_all_ = false;
  bool nested_ = false;  // some path has more than one segment
  uint64_t top_lengths_ = 0;  // bit L set: some top_ name has length L (< 64)
  std::string copy_;
};

// Extracts an event time (ms) from a raw JSON token: numbers are epoch values
// in `fmt`'s unit, strings are digits or ISO-8601. *used tells which format
// applied (for echoing times back in the input's format).
Status EventTimeFromRaw(std::string_view raw, TimeFormat fmt, int64_t* ms, TimeFormat* used);

// Writes an event time in the given format as a JSON token: epoch units as
// integers, kIso as a quoted ISO-8601 string.
void AppendTime(std::string* out, int64_t ms, TimeFormat fmt);

// Fully validates that `json` is one JSON object (used where input enters
// sstream), and can list its top-level fields for a binary field index.
// `json` must be followed by 64 readable bytes.
class JsonValidator {
 public:
  JsonValidator();
  ~JsonValidator();
  Status ValidateObject(std::string_view json, FieldIndexBuilder* index = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sstream
