#include "sstream/dedup.h"

#include <map>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "common/codec.h"
#include "ops/aggregate.h"
#include "ops/columns.h"
#include "ops/text_util.h"
#include "sstream/log.h"
#include "sstream/record.h"
#include "sstream/watermark.h"

namespace sstream {

namespace {

class DedupOperator final : public Operator {
 public:
  Status Init(const DedupOptions& o) {
    std::vector<std::string> keys;
    SSTREAM_RETURN_IF_ERROR(text::SplitFieldLists(o.keys, "--dedup", &keys));
    for (const auto& f : keys) {
      if (!o.time_field.empty() && f == o.time_field) time_in_key_ = true;
      size_t index;
      SSTREAM_RETURN_IF_ERROR(columns_.Add(f, "--dedup", &index));
      key_index_.push_back(index);
    }
    if (keys.empty()) return Status::InvalidArgument("--dedup needs at least one field");
    within_ = o.within_watermark;
    if (!o.watermark.empty()) {
      if (o.time_field.empty()) return Status::InvalidArgument("--watermark needs --time FIELD");
      SSTREAM_RETURN_IF_ERROR(NewWatermarkTracker(o.watermark, o.watermark_policy, &watermark_));
      SSTREAM_RETURN_IF_ERROR(ParseTimeFormat(o.time_format, &time_format_));
      SSTREAM_RETURN_IF_ERROR(columns_.Add(o.time_field, "--time", &time_index_));
    }
    if (within_ && !watermark_) {
      return Status::InvalidArgument("--within-watermark needs --time FIELD and --watermark DELAY");
    }
    if (!watermark_ || (!within_ && !time_in_key_)) {
      Log(LogLevel::kWarning,
          "deduplication state grows without bound: every key is kept forever (add --time, "
          "--watermark and the time field to the keys, or --within-watermark)");
    }
    scanner_ = std::make_unique<RecordScanner>(columns_.paths());
    columns_.Bind(scanner_.get());
    return Status::OK();
  }

  Status OnRecord(const Frame& f, FrameWriter* out) override {
    SSTREAM_RETURN_IF_ERROR(scanner_->Scan(f));
    columns_.Seen(f.json);
    if (columns_.has_expressions()) SSTREAM_RETURN_IF_ERROR(columns_.Compute());
    int64_t t = 0;
    if (watermark_) {
      const std::string_view raw_time = scanner_->value(time_index_);
      if (KindOfRaw(raw_time) == JsonKind::kNull) {
        // As in the window stage: a null event time drops the row (counted);
        // a missing or unreadable one is a bad record.
        ++null_time_rows_;
        return Status::OK();
      }
      TimeFormat used;
      Status s = EventTimeFromRaw(raw_time, time_format_, &t, &used);
      if (!s.ok()) return s.WithContext("event time");
      watermark_->Observe(t);
      // SPEC §3 rule 4: a dedup row is late when its event time <= the watermark.
      if (t <= watermark_->current()) {
        ++late_rows_;
        return Status::OK();
      }
    }
    key_.assign(BuildGroupKey(*scanner_, key_index_, &key_scratch_));
    // The time at which the key may be forgotten (kept forever when unbounded).
    int64_t expiry = within_ ? t + watermark_->delay() : (time_in_key_ ? t : kForever);
    auto [it, inserted] = seen_.try_emplace(key_, expiry);
    if (!inserted) {
      ++duplicates_;
      return Status::OK();
    }
    if (expiry != kForever) by_expiry_.emplace(expiry, &it->first);
    if (checkpointing_) touched_.insert(key_);
    return out->WriteData(f.json, f.has_event_time, f.event_time, f.field_index);
  }

  // The last batch of a run-once trigger (kTickLastOfRun) advances the
  // watermark after forgetting keys, not before: Spark runs no no-data batch
  // after Trigger.Once, so the keys the new watermark expires are kept
  // through the next batch (the next run's first, which forgets by the
  // watermark it starts with).
  Status OnBatchEnd(int64_t epoch, FrameWriter* out) override {
    SSTREAM_RETURN_IF_ERROR(columns_.EndBatch(epoch, strict_));
    if (!watermark_) return Status::OK();
    const bool last_of_run = (tick_flags_ & kTickLastOfRun) != 0;
    if (watermark_->BeginBatchEnd(last_of_run)) {
      int64_t wm = watermark_->current();
      // Forget keys whose expiry the watermark has reached.
      while (!by_expiry_.empty() && by_expiry_.begin()->first <= wm) {
        if (checkpointing_) touched_.insert(*by_expiry_.begin()->second);
        seen_.erase(seen_.find(*by_expiry_.begin()->second));
        by_expiry_.erase(by_expiry_.begin());
      }
    }
    return watermark_->FinishBatchEnd(last_of_run) ? out->WriteWatermark(watermark_->current())
                                                    : Status::OK();
  }

