// Streaming deduplication (Spark's dropDuplicates and
// dropDuplicatesWithinWatermark), carried by sstream-window --dedup.
//
// The first row of each key passes at once, unchanged; later rows with the
// same key are dropped. Keys compare by the JSON text of their fields.
//  * Without a watermark the set of seen keys grows forever (a warning says
//    so), as in Spark.
//  * With --time and --watermark, and the event-time field among the key
//    fields (Spark: dropDuplicates("id", "eventTime") after withWatermark),
//    rows with event time <= the watermark in effect are late and dropped, and
//    a key is forgotten once its event time is <= the watermark.
//  * Within the watermark (dropDuplicatesWithinWatermark): the key leaves out
//    the time; a key is remembered until its first row's event time + delay
//    is <= the watermark, so duplicates whose times differ by less than the
//    delay are dropped.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sstream/stage.h"

namespace sstream {

struct DedupOptions {
  std::vector<std::string> keys;  // key fields (comma lists accepted)
  std::string time_field;         // event-time field (with watermark)
  std::string time_format = "auto";
  std::string watermark;          // delay; empty = no watermark
  std::string watermark_policy = "min";  // own vs upstream watermark: min | max
  bool within_watermark = false;
};

Status NewDedupOperator(const DedupOptions& o, std::unique_ptr<Operator>* out);

}  // namespace sstream
