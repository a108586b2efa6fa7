#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <system_error>

#include <fmt/format.h>

#include "sstream/time.h"

namespace sstream {

// Howard Hinnant's civil-date algorithms (public domain).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

Status ParseTimeFormat(std::string_view name, TimeFormat* out) {
  static const struct {
    const char* name;
    TimeFormat f;
  } kNames[] = {{"auto", TimeFormat::kAuto}, {"s", TimeFormat::kSeconds},
                {"ms", TimeFormat::kMillis}, {"us", TimeFormat::kMicros},
                {"ns", TimeFormat::kNanos},  {"iso", TimeFormat::kIso}};
  for (const auto& n : kNames) {
    if (name == n.name) {
      *out = n.f;
      return Status::OK();
    }
  }
  return Status::InvalidArgument(
      fmt::format("unknown time format '{}' (expected auto, s, ms, us, ns or iso)", name));
}

const char* TimeFormatName(TimeFormat f) {
  switch (f) {
    case TimeFormat::kAuto: return "auto";
    case TimeFormat::kSeconds: return "s";
    case TimeFormat::kMillis: return "ms";
    case TimeFormat::kMicros: return "us";
    case TimeFormat::kNanos: return "ns";
    case TimeFormat::kIso: return "iso";
  }
  return "auto";
}

namespace {

Status OutOfRange() {
  return Status::InvalidArgument(
      "event time out of range (more than 9.2e15 ms, about 291,000 years, from 1970)");
}

// Compared as integers: as a double, 1e17 - 1 rounds up to 1e17.
TimeFormat GuessUnit(uint64_t magnitude) {
  if (magnitude < 100'000'000'000ull) return TimeFormat::kSeconds;
  if (magnitude < 100'000'000'000'000ull) return TimeFormat::kMillis;
  if (magnitude < 100'000'000'000'000'000ull) return TimeFormat::kMicros;
  return TimeFormat::kNanos;
}

}  // namespace

Status EpochToMillis(double value, TimeFormat unit, int64_t* ms, TimeFormat* used) {
  if (!std::isfinite(value)) return Status::InvalidArgument("event time is not a finite number");
  if (unit == TimeFormat::kAuto) {
    double mag = std::fabs(value);  // the thresholds are integers: flooring keeps the comparison
    unit = mag >= 1.8e19 ? TimeFormat::kNanos : GuessUnit(static_cast<uint64_t>(mag));
  }
  double m;
  switch (unit) {
    case TimeFormat::kSeconds: m = value * 1e3; break;
    case TimeFormat::kMillis: m = value; break;
    case TimeFormat::kMicros: m = value / 1e3; break;
    case TimeFormat::kNanos: m = value / 1e6; break;
    default:
      return Status::InvalidArgument("event time is a number but --time-format is iso");
  }
  if (!(std::fabs(m) <= static_cast<double>(kMaxEventTimeMs))) return OutOfRange();
  *ms = static_cast<int64_t>(std::floor(m));
  if (used) *used = unit;
  return Status::OK();
}

Status EpochToMillis(int64_t value, TimeFormat unit, int64_t* ms, TimeFormat* used) {
  if (unit == TimeFormat::kAuto) {
    unit = GuessUnit(value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value));
  }
  int64_t m;
  switch (unit) {
    case TimeFormat::kSeconds:
      // Checked before multiplying: the product could overflow.
      if (value > kMaxEventTimeMs / 1000 || value < -kMaxEventTimeMs / 1000) return OutOfRange();
      m = value * 1000;
      break;
    case TimeFormat::kMillis: m = value; break;
    case TimeFormat::kMicros: m = FloorDiv(value, 1000); break;
    case TimeFormat::kNanos: m = FloorDiv(value, 1'000'000); break;
    default:
      return Status::InvalidArgument("event time is a number but --time-format is iso");
  }
  if (m > kMaxEventTimeMs || m < -kMaxEventTimeMs) return OutOfRange();
  *ms = m;
  if (used) *used = unit;
  return Status::OK();
}

Status ParseIsoTimestamp(std::string_view s, int64_t* ms) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(
        fmt::format("invalid timestamp '{}': {}", s.substr(0, 64), why));
  };
  size_t i = 0;
  const size_t n = s.size();
  auto digits = [&](int count, int64_t* out) {
    int64_t v = 0;
    for (int k = 0; k < count; ++k) {
      if (i >= n || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
      v = v * 10 + (s[i] - '0');
      ++i;
    }
    *out = v;
    return true;
  };
  int64_t year, month, day, hour = 0, minute = 0, second = 0, frac_ms = 0;
  bool neg_year = false;
  if (i < n && (s[i] == '-' || s[i] == '+')) {
    neg_year = s[i] == '-';
    ++i;
  }
  if (!digits(4, &year)) return bad("expected a 4-digit year");
  if (neg_year) year = -year;
  if (i >= n || s[i] != '-') return bad("expected '-' after the year");
  ++i;
  if (!digits(2, &month) || month < 1 || month > 12) return bad("bad month");
  if (i >= n || s[i] != '-') return bad("expected '-' after the month");
  ++i;
  if (!digits(2, &day) || day < 1 || day > 31) return bad("bad day");
  static const int kDaysIn[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDaysIn[month - 1] || (month == 2 && day == 29 && !leap)) return bad("no such day");
  int64_t offset_min = 0;
  if (i < n) {
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return bad("expected 'T' or ' ' after the date");
    ++i;
    if (!digits(2, &hour) || hour > 23) return bad("bad hour");
    if (i >= n || s[i] != ':') return bad("expected ':' after the hour");
    ++i;
    if (!digits(2, &minute) || minute > 59) return bad("bad minute");
    if (i < n && s[i] == ':') {
      ++i;
      if (!digits(2, &second) || second > 60) return bad("bad second");
      if (second == 60) second = 59;  // leap second: clamp, as java.time does when lenient
      if (i < n && (s[i] == '.' || s[i] == ',')) {
        ++i;
        int count = 0;
        int64_t f = 0;
        while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) {
          if (count < 3) f = f * 10 + (s[i] - '0');
          ++count;
          ++i;
        }
        if (count == 0) return bad("expected digits after the decimal point");
        for (int k = count; k < 3; ++k) f *= 10;
        frac_ms = f;
      }
    }
    if (i < n) {
      if (s[i] == 'Z' || s[i] == 'z') {
        ++i;
      } else if (s[i] == '+' || s[i] == '-') {
        int sign = s[i] == '-' ? -1 : 1;
        ++i;
        int64_t oh, om = 0;
        if (!digits(2, &oh) || oh > 18) return bad("bad offset hours");
        if (i < n && s[i] == ':') ++i;
        if (i < n && !digits(2, &om)) return bad("bad offset minutes");
        if (om > 59) return bad("bad offset minutes");
        offset_min = sign * (oh * 60 + om);
      } else {
        return bad("unexpected text after the time");
      }
    }
  }
  if (i != n) return bad("unexpected trailing text");
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  *ms = ((days * 24 + hour) * 60 + minute - offset_min) * 60'000 + second * 1000 + frac_ms;
  return Status::OK();
}

