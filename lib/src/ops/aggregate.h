// Aggregation state shared by the window operators (event-time windows,
// sessions and batch-counted windows): per-group running aggregates, how a
// record is folded in, how groups merge, how results are written, and group
// keys. Internal to lib/src/ops.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "ops/columns.h"
#include "sstream/record.h"
#include "sstream/sketch.h"
#include "sstream/window.h"

namespace sstream {

// Lets string sets be searched with a string_view, without building a string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;
// Adds `key` unless present, building a string only when it is new (emplace
// would build, and free, one for every repeat).
inline void InsertKey(StringSet* set, std::string_view key) {
  if (set->find(key) == set->end()) set->emplace(key);
}

// Running state of one aggregate in one group. Sums, minima and maxima stay
// exact 64-bit integers while every input is a JSON integer (as Spark's sum
// of a long column), and fall back to doubles otherwise.
struct AggSlot {
  double x = 0;
  int64_t i = 0;
  int64_t n = 0;
  bool all_int = true;
  std::string raw;  // first / last: the value's JSON text
  // count(DISTINCT f): the distinct values' JSON text (exact, so it grows
  // with the number of distinct values).
  std::unique_ptr<StringSet> distinct;
  std::unique_ptr<HyperLogLog> hll;           // approx_count_distinct(f)
  std::unique_ptr<QuantileSketch> quantiles;  // percentile_approx(f, p)
};

// A JSON number token without fraction or exponent.
bool IsIntegerToken(std::string_view raw);

// One group's aggregates: 24 bytes when the aggregates are all count(*),
// which need no slots.
struct AggGroup {
  int64_t count = 0;
  std::unique_ptr<AggSlot[]> slots;  // one per aggregate spec, or none yet
  bool dirty = false;    // changed since last emitted (update mode)
  bool unsaved = false;  // changed since the last checkpoint
};

// Folds records into groups for a list of aggregate specs.
class Aggregator {
 public:
  // `field_index[a]` is the RecordScanner index of specs[a].field (ignored
  // for count).
  void Init(std::vector<AggSpec> specs, std::vector<size_t> field_index);
  const std::vector<AggSpec>& specs() const { return specs_; }

  // Adds the scanned record to the group.
  void Add(AggGroup* g, const RecordScanner& scanner) const;
  // Adds `later` into `*earlier` (merged sessions: earlier started first).
  void Merge(AggGroup* earlier, AggGroup&& later) const;
  // count and sum only: adds `part` to `*total` with sign +1 or -1 (the
  // incremental form of batch-counted windows).
  void Combine(AggGroup* total, const AggGroup& part, int sign) const;
  // `,"name":value` for each aggregate.
  void AppendValues(std::string* out, const AggGroup& g) const;
  // A group's aggregates as bytes (checkpoints), and back into an empty
  // group; Load returns false on damaged bytes.
  void SaveGroup(const AggGroup& g, std::string* out) const;
  bool LoadGroup(std::string_view bytes, AggGroup* g) const;

 private:
  void EnsureSlots(AggGroup* g) const {
    if (needs_slots_ && !g->slots) g->slots = std::make_unique<AggSlot[]>(specs_.size());
  }
  std::vector<AggSpec> specs_;
  std::vector<size_t> field_index_;
  bool needs_slots_ = false;  // groups that only count keep no per-aggregate state
};

// Group keys: the raw JSON of each key field joined by 0x1F (which cannot
// appear raw in JSON text), "null" for a missing field. The key is built in
// *scratch, or for one key field is a view of the record itself.
std::string_view BuildGroupKey(const RecordScanner& scanner, const std::vector<size_t>& indices,
                               std::string* scratch);
// `,"name":value` for each key field of a group key.
void AppendGroupKeyFields(std::string* out, const std::vector<std::string>& names,
                          std::string_view key);
// What a grouped aggregation reads from each record: registers the --by
// columns ("field", "expr", "expr AS name") and the aggregates' arguments
// (fields or expressions) in `columns`, and records where they are. A key's
// output name is its alias, a field's last path segment, or the expression.
struct GroupedAggregation {
  std::vector<std::string> key_names;
  std::vector<size_t> key_index;
  Aggregator aggregator;
};
Status PlanGroupedAggregation(const std::vector<std::string>& by, std::string_view agg,
                              Columns* columns, GroupedAggregation* out);

}  // namespace sstream
