// DStreams-style processing-time windows, counted in micro-batches
// (sstream-window --batch-window N --batch-slide M).
//
// The window that ends with batch (epoch) T covers batches T-N+1 .. T and is
// emitted after batch T whenever (T + 1) is a multiple of M — Spark's
// window(windowDuration, slideDuration) with both as multiples of the batch
// interval. Epoch ids are the batch clock: an epoch that never arrives (an
// empty batch upstream did not send) is an empty batch.
//  * --by FIELDS with count / sum(f): reduceByKeyAndWindow; with --by on the
//    value itself it is countByValueAndWindow.
//  * No --by: countByWindow, one row per window, 0 for an empty window.
//  * --inverse: the incremental form, adding the batches that enter and
//    subtracting those that leave; as in Spark it keeps keys whose value has
//    dropped to zero unless --drop-zero filters them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sstream/stage.h"

namespace sstream {

struct BatchWindowOptions {
  int64_t length = 0;  // batches per window (N)
  int64_t slide = 1;   // batches between windows (M)
  std::vector<std::string> by;
  std::string agg = "count";  // count and sum(f) only: they have inverses
  bool inverse = false;
  bool drop_zero = false;
};

Status NewBatchWindowOperator(const BatchWindowOptions& o, std::unique_ptr<Operator>* out);

}  // namespace sstream