Status ParseTimeText(std::string_view text, TimeFormat fmt, int64_t* ms, TimeFormat* used) {
  if (text.empty()) return Status::InvalidArgument("event time is an empty string");
  bool numeric = true;
  bool has_dot = false;
  for (size_t k = 0; k < text.size(); ++k) {
    char c = text[k];
    if (std::isdigit(static_cast<unsigned char>(c))) continue;
    if (c == '-' && k == 0 && text.size() > 1) continue;
    if (c == '.' && !has_dot) {
      has_dot = true;
      continue;
    }
    numeric = false;
    break;
  }
  // A 4-digit string could be a year, but a plain number is far more likely in
  // event data; "2026-01-02" has dashes and is never numeric here.
  if (numeric && fmt != TimeFormat::kIso) {
    // from_chars: no allocation on the per-record path. The whole text must
    // be the number: "." and "-." pass the character check but are none.
    const char* end = text.data() + text.size();
    if (!has_dot && text.size() <= 18) {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(text.data(), end, v);
      if (ec == std::errc() && ptr == end) return EpochToMillis(v, fmt, ms, used);
    } else {
      double v = 0;
      auto [ptr, ec] = std::from_chars(text.data(), end, v);
      if (ec == std::errc() && ptr == end) return EpochToMillis(v, fmt, ms, used);
      if (ec == std::errc::result_out_of_range) return OutOfRange();
    }
    return Status::InvalidArgument(
        fmt::format("event time '{}' is not a number", text.substr(0, 64)));
  }
  if (fmt != TimeFormat::kAuto && fmt != TimeFormat::kIso) {
    return Status::InvalidArgument(fmt::format(
        "event time '{}' is not an epoch number (--time-format {})", text.substr(0, 64),
        TimeFormatName(fmt)));
  }
  if (used) *used = TimeFormat::kIso;
  return ParseIsoTimestamp(text, ms);
}

std::string FormatIso(int64_t ms) {
  int64_t days = FloorDiv(ms, 86'400'000);
  int64_t rem = FloorMod(ms, 86'400'000);
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  int64_t h = rem / 3'600'000, mi = rem / 60'000 % 60, s = rem / 1000 % 60, f = rem % 1000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", y, m, d, h, mi, s, f);
}

}  // namespace sstream
