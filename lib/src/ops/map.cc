#include "sstream/map.h"

#include <fmt/format.h>

#include "ops/per_batch.h"
#include "sstream/expr.h"
#include "sstream/record.h"

namespace sstream {

namespace {

class MapOperator final : public Operator {
 public:
  Status Init(const MapOptions& o) {
    if (!o.where.empty()) {
      Status s = CompileExpr(o.where, &fields_, &where_);
      if (!s.ok()) return s.WithContext("--where");
    }
    if (!o.select.empty()) {
      Status s = CompileSelectList(o.select, &fields_, &select_);
      if (!s.ok()) return s.WithContext("--select");
      for (const auto& item : select_) {
        if (item.star) star_ = true;
      }
      if (select_.size() == 1 && star_) select_.clear();  // "*" alone: keep records as they are
      for (const auto& item : select_) {
        std::string quoted;
        AppendJsonString(&quoted, item.name);
        escaped_names_.push_back(quoted.substr(1, quoted.size() - 2));
      }
    }
    scanner_ = std::make_unique<RecordScanner>(fields_.paths());
    scanner_->set_collect_all(star_ && !select_.empty());
    ctx_ = std::make_unique<EvalContext>(scanner_.get());
    return Status::OK();
  }

  Status OnRecord(const Frame& f, FrameWriter* out) override {
    // Also when there is nothing to evaluate: bad input is caught here.
    SSTREAM_RETURN_IF_ERROR(scanner_->Scan(f));
    if (where_ && !IsTrue(where_->Eval(*ctx_))) return Status::OK();
    if (select_.empty()) {
      return out->WriteData(f.json, f.has_event_time, f.event_time, f.field_index);
    }
    buf_.clear();
    buf_.push_back('{');
    index_.Clear();
    indexed_ = out->format() == WireFormat::kBinary;  // JSON lines carry no index
    for (size_t k = 0; k < select_.size(); ++k) {
      const SelectItem& item = select_[k];
      if (item.star) {
        for (const auto& [name, raw] : scanner_->fields()) {
          if (IsSelectedName(name)) continue;  // an explicit column replaces it
          AddField(name, raw);
        }
        continue;
      }
      int64_t fi = item.expr->field_index();
      if (fi >= 0) {
        std::string_view raw = scanner_->value(static_cast<size_t>(fi));
        // Missing and null fields are left out, as Spark's JSON writer does.
        if (raw.empty() || KindOfRaw(raw) == JsonKind::kNull) continue;
        AddField(escaped_names_[k], raw);
        continue;
      }
      Value v = item.expr->Eval(*ctx_);
      if (v.IsNull()) continue;
      value_.clear();
      AppendValueJson(&value_, v);
      AddField(escaped_names_[k], value_);
    }
    buf_.push_back('}');
    return out->WriteData(buf_, f.has_event_time, f.event_time, index_.bytes());
  }

 private:
  // Appends "key":value (key already escaped, without quotes) and indexes it.
  void AddField(std::string_view key, std::string_view raw) {
    if (buf_.size() > 1) buf_.push_back(',');
    buf_.push_back('"');
    size_t key_off = buf_.size();
    buf_.append(key);
    buf_.append("\":");
    size_t val_off = buf_.size();
    buf_.append(raw);
    if (indexed_) index_.Add(key_off, key.size(), val_off, raw.size());
  }

  bool IsSelectedName(std::string_view raw_name) const {
    for (const auto& item : select_) {
      if (!item.star && item.name == raw_name) return true;
    }
    return false;
  }

  FieldRegistry fields_;
  std::unique_ptr<Expr> where_;
  std::vector<SelectItem> select_;
  bool star_ = false;
  std::unique_ptr<RecordScanner> scanner_;
  std::unique_ptr<EvalContext> ctx_;
  std::vector<std::string> escaped_names_;  // select_[k].name, JSON-escaped, no quotes
  FieldIndexBuilder index_;
  bool indexed_ = false;
  std::string buf_, value_;
};

}  // namespace

Status NewMapOperator(const MapOptions& o, std::unique_ptr<Operator>* out,
                      const CommonOptions& common) {
  auto op = std::make_unique<MapOperator>();
  SSTREAM_RETURN_IF_ERROR(op->Init(o));
  if (o.per_batch.empty()) {
    *out = std::move(op);
    return Status::OK();
  }
  PerBatchOptions pb;
  pb.argv = o.per_batch;
  return NewPerBatchOperator(pb, std::move(op), common, out);
}

Status RunMap(const MapOptions& o, const CommonOptions& common) {
  return RunStdioStage(common, [&](std::unique_ptr<Operator>* op) {
    return Status::AsUsage(NewMapOperator(o, op, common));
  });
}

}  // namespace sstream
