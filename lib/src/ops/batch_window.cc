#include "sstream/batch_window.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "common/codec.h"
#include "ops/aggregate.h"
#include "ops/text_util.h"
#include "sstream/record.h"
#include "sstream/window.h"

namespace sstream {

namespace {

// Per group key, the aggregates of some batches.
using KeyGroups = std::unordered_map<std::string, AggGroup>;

class BatchWindowOperator final : public Operator {
 public:
  Status Init(const BatchWindowOptions& o) {
    if (o.length < 1) return Status::InvalidArgument("--batch-window must be at least 1 batch");
    if (o.slide < 1) return Status::InvalidArgument("--batch-slide must be at least 1 batch");
    if (o.drop_zero && !o.inverse) {
      return Status::InvalidArgument("--drop-zero goes with --inverse (keys only stay at zero there)");
    }
    length_ = o.length;
    slide_ = o.slide;
    inverse_ = o.inverse;
    drop_zero_ = o.drop_zero;
    SSTREAM_RETURN_IF_ERROR(PlanGroupedAggregation(o.by, o.agg, &columns_, &plan_));
    for (const auto& a : plan_.aggregator.specs()) {
      if (a.fn != AggSpec::Fn::kCount && a.fn != AggSpec::Fn::kSum) {
        return Status::InvalidArgument(fmt::format(
            "--batch-window supports count and sum(f) (they have inverses), not {}", a.name));
      }
    }
    scanner_ = std::make_unique<RecordScanner>(columns_.paths());
    columns_.Bind(scanner_.get());
    return Status::OK();
  }

  Status OnRecord(const Frame& f, FrameWriter*) override {
    SSTREAM_RETURN_IF_ERROR(scanner_->Scan(f));
    columns_.Seen(f.json);
    if (columns_.has_expressions()) SSTREAM_RETURN_IF_ERROR(columns_.Compute());
    key_.assign(BuildGroupKey(*scanner_, plan_.key_index, &key_scratch_));
    plan_.aggregator.Add(&current_[key_], *scanner_);
    return Status::OK();
  }

  Status OnBatchEnd(int64_t epoch, FrameWriter* out) override {
    SSTREAM_RETURN_IF_ERROR(columns_.EndBatch(epoch, strict_));
    // Window ends in epochs that never arrived (empty batches) come first;
    // those too old to cover any batch still held are not worth a row each.
    for (int64_t j = std::max(last_epoch_ + 1, epoch - length_ - slide_); j < epoch; ++j) {
      SSTREAM_RETURN_IF_ERROR(MaybeEmit(j, out));
    }
    if (!current_.empty()) {
      batches_[epoch] = std::move(current_);
      if (checkpointing_) new_batches_.push_back(epoch);
    }
    current_.clear();
    SSTREAM_RETURN_IF_ERROR(MaybeEmit(epoch, out));
    last_epoch_ = std::max(last_epoch_, epoch);
    // Batches no future window covers, nor subtracts (--inverse), are forgotten.
    while (!batches_.empty() && batches_.begin()->first <= last_epoch_ - length_ - slide_) {
      if (checkpointing_) dropped_batches_.push_back(batches_.begin()->first);
      batches_.erase(batches_.begin());
    }
    return Status::OK();
  }

  // Checkpoints. State keys: "m" epochs (last, previous window end);
  // "b" + epoch + group key a closed batch's group; "t" + group key the
  // running window's group (--inverse). Epochs are 8 bytes that sort.
  bool HasState() const override { return true; }
  // An aggregation whose every window is emitted once, final: append.
  bool Stateful(StreamProperties* own) const override {
    own->op = "aggregation";
    own->mode = "append";
    return true;
  }

  Status LoadState(std::string_view key, std::string_view value) override {
    Decoder k(key.substr(std::min<size_t>(1, key.size())));
    bool ok = true;
    if (key == "m") {
      Decoder d(value);
      last_epoch_ = d.I64();
      prev_end_ = d.I64();
      emitted_any_ = d.I64() != 0;
      ok = d.done();
    } else if (key[0] == 'b') {
      const int64_t epoch = k.OrderedI64();
      ok = k.ok() && plan_.aggregator.LoadGroup(value, &batches_[epoch][std::string(k.rest())]);
    } else if (key[0] == 't') {
      ok = plan_.aggregator.LoadGroup(value, &totals_[std::string(k.rest())]);
    } else {
      ok = false;
    }
    if (!ok) {
      return Status::Corruption(
          fmt::format("batch window state entry '{}' is damaged", text::Printable(key)));
    }
    return Status::OK();
  }

