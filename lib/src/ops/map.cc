#include "sstream/map.h"

#include <fmt/format.h>

#include "ops/field_presence.h"
#include "ops/per_batch.h"
#include "sstream/expr.h"
#include "sstream/record.h"

namespace sstream {

namespace {

// --select: compiled items over one scanner, written as a JSON object.
class Projection {
 public:
  Status Init(std::string_view text, FieldRegistry* fields) {
    SSTREAM_RETURN_IF_ERROR(CompileSelectList(text, fields, &items_));
    for (const auto& item : items_) star_ = star_ || item.star;
    if (items_.size() == 1 && star_) items_.clear();  // "*" alone: keep records as they are
    for (const auto& item : items_) {
      std::string quoted;
      AppendJsonString(&quoted, item.name);
      escaped_names_.push_back(quoted.substr(1, quoted.size() - 2));
    }
    return Status::OK();
  }
  bool empty() const { return items_.empty(); }
  bool star() const { return star_ && !items_.empty(); }

  // Writes the selected columns of the scanned record into *buf (and its
  // field index into *index when `indexed`).
  void Build(const RecordScanner& scanner, EvalContext& ctx, bool indexed, std::string* buf,
             FieldIndexBuilder* index) {
    buf_ = buf;
    index_ = index;
    indexed_ = indexed;
    buf->assign("{");
    index->Clear();
    for (size_t k = 0; k < items_.size(); ++k) {
      const SelectItem& item = items_[k];
      if (item.star) {
        for (const auto& [name, raw] : scanner.fields()) {
          if (IsSelectedName(name)) continue;  // an explicit column replaces it
          AddField(name, raw);
        }
        continue;
      }
      int64_t fi = item.expr->field_index();
      if (fi >= 0) {
        std::string_view raw = scanner.value(static_cast<size_t>(fi));
        // Missing and null fields are left out, as Spark's JSON writer does.
        if (raw.empty() || KindOfRaw(raw) == JsonKind::kNull) continue;
        AddField(escaped_names_[k], raw);
        continue;
      }
      Value v = item.expr->Eval(ctx);
      if (v.IsNull()) continue;
      value_.clear();
      AppendValueJson(&value_, v);
      AddField(escaped_names_[k], value_);
    }
    buf->push_back('}');
  }

 private:
  // Appends "key":value (key already escaped, without quotes) and indexes it.
  void AddField(std::string_view key, std::string_view raw) {
    std::string& b = *buf_;
    if (b.size() > 1) b.push_back(',');
    b.push_back('"');
    size_t key_off = b.size();
    b.append(key);
    b.append("\":");
    size_t val_off = b.size();
    b.append(raw);
    if (indexed_) index_->Add(key_off, key.size(), val_off, raw.size());
  }

  bool IsSelectedName(std::string_view raw_name) const {
    for (const auto& item : items_) {
      if (!item.star && item.name == raw_name) return true;
    }
    return false;
  }

  std::vector<SelectItem> items_;
  bool star_ = false;
  std::vector<std::string> escaped_names_;  // items_[k].name, JSON-escaped, no quotes
  std::string* buf_ = nullptr;
  FieldIndexBuilder* index_ = nullptr;
  bool indexed_ = false;
  std::string value_;
};

class MapOperator final : public Operator {
 public:
  Status Init(const MapOptions& o) {
    set_strict(o.strict);  // also when run per batch, outside RunStage
    if (!o.where.empty()) {
      Status s = CompileExpr(o.where, &fields_, &where_);
      if (!s.ok()) return s.WithContext("--where");
      presence_.WatchNew(fields_, 0, "--where");
    }
    if (!o.explode.empty()) {
      const size_t first = fields_.paths().size();
      SSTREAM_RETURN_IF_ERROR(InitExplode(o.explode));
      presence_.WatchNew(fields_, first, "--explode");
    }
    if (!o.select.empty()) {
      // After --explode, --select reads the exploded records (their own scanner).
      FieldRegistry* fields = explode_ ? &exploded_fields_ : &fields_;
      const size_t first = fields->paths().size();
      Status s = select_.Init(o.select, fields);
      if (!s.ok()) return s.WithContext("--select");
      (explode_ ? exploded_presence_ : presence_).WatchNew(*fields, first, "--select");
    }
    scanner_ = std::make_unique<RecordScanner>(fields_.paths());
    scanner_->set_collect_all((select_.star() && !explode_) || explode_);
    ctx_ = std::make_unique<EvalContext>(scanner_.get());
    ctx_->set_strict(o.strict);
    if (explode_) {
      exploded_scanner_ = std::make_unique<RecordScanner>(exploded_fields_.paths());
      exploded_scanner_->set_collect_all(select_.star());
      exploded_ctx_ = std::make_unique<EvalContext>(exploded_scanner_.get());
      exploded_ctx_->set_strict(o.strict);
    }
    return Status::OK();
  }