  Status OnWatermark(int64_t ms, FrameWriter* out) override {
    if (!watermark_) return out->WriteWatermark(ms);
    watermark_->ObserveUpstream(ms);  // combined by --watermark-policy
    return Status::OK();
  }

  void Summarize() const override {
    Log(LogLevel::kInfo, fmt::format("dropped {} duplicate(s); {} key(s) in state", duplicates_,
                                     seen_.size()));
    if (late_rows_ > 0) {
      Log(LogLevel::kWarning,
          fmt::format("dropped {} late row(s): event time <= watermark", late_rows_));
    }
    if (null_time_rows_ > 0) {
      Log(LogLevel::kWarning,
          fmt::format("dropped {} row(s) whose event time was null", null_time_rows_));
    }
  }

  // Checkpoints. State keys: "m" the watermark; "k" + key the key's expiry.
  bool HasState() const override { return true; }
  // Each first row goes out once, when it arrives.
  bool Stateful(StreamProperties* own) const override {
    own->op = "deduplication";
    own->mode = "append";
    return true;
  }

  Status LoadState(std::string_view key, std::string_view value) override {
    Decoder d(value);
    if (key == "m") {
      if (watermark_ && !watermark_->LoadState(d.Bytes())) d.Fail();
    } else if (!key.empty() && key[0] == 'k') {
      const int64_t expiry = d.I64();
      auto [it, inserted] = seen_.try_emplace(std::string(key.substr(1)), expiry);
      if (inserted && expiry != kForever) by_expiry_.emplace(expiry, &it->first);
    } else {
      d.Fail();
    }
    if (!d.done()) {
      return Status::Corruption(
          fmt::format("dedup state entry '{}' is damaged", text::Printable(key)));
    }
    return Status::OK();
  }

  Status SaveState(StateChanges* changes) override {
    std::string k, v;
    for (const std::string& key : touched_) {
      k.assign("k").append(key);
      auto it = seen_.find(key);
      if (it == seen_.end()) {
        changes->Erase(k);
        continue;
      }
      v.clear();
      PutI64(&v, it->second);
      changes->Put(k, v);
    }
    touched_.clear();
    if (watermark_) {
      std::string wm;
      watermark_->AppendState(&wm);
      v.clear();
      PutBytes(&v, wm);
      changes->Put("m", v);
    }
    return Status::OK();
  }

 private:
  static constexpr int64_t kForever = INT64_MAX;
  std::vector<size_t> key_index_;  // the key fields' scanner indices
  size_t time_index_ = 0;
  bool time_in_key_ = false;
  bool within_ = false;
  TimeFormat time_format_ = TimeFormat::kAuto;
  std::unique_ptr<WatermarkTracker> watermark_;
  // Forget by the watermark at the next batch end even if it does not
  // advance: at a run's first batch, and after a run-once trigger's last.
  Columns columns_;
  std::unique_ptr<RecordScanner> scanner_;
  std::unordered_map<std::string, int64_t> seen_;   // key -> expiry
  // expiry -> key in seen_ (map nodes do not move, so the pointer stays valid)
  std::multimap<int64_t, const std::string*> by_expiry_;
  std::string key_, key_scratch_;
  int64_t duplicates_ = 0;
  int64_t late_rows_ = 0;
  int64_t null_time_rows_ = 0;  // dropped: the event time was null
  std::unordered_set<std::string> touched_;  // keys added or forgotten since the last save
};

}  // namespace

Status NewDedupOperator(const DedupOptions& o, std::unique_ptr<Operator>* out) {
  auto op = std::make_unique<DedupOperator>();
  SSTREAM_RETURN_IF_ERROR(op->Init(o));
  *out = std::move(op);
  return Status::OK();
}

}  // namespace sstream
