#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "sstream/time.h"

namespace sstream {

Status TimePattern::Compile(std::string_view pattern) {
  parts_.clear();
  auto literal = [&](char c) {
    if (parts_.empty() || parts_.back().letter != 0) parts_.push_back({0, 0, {}});
    parts_.back().text.push_back(c);
  };
  for (size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if (c == '\'') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {
        literal('\'');
        i += 2;
        continue;
      }
      size_t end = pattern.find('\'', i + 1);
      if (end == std::string_view::npos) {
        return Status::InvalidArgument(fmt::format("time pattern '{}': unclosed quote", pattern));
      }
      for (size_t k = i + 1; k < end; ++k) literal(pattern[k]);
      if (end == i + 1) literal('\'');
      i = end + 1;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(c))) {
      literal(c);
      ++i;
      continue;
    }
    size_t n = 1;
    while (i + n < pattern.size() && pattern[i + n] == c) ++n;
    if (std::string_view("yMdHhmsSaXZE").find(c) == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format(
          "time pattern '{}': unsupported letter '{}' (supported: y M d E H h m s S a X Z)",
          pattern, c));
    }
    parts_.push_back({c, static_cast<int>(n), {}});
    i += n;
  }
  return Status::OK();
}

namespace {

const char* const kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                               "July",    "August",   "September", "October", "November", "December"};
const char* const kDays[] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                             "Friday", "Saturday", "Sunday"};

// A month or day name, in full (width >= 4) or its first three letters, at
// *pos (any letter case); returns its index in `names`, or -1.
int ReadName(std::string_view text, size_t* pos, const char* const* names, int count, int width) {
  for (int i = 0; i < count; ++i) {
    std::string_view name = names[i];
    if (width < 4) name = name.substr(0, 3);
    if (text.size() - *pos < name.size()) continue;
    bool same = true;
    for (size_t k = 0; k < name.size() && same; ++k) {
      same = std::tolower(static_cast<unsigned char>(text[*pos + k])) ==
             std::tolower(static_cast<unsigned char>(name[k]));
    }
    if (same) {
      *pos += name.size();
      return i;
    }
  }
  return -1;
}

// Reads 1..max_digits digits (exactly `exact` when > 0).
bool Digits(std::string_view text, size_t* pos, int exact, int max_digits, int64_t* out) {
  int64_t v = 0;
  int n = 0;
  const int limit = exact > 0 ? exact : max_digits;
  while (*pos < text.size() && n < limit && std::isdigit(static_cast<unsigned char>(text[*pos]))) {
    if (n == 18) return false;  // more would overflow: no field is that long
    v = v * 10 + (text[*pos] - '0');
    ++*pos;
    ++n;
  }
  if (n == 0 || (exact > 0 && n != exact)) return false;
  *out = v;
  return true;
}

}  // namespace

