#include <cctype>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "sstream/time.h"

namespace sstream {

namespace {

bool UnitToNanos(std::string_view u, double* nanos) {
  struct Unit {
    const char* names[4];
    double nanos;
  };
  static const Unit kUnits[] = {
      {{"ns", "nanosecond", "nanoseconds", nullptr}, 1},
      {{"us", "microsecond", "microseconds", nullptr}, 1e3},
      {{"ms", "millisecond", "milliseconds", "msec"}, 1e6},
      {{"s", "second", "seconds", "sec"}, 1e9},
      {{"m", "minute", "minutes", "min"}, 60e9},
      {{"h", "hour", "hours", nullptr}, 3600e9},
      {{"d", "day", "days", nullptr}, 86400e9},
  };
  std::string lower;
  for (char c : u) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "secs") lower = "sec";
  if (lower == "mins") lower = "min";
  for (const auto& unit : kUnits) {
    for (const char* n : unit.names) {
      if (n != nullptr && lower == n) {
        *nanos = unit.nanos;
        return true;
      }
    }
  }
  return false;
}

}  // namespace

Status ParseDuration(std::string_view text, int64_t* ms) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format(
        "invalid duration '{}': {} (examples: 10s, 500ms, 1.5 minutes, 1h30m)", text, why));
  };
  size_t i = 0;
  const size_t n = text.size();
  auto skip_ws = [&] {
    while (i < n && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  skip_ws();
  if (i == n) return bad("empty");
  double total_ns = 0;
  int parts = 0;
  while (i < n) {
    if (text[i] == '-') return bad("negative durations are not allowed");
    size_t num_start = i;
    while (i < n && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == num_start) return bad("expected a number");
    std::string num(text.substr(num_start, i - num_start));
    if (num.find('.') != num.rfind('.') || num == ".") return bad("malformed number");
    double value = std::strtod(num.c_str(), nullptr);
    skip_ws();
    size_t unit_start = i;
    while (i < n && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    if (i == unit_start) return bad("missing unit");
    double unit_ns = 0;
    if (!UnitToNanos(text.substr(unit_start, i - unit_start), &unit_ns)) {
      return bad(fmt::format("unknown unit '{}'", text.substr(unit_start, i - unit_start)));
    }
    total_ns += value * unit_ns;
    ++parts;
    skip_ws();
  }
  if (!std::isfinite(total_ns) || total_ns > 9.2e18) return bad("too large");
  // Durations are used in milliseconds; sub-millisecond remainders truncate.
  *ms = static_cast<int64_t>(total_ns / 1e6);
  (void)parts;
  return Status::OK();
}

}  // namespace sstream
