// Durations and event timestamps.
//
// All event-time arithmetic in sstream is in integer milliseconds since the
// Unix epoch (UTC), as in Spark's window and watermark rules. These functions
// are pure: no clock reads, no allocation except in FormatIso().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sstream/status.h"

namespace sstream {

// The event times sstream accepts: |t| <= kMaxEventTimeMs, about 291,000
// years either side of 1970. Every parser and unit conversion below refuses
// anything further out ("out of range"), and ParseDuration refuses durations
// beyond the same bound, so window and watermark arithmetic (t + size,
// t + gap, max - delay, sliding starts) stays far inside int64.
inline constexpr int64_t kMaxEventTimeMs = int64_t{9'200} * 1'000'000'000'000;

// Parses "10s", "500ms", "1.5 s", "2 minutes", "1h30m", "250 milliseconds".
// Units: ns us ms s m h d (and their English names, singular or plural).
// A bare number is rejected: the unit is always explicit. Negative durations
// are rejected, and so are durations over kMaxEventTimeMs.
Status ParseDuration(std::string_view text, int64_t* ms);

// How an event-time value is written in the input.
enum class TimeFormat {
  kAuto,     // numbers: unit guessed from magnitude; strings: digits or ISO-8601
  kSeconds,  // epoch seconds (may be fractional)
  kMillis,
  kMicros,
  kNanos,
  kIso,      // ISO-8601 / RFC 3339 text
};

// "auto", "s", "ms", "us", "ns", "iso".
Status ParseTimeFormat(std::string_view name, TimeFormat* out);
const char* TimeFormatName(TimeFormat f);

// Converts an epoch number in `unit` (kAuto guesses: |v| < 1e11 seconds,
// < 1e14 milliseconds, < 1e17 microseconds, else nanoseconds) to ms, flooring
// towards negative infinity. *used receives the unit actually applied.
// A result beyond kMaxEventTimeMs is InvalidArgument ("out of range").
Status EpochToMillis(double value, TimeFormat unit, int64_t* ms, TimeFormat* used);
Status EpochToMillis(int64_t value, TimeFormat unit, int64_t* ms, TimeFormat* used);

// Parses ISO-8601 date-times: "2026-01-02T03:04:05Z", "2026-01-02 03:04:05",
// fractional seconds of any length (truncated to ms), offsets "+01:00",
// "+0100", "Z"; no offset means UTC. A bare date "2026-01-02" is midnight UTC.
Status ParseIsoTimestamp(std::string_view text, int64_t* ms);

// Parses an event-time value given as text: digits (with optional sign and
// fraction) are an epoch number in `fmt`'s unit, anything else is ISO-8601.
// Text that looks numeric but is not a number ("." or "-.") is an error.
Status ParseTimeText(std::string_view text, TimeFormat fmt, int64_t* ms, TimeFormat* used);

// "2026-01-02T03:04:05.123Z".
std::string FormatIso(int64_t ms);

// A Spark datetime pattern ("yyyy-MM-dd HH:mm:ss", "dd/MM/yyyy'T'HH:mm"),
// compiled once, for parsing and formatting UTC times. Letters: y (yyyy, yy),
// M (MM, M; MMM Jan, MMMM January), d, E (EEE Mon, EEEE Monday), H, h with
// a, m, s, S (fraction, 1-9 digits), X/XXX/Z (offset),
// 'quoted text' and '' for a quote; other characters stand for themselves.
class TimePattern {
 public:
  Status Compile(std::string_view pattern);
  // The whole text must match; missing date parts default to 1970-01-01.
  // Times beyond kMaxEventTimeMs do not parse.
  bool Parse(std::string_view text, int64_t* ms) const;
  void Format(int64_t ms, std::string* out) const;

 private:
  struct Part {
    char letter;  // 0: literal text
    int width;
    std::string text;
  };
  std::vector<Part> parts_;
};

// Floor division and non-negative modulo (times before 1970 are negative).
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
inline int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);

}  // namespace sstream
