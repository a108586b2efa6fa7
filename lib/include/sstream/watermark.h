// WatermarkTracker: Spark's event-time watermark for one input.
//
//   watermark after batch k = max(watermark after batch k-1,
//                                 max event time seen up to batch k - delay)
// Initial value 0; it never decreases; rows of batch k are judged against the
// watermark in effect during batch k (the value after batch k-1), so a batch
// never affects its own lateness. With an upstream watermark as well, the
// two combine by policy (minimum by default, as Spark). Pure logic: no I/O,
// no clock.
#pragma once

#include <cstdint>
#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "sstream/status.h"

namespace sstream {

// How this stage's own watermark combines with one announced by upstream
// (Spark's spark.sql.streaming.multipleWatermarkPolicy).
enum class WatermarkPolicy { kMin, kMax };

class WatermarkTracker {
 public:
  explicit WatermarkTracker(int64_t delay_ms, WatermarkPolicy policy = WatermarkPolicy::kMin)
      : delay_ms_(delay_ms), policy_(policy) {}

  // Records an event time seen in the open batch.
  void Observe(int64_t event_ms) {
    if (event_ms > max_event_ms_) max_event_ms_ = event_ms;
  }
  // Takes a watermark announced by upstream; from then on the watermark is
  // the minimum (or, by policy, the maximum) of ours and upstream's.
  void ObserveUpstream(int64_t wm) {
    if (!has_upstream_ || wm > upstream_) upstream_ = wm;
    has_upstream_ = true;
  }
  // Called at a batch boundary; returns true when the watermark advanced.
  bool Advance() {
    if (max_event_ms_ != kNone && max_event_ms_ - delay_ms_ > own_) own_ = max_event_ms_ - delay_ms_;
    int64_t candidate = own_;
    if (has_upstream_) {
      candidate = policy_ == WatermarkPolicy::kMin ? std::min(own_, upstream_)
                                                   : std::max(own_, upstream_);
    }
    candidate = std::max(candidate, raise_to_);
    if (candidate > current_) {
      current_ = candidate;
      return true;
    }
    return false;
  }
  // A batch boundary in two steps around the stage's eviction, for stages
  // that evict by the watermark (windows, deduplication).
  // BeginBatchEnd advances and says whether to evict by current(): after an
  // advance, and always in a process's first batch, which evicts by the
  // watermark it starts with. At the last batch of a run-once trigger
  // (`last_of_run`) the advance waits for FinishBatchEnd, after the
  // eviction: Spark runs no no-data batch after Trigger.Once, so what the
  // new watermark closes is evicted by the next batch, the next run's first.
  // FinishBatchEnd says whether the watermark moved in this batch.
  bool BeginBatchEnd(bool last_of_run) {
    moved_ = !last_of_run && Advance();
    const bool evict = moved_ || evict_pending_;
    evict_pending_ = false;
    return evict;
  }
  bool FinishBatchEnd(bool last_of_run) {
    if (last_of_run) moved_ = evict_pending_ = Advance();
    return moved_;
  }
  // Moves the watermark to `ms` (if later) at the next Advance(), which then
  // reports an advance (idle input).
  void RaiseTo(int64_t ms) {
    if (ms > raise_to_) raise_to_ = ms;
  }
  // The watermark in effect for the open batch.
  int64_t current() const { return current_; }
  bool seen_any() const { return max_event_ms_ != kNone; }
  int64_t max_event_time() const { return max_event_ms_; }
  int64_t delay() const { return delay_ms_; }
  // The tracker's state as bytes (checkpoints), and back.
  void AppendState(std::string* out) const;
  bool LoadState(std::string_view bytes);

 private:
  static constexpr int64_t kNone = std::numeric_limits<int64_t>::min();
  int64_t delay_ms_;
  WatermarkPolicy policy_;
  int64_t current_ = 0;
  int64_t own_ = 0;
  int64_t max_event_ms_ = kNone;
  bool has_upstream_ = false;
  int64_t upstream_ = 0;
  int64_t raise_to_ = 0;
  bool evict_pending_ = true;  // BeginBatchEnd evicts even without an advance
  bool moved_ = false;         // advanced in the batch being ended
};

// A tracker from option text: --watermark DELAY and --watermark-policy
// (min or max); errors name the option.
Status NewWatermarkTracker(std::string_view delay, std::string_view policy,
                           std::unique_ptr<WatermarkTracker>* out);

}  // namespace sstream
