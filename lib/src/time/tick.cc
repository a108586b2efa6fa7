#include <fmt/format.h>

#include "sstream/tick.h"
#include "sstream/time.h"

namespace sstream {

Status ParseTrigger(std::string_view text, TriggerSpec* out) {
  if (text == "once") {
    out->kind = TriggerSpec::Kind::kOnce;
    return Status::OK();
  }
  if (text == "available-now" || text == "availablenow" || text == "available_now") {
    out->kind = TriggerSpec::Kind::kAvailableNow;
    return Status::OK();
  }
  std::string_view d = text;
  out->low_latency = false;
  if (d == "continuous") {
    // Spark's Trigger.Continuous: records flow at once; checkpoints every 1 s.
    out->kind = TriggerSpec::Kind::kInterval;
    out->interval_ms = 1000;
    out->low_latency = true;
    return Status::OK();
  }
  if (d.substr(0, 11) == "continuous:") {
    d.remove_prefix(11);
    out->low_latency = true;
  }
  if (d.substr(0, 9) == "interval:") d.remove_prefix(9);
  int64_t ms;
  Status s = ParseDuration(d, &ms);
  if (!s.ok()) {
    return Status::InvalidArgument(fmt::format(
        "invalid trigger '{}' (expected a duration such as 1s, once, available-now, or "
        "continuous[:DURATION])", text));
  }
  if (ms <= 0) return Status::InvalidArgument("trigger interval must be at least 1ms");
  out->kind = TriggerSpec::Kind::kInterval;
  out->interval_ms = ms;
  return Status::OK();
}

Ticker::Ticker(const TriggerSpec& spec, Clock* clock, int64_t first_epoch)
    : spec_(spec), clock_(clock), epoch_(first_epoch) {
  deadline_ms_ = NextDeadline(clock_->NowMillis());
}

int64_t Ticker::NextDeadline(int64_t now_ms) const {
  if (spec_.kind != TriggerSpec::Kind::kInterval) return -1;
  // Aligned to multiples of the interval, as Spark's ProcessingTimeExecutor.
  return (FloorDiv(now_ms, spec_.interval_ms) + 1) * spec_.interval_ms;
}

bool Ticker::Due() {
  if (CapReached()) return true;
  if (spec_.kind != TriggerSpec::Kind::kInterval) return false;
  return records_ > 0 && clock_->NowMillis() >= deadline_ms_;
}

int64_t Ticker::MillisUntilDeadline() {
  if (spec_.kind != TriggerSpec::Kind::kInterval) return -1;
  int64_t left = deadline_ms_ - clock_->NowMillis();
  return left < 0 ? 0 : left;
}

int64_t Ticker::Close() {
  int64_t closed = epoch_++;
  records_ = 0;
  bytes_ = 0;
  deadline_ms_ = NextDeadline(clock_->NowMillis());
  return closed;
}

void Ticker::SkipEmpty() { deadline_ms_ = NextDeadline(clock_->NowMillis()); }

}  // namespace sstream
