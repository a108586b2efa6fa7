// sstream-source: where records enter a pipeline, cut into numbered batches.
//
// Inputs: "-" (stdin), file paths and directories (their regular files),
// read once; under a checkpoint files are known by device and inode, so a
// growing set of files and rotated logs go on where they stood (see
// sstream-source(1)); or a generator:
//   gen:rate            Spark's rate source: {"timestamp", "value"} rows
//   gen:ysb             Yahoo Streaming Benchmark ad events (deterministic)
//   gen:ysb-campaigns   the ad -> campaign table matching gen:ysb
// Formats for files and stdin: json (one object per line, validated) or text
// (each line becomes {"value": line}, as Spark's text source).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sstream/clock.h"
#include "sstream/io.h"
#include "sstream/stage.h"

namespace sstream {

struct SourceOptions {
  std::vector<std::string> inputs;  // empty = stdin
  std::string format = "json";      // json | text
  std::string trigger = "1s";       // interval, once, available-now
  int64_t max_batch_records = 0;    // 0 = no cap
  int64_t max_batch_bytes = 0;
  // Generators (refused with files and stdin unless left at the default).
  int64_t count = -1;               // rows to generate (-1 = unbounded)
  int64_t rows_per_second = 0;      // wall-clock pacing (0 = as fast as possible; rate: 1)
  int64_t events_per_second = 10000;  // ysb: event-time rate
  std::string start = "2026-01-01T00:00:00Z";  // ysb: first event time ("now" = the clock)
  int64_t seed = 42;
  std::string disorder = "0s";      // ysb: events arrive up to this much out of order
};

Status RunSource(const SourceOptions& o, const CommonOptions& common, Clock* clock,
                 ByteSink* out, int out_fd);

}  // namespace sstream
