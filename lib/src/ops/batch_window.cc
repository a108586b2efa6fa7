#include "sstream/batch_window.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "ops/text_util.h"
#include "sstream/record.h"
#include "sstream/window.h"

namespace sstream {

namespace {

// count and sum of one aggregate over some batches; sums stay exact integers
// while every value is a JSON integer.
struct Partial {
  int64_t count = 0;
  double sum = 0;
  int64_t isum = 0;
  bool all_int = true;
  bool has_value = false;
};

using KeyPartials = std::unordered_map<std::string, std::vector<Partial>>;

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
    SSTREAM_RETURN_IF_ERROR(ParseAggList(o.agg, &aggs_));
    std::vector<std::string> paths;
    SSTREAM_RETURN_IF_ERROR(text::SplitFieldLists(o.by, "--by", &paths));
    for (const auto& f : paths) {
      std::vector<std::string> segs;
      SSTREAM_RETURN_IF_ERROR(ParseFieldPath(f, &segs).WithContext("--by"));
      key_names_.push_back(segs.back());
    }
    n_keys_ = paths.size();
    for (const auto& a : aggs_) {
      if (a.fn != AggSpec::Fn::kCount && a.fn != AggSpec::Fn::kSum) {
        return Status::InvalidArgument(fmt::format(
            "--batch-window supports count and sum(f) (they have inverses), not {}", a.name));
      }
      agg_index_.push_back(a.field.empty() ? 0 : paths.size());
      if (!a.field.empty()) paths.push_back(a.field);
    }
    scanner_ = std::make_unique<RecordScanner>(paths);
    return Status::OK();
  }

  Status OnRecord(const Frame& f, FrameWriter*) override {
    SSTREAM_RETURN_IF_ERROR(scanner_->Scan(f));
    key_.clear();
    for (size_t k = 0; k < n_keys_; ++k) {
      if (k) key_.push_back('\x1f');
      std::string_view raw = scanner_->value(k);
      key_.append(raw.empty() ? std::string_view("null") : raw);
    }
    auto& slots = current_[key_];
    slots.resize(aggs_.size());
    for (size_t a = 0; a < aggs_.size(); ++a) {
      Partial& p = slots[a];
      ++p.count;
      if (aggs_[a].fn != AggSpec::Fn::kSum) continue;
      std::string_view raw = scanner_->value(agg_index_[a]);
      double v;
      if (raw.empty() || !RawToDouble(raw, &v)) continue;
      int64_t iv;
      bool is_int = raw[0] != '"' && raw.find_first_of(".eE") == std::string_view::npos &&
                    RawToInt64(raw, &iv);
      p.sum += v;
      if (p.all_int && is_int && !__builtin_add_overflow(p.isum, iv, &p.isum)) {
        // still exact
      } else {
        p.all_int = false;
      }
      p.has_value = true;
    }
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
          bool zero = std::all_of(it->second.begin(), it->second.end(),
                                  [](const Partial& p) { return p.count == 0; });
          it = zero ? totals_.erase(it) : std::next(it);
        }
      }
      return EmitRows(first, end, totals_, out);
    }
    KeyPartials window;
    for (auto it = batches_.lower_bound(first); it != batches_.end() && it->first <= end; ++it) {
      for (const auto& [key, slots] : it->second) {
        auto& w = window[key];
        w.resize(aggs_.size());
        for (size_t a = 0; a < aggs_.size(); ++a) Add(&w[a], slots[a], +1);
      }
    }
    return EmitRows(first, end, window, out);
  }

  void Apply(const KeyPartials& batch, int sign) {
    for (const auto& [key, slots] : batch) {
      auto& t = totals_[key];
      t.resize(aggs_.size());
      for (size_t a = 0; a < aggs_.size(); ++a) Add(&t[a], slots[a], sign);
    }
  }

  static void Add(Partial* d, const Partial& s, int sign) {
    d->count += sign * s.count;
    d->sum += sign * s.sum;
    d->has_value = d->has_value || s.has_value;
    if (d->all_int && s.all_int) {
      int64_t delta = sign > 0 ? s.isum : -s.isum;
      if (__builtin_add_overflow(d->isum, delta, &d->isum)) d->all_int = false;
    } else {
      d->all_int = false;
    }
  }

  Status EmitRows(int64_t first, int64_t end, const KeyPartials& rows, FrameWriter* out) {
    std::vector<const KeyPartials::value_type*> order;
    for (const auto& entry : rows) order.push_back(&entry);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->first < b->first; });
    static const std::vector<Partial> kEmpty;
    std::pair<const std::string, std::vector<Partial>> empty_row{"", {}};
    // countByWindow: one row per window, 0 when nothing arrived.
    if (n_keys_ == 0 && order.empty()) order.push_back(&empty_row);
    for (const auto* entry : order) {
      buf_.assign("{\"batch_window_start\":");
      fmt::format_to(std::back_inserter(buf_), "{},\"batch_window_end\":{}", first, end);
      size_t pos = 0;
      for (size_t k = 0; k < n_keys_; ++k) {
        size_t e = entry->first.find('\x1f', pos);
        if (e == std::string::npos) e = entry->first.size();
        buf_.push_back(',');
        AppendJsonString(&buf_, key_names_[k]);
        buf_.push_back(':');
        buf_.append(entry->first, pos, e - pos);
        pos = e + 1;
      }
      for (size_t a = 0; a < aggs_.size(); ++a) {
        Partial p = a < entry->second.size() ? entry->second[a] : Partial();
        buf_.push_back(',');
        AppendJsonString(&buf_, aggs_[a].name);
        buf_.push_back(':');
        if (aggs_[a].fn == AggSpec::Fn::kCount) {
          fmt::format_to(std::back_inserter(buf_), "{}", p.count);
        } else if (!p.has_value) {
          buf_.append("null");
        } else if (p.all_int) {
          fmt::format_to(std::back_inserter(buf_), "{}", p.isum);
        } else {
          AppendJsonNumber(&buf_, p.sum);
        }
      }
      buf_.push_back('}');
      SSTREAM_RETURN_IF_ERROR(out->WriteData(buf_));
    }
    return Status::OK();
  }

  int64_t length_ = 1, slide_ = 1;
  bool inverse_ = false, drop_zero_ = false;
  std::vector<AggSpec> aggs_;
  std::vector<std::string> key_names_;
  size_t n_keys_ = 0;
  std::vector<size_t> agg_index_;
  std::unique_ptr<RecordScanner> scanner_;
  KeyPartials current_;                       // the open batch
  std::map<int64_t, KeyPartials> batches_;    // recent closed batches by epoch
  KeyPartials totals_;                        // --inverse: the running window
  int64_t last_epoch_ = -1;
  int64_t prev_end_ = 0;
  bool emitted_any_ = false;
  std::string key_, buf_;
};

}  // namespace

Status NewBatchWindowOperator(const BatchWindowOptions& o, std::unique_ptr<Operator>* out) {
  auto op = std::make_unique<BatchWindowOperator>();
  SSTREAM_RETURN_IF_ERROR(op->Init(o));
  *out = std::move(op);
  return Status::OK();
}

}  // namespace sstream
