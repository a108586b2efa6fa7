#include "sstream/batch_window.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "ops/aggregate.h"
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
    if (columns_.has_expressions()) SSTREAM_RETURN_IF_ERROR(columns_.Compute());
    key_.assign(BuildGroupKey(*scanner_, plan_.key_index, &key_scratch_));
    plan_.aggregator.Add(&current_[key_], *scanner_);
    return Status::OK();
  }

  Status OnBatchEnd(int64_t epoch, FrameWriter* out) override {
    // Window ends in epochs that never arrived (empty batches) come first;
    // those too old to cover any batch still held are not worth a row each.
    for (int64_t j = std::max(last_epoch_ + 1, epoch - length_ - slide_); j < epoch; ++j) {
      SSTREAM_RETURN_IF_ERROR(MaybeEmit(j, out));
    }
    if (!current_.empty()) batches_[epoch] = std::move(current_);
    current_.clear();
    SSTREAM_RETURN_IF_ERROR(MaybeEmit(epoch, out));
    last_epoch_ = std::max(last_epoch_, epoch);
    // Batches no future window covers, nor subtracts (--inverse), are forgotten.
    while (!batches_.empty() && batches_.begin()->first <= last_epoch_ - length_ - slide_) {
      batches_.erase(batches_.begin());
    }
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
    for (const auto& [key, part] : batch) plan_.aggregator.Combine(&totals_[key], part, sign);
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
};

}  // namespace

Status NewBatchWindowOperator(const BatchWindowOptions& o, std::unique_ptr<Operator>* out) {
  auto op = std::make_unique<BatchWindowOperator>();
  SSTREAM_RETURN_IF_ERROR(op->Init(o));
  *out = std::move(op);
  return Status::OK();
}

}  // namespace sstream