  Status OnRecord(const Frame& f, FrameWriter* out) override {
    // Also when there is nothing to evaluate: bad input is caught here.
    SSTREAM_RETURN_IF_ERROR(scanner_->Scan(f));
    presence_.Seen(*scanner_, f.json);
    if (where_) {
      const bool keep = IsTrue(where_->Eval(*ctx_));
      SSTREAM_RETURN_IF_ERROR(Checked(ctx_.get(), "--where"));
      if (!keep) return Status::OK();
    }
    if (explode_) return Explode(f, out);
    if (select_.empty()) {
      return out->WriteData(f.json, f.has_event_time, f.event_time, f.field_index);
    }
    select_.Build(*scanner_, *ctx_, out->format() == WireFormat::kBinary, &buf_, &index_);
    SSTREAM_RETURN_IF_ERROR(Checked(ctx_.get(), "--select"));
    return out->WriteData(buf_, f.has_event_time, f.event_time, index_.bytes());
  }

  Status OnBatchEnd(int64_t epoch, FrameWriter*) override {
    SSTREAM_RETURN_IF_ERROR(presence_.EndBatch(epoch, strict_));
    return exploded_presence_.EndBatch(epoch, strict_);
  }

 private:
  // A type error found while evaluating makes the record bad under
  // --strict; a pattern that cannot be used makes it bad in any mode.
  static Status Checked(EvalContext* ctx, const char* option) {
    Status s = ctx->TakeError();
    return s.ok() ? s : s.WithContext(option);
  }

  // "EXPR [AS name]": the name defaults to a field's last segment (the array
  // is replaced by its element), else "col", as Spark's explode.
  Status InitExplode(const std::string& text) {
    std::vector<SelectItem> items;
    Status s = CompileSelectList(text, &fields_, &items);
    if (!s.ok()) return s.WithContext("--explode");
    if (items.size() != 1 || items[0].star) {
      return Status::InvalidArgument("--explode takes one expression: EXPR [AS name]");
    }
    explode_ = std::move(items[0].expr);
    explode_name_ = items[0].aliased || explode_->field_index() >= 0 ? items[0].name : "col";
    std::string quoted;
    AppendJsonString(&quoted, explode_name_);
    explode_key_ = quoted;
    return Status::OK();
  }

  // flatMap: one record per element of the array (none for null, an empty
  // array, or a value that is not an array), with every other field kept.
  Status Explode(const Frame& f, FrameWriter* out) {
    Value v = explode_->Eval(*ctx_);
    SSTREAM_RETURN_IF_ERROR(Checked(ctx_.get(), "--explode"));
    if (v.IsNull()) return Status::OK();
    if (v.type != Value::Type::kJson || v.str.empty() || v.str[0] != '[') {
      ctx_->Fail(fmt::format("--explode: the value is not an array"));
      return Checked(ctx_.get(), "--explode");
    }
    array_.assign(v.str);  // the value may live in a buffer the scans below reuse
    JsonArrayElements(array_, &padded_, &elements_);
    const bool indexed = out->format() == WireFormat::kBinary;
    for (std::string_view element : elements_) {
      row_.assign("{");
      for (const auto& [name, raw] : scanner_->fields()) {
        if (name == std::string_view(explode_key_).substr(1, explode_key_.size() - 2)) continue;
        if (row_.size() > 1) row_.push_back(',');
        row_.push_back('"');
        row_.append(name);
        row_.append("\":");
        row_.append(raw);
      }
      if (row_.size() > 1) row_.push_back(',');
      row_.append(explode_key_);
      row_.push_back(':');
      row_.append(element);
      row_.push_back('}');
      if (select_.empty()) {
        SSTREAM_RETURN_IF_ERROR(out->WriteData(row_, f.has_event_time, f.event_time));
        continue;
      }
      SSTREAM_RETURN_IF_ERROR(exploded_scanner_->ScanCopy(row_));
      exploded_presence_.Seen(*exploded_scanner_, row_);
      select_.Build(*exploded_scanner_, *exploded_ctx_, indexed, &buf_, &index_);
      SSTREAM_RETURN_IF_ERROR(Checked(exploded_ctx_.get(), "--select"));
      SSTREAM_RETURN_IF_ERROR(out->WriteData(buf_, f.has_event_time, f.event_time, index_.bytes()));
    }
    return Status::OK();
  }

  FieldRegistry fields_;
  FieldPresence presence_, exploded_presence_;  // fields named that records lack
  std::unique_ptr<Expr> where_;
  Projection select_;
  std::unique_ptr<RecordScanner> scanner_;
  std::unique_ptr<EvalContext> ctx_;
  FieldIndexBuilder index_;
  std::string buf_;
  // --explode
  std::unique_ptr<Expr> explode_;
  std::string explode_name_, explode_key_;  // the element's name, and as a JSON string
  FieldRegistry exploded_fields_;
  std::unique_ptr<RecordScanner> exploded_scanner_;
  std::unique_ptr<EvalContext> exploded_ctx_;
  std::string array_, padded_, row_;
  std::vector<std::string_view> elements_;
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
  MapOptions m = o;
  m.strict = m.strict || common.strict;
  return RunStdioStage(common, [&](std::unique_ptr<Operator>* op) {
    return Status::AsUsage(NewMapOperator(m, op, common));
  });
}

}  // namespace sstream
