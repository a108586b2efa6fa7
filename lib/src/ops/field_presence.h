// Fields a query names that the data does not have. Spark rejects a query
// that names a column its schema lacks; sstream has no schema, so a
// misspelled name (--by campain_id, --where "b > 1") would only read as null
// in every record. A stage watches the top-level fields and paths its
// options name, and at the end of each batch that had records, a watched
// field no record of the batch had is reported: a warning once per field,
// naming it, the option it came from and a near name the records do have;
// with --strict, an error (a field present with a null value is present).
//
// Cost: after each scan, while some watched field has not been seen in the
// batch, one test per such field; once all have been seen (usually in the
// first record), one test of a word per record. Internal to lib/src/ops.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sstream/expr.h"
#include "sstream/record.h"
#include "sstream/status.h"

namespace sstream {

class FieldPresence {
 public:
  // Watches the paths fields.paths()[first..] (those one option's compile
  // added), except computed placeholders, as coming from `option`.
  void WatchNew(const FieldRegistry& fields, size_t first, std::string_view option);
  // Watches scanner index `index`, the path `path`.
  void Watch(size_t index, std::string_view path, std::string_view option);

  // After each record the scanner read; `json` is the record's text.
  void Seen(const RecordScanner& scanner, std::string_view json) {
    ++records_;
    if (pending_ != 0) Check(scanner, json);
  }

  // At the end of batch `epoch`: reports the watched fields no record had
  // (see above); with `strict`, the first of them is the error returned.
  Status EndBatch(int64_t epoch, bool strict);

 private:
  void Check(const RecordScanner& scanner, std::string_view json);
  std::string Suggestion(std::string_view path) const;

  struct Field {
    size_t index;
    std::string path, option;
    bool warned = false;
  };
  static constexpr size_t kMaxWatched = 64;  // bits of pending_
  std::vector<Field> fields_;
  uint64_t pending_ = 0;  // bit i: fields_[i] not yet seen in this batch (and not warned)
  int64_t records_ = 0;   // in this batch
  std::string sample_;    // the batch's first record, for near names
};

// Edit distance between a and b (bytes): insertions, deletions,
// substitutions and swaps of neighbours.
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace sstream