bool TimePattern::Parse(std::string_view text, int64_t* ms) const {
  int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
  int64_t offset_min = 0;
  bool pm = false, has_ampm = false;
  size_t pos = 0;
  for (size_t k = 0; k < parts_.size(); ++k) {
    const Part& p = parts_[k];
    int64_t v = 0;
    switch (p.letter) {
      case 0:
        if (text.substr(pos, p.text.size()) != p.text) return false;
        pos += p.text.size();
        break;
      case 'y': {
        // Followed at once by another number (yyyyMMdd), the year has its
        // pattern's width, at least four digits; otherwise up to six.
        const bool adjacent = k + 1 < parts_.size() && parts_[k + 1].letter != 0 &&
                              parts_[k + 1].letter != 'a' && parts_[k + 1].letter != 'X' &&
                              parts_[k + 1].letter != 'Z';
        if (p.width == 2) {
          if (!Digits(text, &pos, 2, 2, &v)) return false;
          year = 2000 + v;
        } else {
          if (!Digits(text, &pos, adjacent ? std::max(p.width, 4) : 0, 6, &v)) return false;
          // A wide pattern ("yyyyyyyyy") reads more digits, but a year of
          // more than six would overflow the day arithmetic below.
          if (v > 999'999) return false;
          year = v;
        }
        break;
      }
      case 'M':
        if (p.width >= 3) {  // MMM: Jan, MMMM: January
          const int m = ReadName(text, &pos, kMonths, 12, p.width);
          if (m < 0) return false;
          month = m + 1;
          break;
        }
        if (!Digits(text, &pos, p.width >= 2 ? 2 : 0, 2, &month) || month < 1 || month > 12) {
          return false;
        }
        break;
      case 'E':  // the day's name is read and not checked against the date
        if (ReadName(text, &pos, kDays, 7, p.width) < 0) return false;
        break;
      case 'd':
        if (!Digits(text, &pos, p.width >= 2 ? 2 : 0, 2, &day) || day < 1 || day > 31) return false;
        break;
      case 'H':
      case 'h':
        if (!Digits(text, &pos, p.width >= 2 ? 2 : 0, 2, &hour) || hour > 23) return false;
        break;
      case 'm':
        if (!Digits(text, &pos, p.width >= 2 ? 2 : 0, 2, &minute) || minute > 59) return false;
        break;
      case 's':
        if (!Digits(text, &pos, p.width >= 2 ? 2 : 0, 2, &second) || second > 59) return false;
        break;
      case 'S': {
        size_t start = pos;
        if (!Digits(text, &pos, p.width, 9, &v)) return false;
        int digits = static_cast<int>(pos - start);
        while (digits > 3) {
          v /= 10;
          --digits;
        }
        while (digits < 3) {
          v *= 10;
          ++digits;
        }
        millis = v;
        break;
      }
      case 'a':
        has_ampm = true;
        if (text.substr(pos, 2) == "AM" || text.substr(pos, 2) == "am") {
          pm = false;
        } else if (text.substr(pos, 2) == "PM" || text.substr(pos, 2) == "pm") {
          pm = true;
        } else {
          return false;
        }
        pos += 2;
        break;
      case 'X':
      case 'Z': {
        if (pos < text.size() && text[pos] == 'Z') {
          ++pos;
          break;
        }
        if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return false;
        const int sign = text[pos++] == '-' ? -1 : 1;
        int64_t h = 0, m = 0;
        if (!Digits(text, &pos, 2, 2, &h)) return false;
        if (pos < text.size() && text[pos] == ':') ++pos;
        if (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) &&
            !Digits(text, &pos, 2, 2, &m)) {
          return false;
        }
        offset_min = sign * (h * 60 + m);
        break;
      }
      default: return false;
    }
  }
  if (pos != text.size()) return false;
  if (has_ampm) {
    if (hour < 1 || hour > 12) return false;
    hour = hour % 12 + (pm ? 12 : 0);
  }
  const int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t y2;
  unsigned m2, d2;
  CivilFromDays(days, &y2, &m2, &d2);
  if (m2 != month || d2 != day) return false;  // 31 April and the like
  const int64_t t =
      ((days * 24 + hour) * 60 + minute) * 60'000 + second * 1000 + millis - offset_min * 60'000;
  if (t > kMaxEventTimeMs || t < -kMaxEventTimeMs) return false;
  *ms = t;
  return true;
}

void TimePattern::Format(int64_t ms, std::string* out) const {
  const int64_t days = FloorDiv(ms, 86'400'000);
  const int64_t in_day = ms - days * 86'400'000;
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  const int64_t hour = in_day / 3'600'000, minute = in_day / 60'000 % 60,
                second = in_day / 1000 % 60, millis = in_day % 1000;
  auto num = [&](int64_t v, int width) { fmt::format_to(std::back_inserter(*out), "{:0{}}", v, width); };
  for (const Part& p : parts_) {
    switch (p.letter) {
      case 0: out->append(p.text); break;
      case 'y': p.width == 2 ? num(year % 100, 2) : num(year, p.width); break;
      case 'M':
        if (p.width >= 3) {
          const std::string_view name = kMonths[month - 1];
          out->append(p.width >= 4 ? name : name.substr(0, 3));
        } else {
          num(month, p.width);
        }
        break;
      case 'E': {  // 1970-01-01 was a Thursday (index 3 from Monday)
        const std::string_view name = kDays[FloorMod(days + 3, 7)];
        out->append(p.width >= 4 ? name : name.substr(0, 3));
        break;
      }
      case 'd': num(day, p.width); break;
      case 'H': num(hour, p.width); break;
      case 'h': num(hour % 12 == 0 ? 12 : hour % 12, p.width); break;
      case 'm': num(minute, p.width); break;
      case 's': num(second, p.width); break;
      case 'S': {
        std::string frac = fmt::format("{:03}", millis);
        frac.resize(static_cast<size_t>(p.width), '0');
        out->append(frac);
        break;
      }
      case 'a': out->append(hour < 12 ? "AM" : "PM"); break;
      case 'X': out->append("Z"); break;
      case 'Z': out->append("+0000"); break;
      default: break;
    }
  }
}

}  // namespace sstream
