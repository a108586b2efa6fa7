#include "sstream/map.h"

#include <fmt/format.h>

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
    }
    scanner_ = std::make_unique<RecordScanner>(fields_.paths());
    scanner_->set_collect_all(star_ && !select_.empty());
    ctx_ = std::make_unique<EvalContext>(scanner_.get());
    return Status::OK();
  }

  Status OnRecord(const Frame& f, FrameWriter* out) override {
    if (!where_ && select_.empty()) {
      // Nothing to evaluate: still check the record, so bad input is caught here.
      SSTREAM_RETURN_IF_ERROR(scanner_->Scan(f.json));
      return out->WriteData(f.json, f.has_event_time, f.event_time);
    }
    SSTREAM_RETURN_IF_ERROR(scanner_->Scan(f.json));
    if (where_ && !IsTrue(where_->Eval(*ctx_))) return Status::OK();
    if (select_.empty()) return out->WriteData(f.json, f.has_event_time, f.event_time);
    buf_.clear();
    buf_.push_back('{');
    bool first = true;
    auto sep = [&] {
      if (!first) buf_.push_back(',');
      first = false;
    };
    for (const auto& item : select_) {
      if (item.star) {
        for (const auto& [name, raw] : scanner_->fields()) {
          if (IsSelectedName(name)) continue;  // an explicit column replaces it
          sep();
          buf_.push_back('"');
          buf_.append(name);
          buf_.append("\":");
          buf_.append(raw);
        }
        continue;
      }
      int64_t fi = item.expr->field_index();
      if (fi >= 0) {
        std::string_view raw = scanner_->value(static_cast<size_t>(fi));
        // Missing and null fields are left out, as Spark's JSON writer does.
        if (raw.empty() || KindOfRaw(raw) == JsonKind::kNull) continue;
        sep();
        AppendJsonString(&buf_, item.name);
        buf_.push_back(':');
        buf_.append(raw);
        continue;
      }
      Value v = item.expr->Eval(*ctx_);
      if (v.IsNull()) continue;
      sep();
      AppendJsonString(&buf_, item.name);
      buf_.push_back(':');
      AppendValueJson(&buf_, v);
    }
    buf_.push_back('}');
    return out->WriteData(buf_, f.has_event_time, f.event_time);
  }

 private:
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
  std::string buf_;
};

}  // namespace

Status NewMapOperator(const MapOptions& o, std::unique_ptr<Operator>* out) {
  auto op = std::make_unique<MapOperator>();
  SSTREAM_RETURN_IF_ERROR(op->Init(o));
  *out = std::move(op);
  return Status::OK();
}

Status RunMap(const MapOptions& o, const CommonOptions& common) {
  std::unique_ptr<Operator> op;
  SSTREAM_RETURN_IF_ERROR(Status::AsUsage(NewMapOperator(o, &op)));
  return RunStdioStage(op.get(), common);
}

}  // namespace sstream
