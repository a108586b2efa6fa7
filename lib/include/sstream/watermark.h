// WatermarkTracker: Spark's event-time watermark for one input.
//
//   watermark after batch k = max(watermark after batch k-1,
//                                 max event time seen up to batch k - delay)
// Initial value 0; it never decreases; rows of batch k are judged against the
// watermark in effect during batch k (the value after batch k-1), so a batch
// never affects its own lateness. Pure logic: no I/O, no clock.
#pragma once

#include <cstdint>
#include <limits>

namespace sstream {

class WatermarkTracker {
 public:
  explicit WatermarkTracker(int64_t delay_ms) : delay_ms_(delay_ms) {}

  // Records an event time seen in the open batch.
  void Observe(int64_t event_ms) {
    if (event_ms > max_event_ms_) max_event_ms_ = event_ms;
  }
  // Takes a watermark announced by upstream (it only ever raises ours).
  void ObserveUpstream(int64_t wm) {
    if (wm > upstream_) upstream_ = wm;
  }
  // Called at a batch boundary; returns true when the watermark advanced.
  bool Advance() {
    int64_t candidate = current_;
    if (max_event_ms_ != kNone && max_event_ms_ - delay_ms_ > candidate) {
      candidate = max_event_ms_ - delay_ms_;
    }
    if (upstream_ > candidate) candidate = upstream_;
    if (candidate > current_) {
      current_ = candidate;
      return true;
    }
    return false;
  }
  // Moves the watermark to `ms` at once if that is later (idle input).
  void RaiseTo(int64_t ms) {
    if (ms > current_) current_ = ms;
  }
  // The watermark in effect for the open batch.
  int64_t current() const { return current_; }
  bool seen_any() const { return max_event_ms_ != kNone; }
  int64_t max_event_time() const { return max_event_ms_; }
  int64_t delay() const { return delay_ms_; }

 private:
  static constexpr int64_t kNone = std::numeric_limits<int64_t>::min();
  int64_t delay_ms_;
  int64_t current_ = 0;
  int64_t max_event_ms_ = kNone;
  int64_t upstream_ = std::numeric_limits<int64_t>::min();
};

}  // namespace sstream
