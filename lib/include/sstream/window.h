// Event-time windows: assignment (pure arithmetic), aggregation state, and the
// sstream-window operator.
//
// Window arithmetic follows Spark (sstream(7), "Windows"): a tumbling window
// of size S with offset O holds [start, start+S) where
//   start = t - ((t - O) mod S)   (non-negative modulo: correct before 1970).
// Sliding windows of size S start every D <= S ms; a row belongs to every
// window that holds it, and is late for each window whose end has passed.
// Session windows: each row opens [t, t + gap); sessions of one group key
// merge when they overlap or touch; a row is late when t + gap <= watermark.
// Append mode emits a window once, when the watermark passes its end, then
// forgets it; update mode emits the groups changed in a batch; complete mode
// emits the whole table every batch and never drops late rows.
// Without any window the groups span the whole stream (Spark's groupBy on a
// stream): update and complete mode only, no event time read. A row whose
// event time is null is dropped and counted, as Spark's window() drops it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sstream/stage.h"
#include "sstream/time.h"

namespace sstream {

// Start of the tumbling window that holds t (ms).
inline int64_t TumblingWindowStart(int64_t t, int64_t size_ms, int64_t offset_ms = 0) {
  return t - FloorMod(t - offset_ms, size_ms);
}

// Calls fn(start) for every sliding window [start, start + size) that holds t,
// latest start first; windows start every `slide` ms (offset included), as
// Spark's window(col, size, slide, startTime). Tumbling is slide == size.
template <typename Fn>
void ForEachWindow(int64_t t, int64_t size_ms, int64_t slide_ms, int64_t offset_ms, Fn&& fn) {
  for (int64_t start = TumblingWindowStart(t, slide_ms, offset_ms); start > t - size_ms;
       start -= slide_ms) {
    fn(start);
  }
}

enum class OutputMode { kAppend, kUpdate, kComplete };
Status ParseOutputMode(std::string_view text, OutputMode* out);

// One aggregate: count, count(DISTINCT f), sum, avg, min, max, first or last.
struct AggSpec {
  enum class Fn {
    kCount, kCountField, kCountDistinct, kApproxCountDistinct, kPercentile,
    kSum, kAvg, kMin, kMax, kFirst, kLast
  };
  Fn fn = Fn::kCount;
  int precision = 9;        // approx_count_distinct: HyperLogLog precision (from rsd)
  double percentage = 0.5;  // percentile_approx: which quantile
  int sketch_k = 200;       // percentile_approx: quantile sketch size (from accuracy)
  std::string field;  // empty for count / count(*)
  std::string name;   // output column name
};
// Parses "count, sum(price) AS total, avg(latency)".
Status ParseAggList(std::string_view text, std::vector<AggSpec>* out);

struct WindowOptions {
  std::string time_field;            // event-time field
  std::string time_format = "auto";  // auto | s | ms | us | ns | iso
  std::string output_time_format = "input";  // window bounds: input | s | ms | us | ns | iso
  std::string tumbling;              // tumbling window size (duration)
  std::string sliding;               // sliding window size (duration), with `slide`
  std::string slide;                 // how often sliding windows start
  std::string offset = "0s";         // window start offset
  std::string session;               // session gap (duration): session windows
  std::string session_gap_field;     // per-row session gap: a field holding a duration
  std::string watermark;             // allowed delay; empty = no watermark
  std::vector<std::string> by;       // group-by fields (comma lists accepted)
  std::string agg = "count";
  std::string mode = "append";
  std::string late_output;           // file that receives rows dropped as late
  std::string idle_timeout;          // duration: finish open windows of an idle input
  std::string watermark_policy = "min";  // own vs upstream watermark: min | max
  // Where window groups live between batches: memory, or lmdb (in the
  // checkpoint; memory holds only the groups a batch touches).
  std::string state_store = "memory";
  // DStreams-style windows counted in batches (see batch_window.h).
  int64_t batch_window = 0;
  int64_t batch_slide = 1;
  bool inverse = false;
  bool drop_zero = false;
  // Deduplication instead of aggregation (see dedup.h).
  std::vector<std::string> dedup;
  bool within_watermark = false;
};

// Event-time, tumbling/sliding or session windows only.
Status NewWindowOperator(const WindowOptions& o, std::unique_ptr<Operator>* out);
// What sstream-window runs for `o`: windows, sessions, dedup or batch-counted
// windows, picked by the options given. Options the picked mode does not use,
// and unusable values, are usage errors.
Status NewWindowStage(const WindowOptions& o, std::unique_ptr<Operator>* out);
Status RunWindow(const WindowOptions& o, const CommonOptions& common);

}  // namespace sstream
