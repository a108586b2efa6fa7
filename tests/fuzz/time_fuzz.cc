// Fuzz target: the time parsers (durations, ISO-8601 timestamps, event-time
// text, triggers) on arbitrary text. Properties: an ISO timestamp between the
// years 1 and 9999 survives FormatIso and parses back to the same instant;
// every time and duration that parses lies within kMaxEventTimeMs (so window
// and watermark arithmetic cannot overflow).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sstream/tick.h"
#include "sstream/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sstream;
  const std::string text(reinterpret_cast<const char*>(data), size);
  int64_t ms = 0;
  if (ParseDuration(text, &ms).ok() && (ms < 0 || ms > kMaxEventTimeMs)) std::abort();
  auto in_range = [](int64_t t) { return t >= -kMaxEventTimeMs && t <= kMaxEventTimeMs; };

  if (ParseIsoTimestamp(text, &ms).ok()) {
    static const int64_t kFirst = DaysFromCivil(1, 1, 1) * 86'400'000;
    static const int64_t kLast = DaysFromCivil(10'000, 1, 1) * 86'400'000;
    if (ms >= kFirst && ms < kLast) {
      int64_t back = 0;
      if (!ParseIsoTimestamp(FormatIso(ms), &back).ok() || back != ms) std::abort();
    }
  }
  for (TimeFormat f : {TimeFormat::kAuto, TimeFormat::kSeconds, TimeFormat::kMillis,
                       TimeFormat::kMicros, TimeFormat::kNanos, TimeFormat::kIso}) {
    TimeFormat used = TimeFormat::kAuto;
    if (ParseTimeText(text, f, &ms, &used).ok()) {
      if (used == TimeFormat::kAuto) std::abort();  // the unit applied is always reported
      if (!in_range(ms)) std::abort();
      (void)FormatIso(ms);
    }
  }
  static const TimePattern kPattern = [] {
    TimePattern p;
    (void)p.Compile("yyyyyyyyyyyyyyyyyyyyyyyy-MM-dd HH:mm:ss.SSSSSSSSSSSSSSSSSSSSSSSSXXX");
    return p;
  }();
  if (kPattern.Parse(text, &ms) && !in_range(ms)) std::abort();
  TriggerSpec spec;
  if (ParseTrigger(text, &spec).ok() && spec.kind == TriggerSpec::Kind::kInterval &&
      spec.interval_ms <= 0) {
    std::abort();
  }
  TimeFormat f;
  (void)ParseTimeFormat(text, &f);
  return 0;
}