  Status SaveState(StateChanges* changes) override {
    std::string k, v;
    for (int64_t epoch : dropped_batches_) {
      k.assign("b");
      PutOrderedI64(&k, epoch);
      changes->RetirePrefix(k);
    }
    for (int64_t epoch : new_batches_) {
      auto it = batches_.find(epoch);
      if (it == batches_.end()) continue;
      for (const auto& [key, group] : it->second) {
        k.assign("b");
        PutOrderedI64(&k, epoch);
        k.append(key);
        v.clear();
        plan_.aggregator.SaveGroup(group, &v);
        changes->Put(k, v);
      }
    }
    for (const std::string& key : totals_touched_) {
      k.assign("t").append(key);
      auto it = totals_.find(key);
      if (it == totals_.end()) {
        changes->Erase(k);
        continue;
      }
      v.clear();
      plan_.aggregator.SaveGroup(it->second, &v);
      changes->Put(k, v);
    }
    dropped_batches_.clear();
    new_batches_.clear();
    totals_touched_.clear();
    v.clear();
    PutI64(&v, last_epoch_);
    PutI64(&v, prev_end_);
    PutI64(&v, emitted_any_);
    changes->Put("m", v);
    return Status::OK();
  }

 private:
  Status MaybeEmit(int64_t end, FrameWriter* out) {
    if ((end + 1) % slide_ != 0) return Status::OK();
    const int64_t first = end - length_ + 1;
    if (inverse_) {
      // Add the batches that entered since the last window, subtract those
      // that left it.
      int64_t prev_end = emitted_any_ ? prev_end_ : first - 1;
      int64_t prev_first = prev_end - length_ + 1;
      for (auto it = batches_.upper_bound(prev_end); it != batches_.end() && it->first <= end; ++it) {
        Apply(it->second, +1);
      }
      for (auto it = batches_.lower_bound(prev_first); it != batches_.end() && it->first < first; ++it) {
        Apply(it->second, -1);
      }
      prev_end_ = end;
      emitted_any_ = true;
      if (drop_zero_) {
        for (auto it = totals_.begin(); it != totals_.end();) {
          if (it->second.count == 0 && checkpointing_) totals_touched_.insert(it->first);
          it = it->second.count == 0 ? totals_.erase(it) : std::next(it);
        }
      }
      return EmitRows(first, end, totals_, out);
    }
    KeyGroups window;
    for (auto it = batches_.lower_bound(first); it != batches_.end() && it->first <= end; ++it) {
      for (const auto& [key, part] : it->second) plan_.aggregator.Combine(&window[key], part, +1);
    }
    return EmitRows(first, end, window, out);
  }

  void Apply(const KeyGroups& batch, int sign) {
    for (const auto& [key, part] : batch) {
      plan_.aggregator.Combine(&totals_[key], part, sign);
      if (checkpointing_) totals_touched_.insert(key);
    }
  }

  Status EmitRows(int64_t first, int64_t end, const KeyGroups& rows, FrameWriter* out) {
    std::vector<const KeyGroups::value_type*> order;
    for (const auto& entry : rows) order.push_back(&entry);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->first < b->first; });
    // countByWindow: one row per window, 0 when nothing arrived.
    const KeyGroups::value_type empty_row{"", AggGroup()};
    if (plan_.key_names.empty() && order.empty()) order.push_back(&empty_row);
    for (const auto* entry : order) {
      buf_ = fmt::format("{{\"batch_window_start\":{},\"batch_window_end\":{}", first, end);
      AppendGroupKeyFields(&buf_, plan_.key_names, entry->first);
      plan_.aggregator.AppendValues(&buf_, entry->second);
      buf_.push_back('}');
      SSTREAM_RETURN_IF_ERROR(out->WriteData(buf_));
    }
    return Status::OK();
  }

  int64_t length_ = 1, slide_ = 1;
  bool inverse_ = false, drop_zero_ = false;
  GroupedAggregation plan_;
  Columns columns_;
  std::unique_ptr<RecordScanner> scanner_;
  KeyGroups current_;                       // the open batch
  std::map<int64_t, KeyGroups> batches_;    // recent closed batches by epoch
  KeyGroups totals_;                        // --inverse: the running window
  int64_t last_epoch_ = -1;
  int64_t prev_end_ = 0;
  bool emitted_any_ = false;
  std::string key_, key_scratch_, buf_;
  // Checkpoints: what changed since the last save.
  std::vector<int64_t> new_batches_, dropped_batches_;
  std::unordered_set<std::string> totals_touched_;
};

}  // namespace

Status NewBatchWindowOperator(const BatchWindowOptions& o, std::unique_ptr<Operator>* out) {
  auto op = std::make_unique<BatchWindowOperator>();
  SSTREAM_RETURN_IF_ERROR(op->Init(o));
  *out = std::move(op);
  return Status::OK();
}

}  // namespace sstream
