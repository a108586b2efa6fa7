// Triggers and the Ticker: when a micro-batch (epoch) closes.
//
// A TriggerSpec is what the user asked for (Spark's triggers):
//   interval   close a batch every N ms of processing time (the default, 1s),
//              aligned to multiples of N like Spark's ProcessingTime trigger;
//   once       everything available is one batch, then the stream ends;
//   available-now  everything available at start, in batches capped by
//              max_records / max_bytes, then the stream ends (the cron mode).
// Caps (max_records, max_bytes) close a batch early under interval and
// available-now; `once` ignores them, as Spark's Trigger.Once does.
// The Ticker is pure logic over an injected Clock; it never sleeps.
#pragma once

#include <cstdint>
#include <string_view>

#include "sstream/clock.h"
#include "sstream/status.h"

namespace sstream {

struct TriggerSpec {
  enum class Kind { kInterval, kOnce, kAvailableNow };
  Kind kind = Kind::kInterval;
  int64_t interval_ms = 1000;
  int64_t max_records = 0;  // 0 = no cap
  int64_t max_bytes = 0;    // 0 = no cap
  // "continuous[:interval]": each record is written on at once (every stage
  // passes on what it has before it waits for input); batches still close
  // every interval, for watermarks and checkpoints.
  bool low_latency = false;
};

// "1s", "500ms", "interval:2s", "once", "available-now", "continuous",
// "continuous:500ms".
Status ParseTrigger(std::string_view text, TriggerSpec* out);

class Ticker {
 public:
  Ticker(const TriggerSpec& spec, Clock* clock, int64_t first_epoch = 0);

  // Counts one record of `bytes` into the open batch.
  void Add(int64_t bytes) {
    ++records_;
    bytes_ += bytes;
  }
  // True when the open batch must close now: a cap is reached, or (interval
  // trigger) the deadline passed and the batch holds at least one record.
  bool Due();
  // True when the cap alone is reached (checked per record on the hot path).
  bool CapReached() const {
    // Spark's Trigger.Once ignores rate limits: all input is one batch.
    if (spec_.kind == TriggerSpec::Kind::kOnce) return false;
    return (spec_.max_records > 0 && records_ >= spec_.max_records) ||
           (spec_.max_bytes > 0 && bytes_ >= spec_.max_bytes);
  }
  // Milliseconds until the interval deadline (0 if due), or -1 when there is
  // no processing-time deadline (once / available-now).
  int64_t MillisUntilDeadline();
  // Closes the open batch and returns its epoch id; the next batch opens.
  int64_t Close();
  // Closes the open batch as `epoch` (a replayed one); the next is epoch + 1.
  int64_t CloseAs(int64_t epoch) {
    epoch_ = epoch;
    return Close();
  }
  // An empty interval passed with no records: move the deadline on.
  void SkipEmpty();

  int64_t epoch() const { return epoch_; }
  int64_t records() const { return records_; }
  int64_t bytes() const { return bytes_; }
  bool empty() const { return records_ == 0; }
  const TriggerSpec& spec() const { return spec_; }

 private:
  int64_t NextDeadline(int64_t now_ms) const;
  TriggerSpec spec_;
  Clock* clock_;
  int64_t epoch_;
  int64_t records_ = 0;
  int64_t bytes_ = 0;
  int64_t deadline_ms_;
};

}  // namespace sstream
