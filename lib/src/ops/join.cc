#include "sstream/join.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "ops/columns.h"
#include "ops/text_util.h"
#include "sstream/log.h"
#include "sstream/record.h"

namespace sstream {

namespace {

// Where "stream_side=static_column" splits: the last '=' outside quotes and
// parentheses that is not part of <=, >=, != or == (the stream side may be
// an expression), or npos.
size_t KeySeparator(std::string_view item) {
  size_t found = std::string_view::npos;
  text::ForEachTopLevel(item, [&](size_t i) {
    const bool part_of_operator =
        (i > 0 && std::string_view("<>!=").find(item[i - 1]) != std::string_view::npos) ||
        (i + 1 < item.size() && item[i + 1] == '=');
    if (item[i] == '=' && !part_of_operator) {
      found = i;
    }
  });
  return found;
}

}  // namespace

namespace {

using text::Trim;

// Appends the comparable text of a raw JSON key value; false for null/missing.
bool AppendKeyPart(std::string* key, std::string_view raw, std::string* scratch) {
  switch (KindOfRaw(raw)) {
    case JsonKind::kMissing:
    case JsonKind::kNull: return false;
    case JsonKind::kString: {
      std::string_view text;
      if (!StringContent(raw, scratch, &text).ok()) return false;
      key->append(text);
      return true;
    }
    default: key->append(raw); return true;
  }
}

class JoinOperator final : public Operator {
 public:
  Status Init(const JoinOptions& o) {
    if (o.static_path.empty()) return Status::Usage("--static FILE is required");
    if (o.how == "inner") {
      left_ = false;
    } else if (o.how == "left" || o.how == "left_outer" || o.how == "leftouter") {
      left_ = true;
    } else {
      return Status::Usage(fmt::format("unknown join type '{}' (expected inner or left)", o.how));
    }
    StaticTable table;
    SSTREAM_RETURN_IF_ERROR(LoadStaticTable(o.static_path, o.static_format, &table));
    std::vector<std::string> stream_keys;
    std::vector<size_t> static_key_cols;
    // Static key columns the record already holds under the same name (a
    // "using" join, Spark's join(table, "key")): one column in the output.
    std::vector<bool> merged(table.columns.size(), false);
    std::vector<std::string> items;
    SSTREAM_RETURN_IF_ERROR(Status::AsUsage(text::SplitFieldLists(o.on, "--on", &items)));
    for (const auto& item : items) {
      std::string s = item, t = item;
      const size_t eq = KeySeparator(item);
      if (eq != std::string::npos) {
        s = Trim(item.substr(0, eq));
        t = Trim(item.substr(eq + 1));
      }
      size_t col = 0;
      while (col < table.columns.size() && table.columns[col] != t) ++col;
      if (col == table.columns.size()) {
        return Status::Usage(fmt::format("--on {}: {} has no column '{}' (columns: {})", item,
                                         o.static_path, t, fmt::join(table.columns, ", ")));
      }
      stream_keys.push_back(s);
      static_key_cols.push_back(col);
      if (s == t) merged[col] = true;
    }
    if (stream_keys.empty()) return Status::Usage("--on KEY is required");
    n_keys_ = stream_keys.size();
    // Every static column is appended to each record but the keys of a
    // "using" join: with `stream=static` both sides stay, as in Spark's
    // join(table, $"stream" === $"static") (null-padded when unmatched).
    for (const auto& s : stream_keys) {
      size_t index;
      SSTREAM_RETURN_IF_ERROR(Status::AsUsage(columns_.Add(s, "--on", &index)));
      key_index_.push_back(index);
    }
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (merged[c]) continue;
      extra_cols_.push_back(table.columns[c]);
      extra_col_index_.push_back(c);
      // Read too, to notice records that already have the column.
      extra_scan_index_.push_back(columns_.AddPath(table.columns[c]));
      AppendSuffixField(&null_suffix_, table.columns[c], "null");
    }
    std::string scratch;
    for (size_t r = 0; r < table.rows.size(); ++r) {
      const auto& row = table.rows[r];
      std::string key;
      bool ok = true;
      for (size_t k = 0; k < n_keys_; ++k) {
        if (k) key.push_back('\x1f');
        ok = ok && AppendKeyPart(&key, row[static_key_cols[k]], &scratch);
      }
      if (!ok) continue;  // a null key never matches
      Suffix suffix;
      for (size_t e = 0; e < extra_col_index_.size(); ++e) {
        AppendSuffixField(&suffix, extra_cols_[e], row[extra_col_index_[e]]);
      }
      suffixes_.push_back(std::move(suffix));
      index_[key].push_back(suffixes_.size() - 1);
    }
    Log(LogLevel::kInfo, fmt::format("loaded {} rows ({} distinct keys) from {}",
                                     table.rows.size(), index_.size(), o.static_path));
    scanner_ = std::make_unique<RecordScanner>(columns_.paths());
    columns_.Bind(scanner_.get());
    full_scanner_ = std::make_unique<RecordScanner>(std::vector<std::string>{});
    full_scanner_->set_collect_all(true);
    return Status::OK();
  }

  Status OnRecord(const Frame& f, FrameWriter* out) override {
    SSTREAM_RETURN_IF_ERROR(scanner_->Scan(f));
    columns_.Seen(f.json);
    if (columns_.has_expressions()) SSTREAM_RETURN_IF_ERROR(columns_.Compute());
    key_.clear();
    bool ok = true;
    for (size_t k = 0; k < n_keys_ && ok; ++k) {
      if (k) key_.push_back('\x1f');
      ok = AppendKeyPart(&key_, scanner_->value(key_index_[k]), &scratch_);
    }
    const std::vector<size_t>* matches = nullptr;
    if (ok) {
      auto it = index_.find(key_);
      if (it != index_.end()) matches = &it->second;
    }
    if (matches == nullptr && !left_) return Status::OK();
    // The record part is the same for every match: prepare it once.
    SSTREAM_RETURN_IF_ERROR(PrepareBody(f));
    if (matches == nullptr) return Emit(f, null_suffix_, out);
    for (size_t m : *matches) SSTREAM_RETURN_IF_ERROR(Emit(f, suffixes_[m], out));
    return Status::OK();
  }

  Status OnBatchEnd(int64_t epoch, FrameWriter*) override {
    return columns_.EndBatch(epoch, strict_);
  }

 private:
  // The static columns appended to a record: `,"name":value...`, with where
  // each key and value lie in it (to extend the record's field index).
  struct Suffix {
    std::string text;
    struct Span {
      size_t key_off, key_len, val_off, val_len;  // relative to `text`
    };
    std::vector<Span> spans;
  };

  static void AppendSuffixField(Suffix* s, const std::string& name, std::string_view raw) {
    s->text.push_back(',');
    size_t quote = s->text.size();
    AppendJsonString(&s->text, name);
    size_t key_len = s->text.size() - quote - 2;
    s->text.push_back(':');
    size_t val_off = s->text.size();
    s->text.append(raw);
    s->spans.push_back({quote + 1, key_len, val_off, raw.size()});
  }

  // The record without its closing brace, ready for static columns: the
  // record text itself, or (rare: it already has a static column, whose
  // static value replaces it) a rebuilt copy without those fields.
  Status PrepareBody(const Frame& f) {
    bool collision = false;
    for (size_t e = 0; e < extra_cols_.size(); ++e) {
      if (!scanner_->value(extra_scan_index_[e]).empty()) collision = true;
    }
    if (!collision) {
      // Any JSON whitespace may follow the object (a binary frame can end in
      // a newline); the closing '}' must be the last thing cut off.
      constexpr std::string_view kBlanks = " \t\r\n";
      body_ = f.json;
      while (!body_.empty() && kBlanks.find(body_.back()) != std::string_view::npos) {
        body_.remove_suffix(1);
      }
      body_.remove_suffix(1);
      body_empty_ = body_.find_first_not_of(" \t\r\n{") == std::string_view::npos;
      body_index_ = f.field_index;  // the record's own fields keep their offsets
      return Status::OK();
    }
    SSTREAM_RETURN_IF_ERROR(full_scanner_->Scan(f));
    rebuilt_.assign("{");
    for (const auto& [name, raw] : full_scanner_->fields()) {
      if (std::find(extra_cols_.begin(), extra_cols_.end(), name) != extra_cols_.end()) continue;
      if (rebuilt_.size() > 1) rebuilt_.push_back(',');
      rebuilt_.push_back('"');
      rebuilt_.append(name);
      rebuilt_.append("\":");
      rebuilt_.append(raw);
    }
    body_ = rebuilt_;
    body_empty_ = rebuilt_.size() == 1;
    body_index_ = {};
    return Status::OK();
  }

  Status Emit(const Frame& f, const Suffix& sfx, FrameWriter* out) {
    const size_t skip = (body_empty_ && !sfx.text.empty()) ? 1 : 0;  // no comma after '{'
    buf_.assign(body_);
    buf_.append(std::string_view(sfx.text).substr(skip));
    buf_.push_back('}');
    std::string_view out_index;
    if (!body_index_.empty() && out->format() == WireFormat::kBinary) {
      index_out_.Clear();
      index_out_.AppendEncoded(body_index_);
      const size_t base = body_.size() - skip;
      for (const Suffix::Span& sp : sfx.spans) {
        index_out_.Add(base + sp.key_off, sp.key_len, base + sp.val_off, sp.val_len);
      }
      out_index = index_out_.bytes();
    }
    return out->WriteData(buf_, f.has_event_time, f.event_time, out_index);
  }

  bool left_ = false;
  size_t n_keys_ = 0;
  std::vector<std::string> extra_cols_;
  std::vector<size_t> extra_col_index_;
  std::vector<Suffix> suffixes_;
  Suffix null_suffix_;
  FieldIndexBuilder index_out_;
  std::string_view body_;        // see PrepareBody
  bool body_empty_ = false;
  std::string_view body_index_;
  std::string rebuilt_;
  std::unordered_map<std::string, std::vector<size_t>> index_;
  Columns columns_;                       // stream keys (fields or expressions), extra columns
  std::vector<size_t> key_index_;         // the stream keys' columns
  std::vector<size_t> extra_scan_index_;  // each extra column's column in the record
  std::unique_ptr<RecordScanner> scanner_;
  std::unique_ptr<RecordScanner> full_scanner_;
  std::string key_, scratch_, buf_;
};

}  // namespace

Status NewJoinOperator(const JoinOptions& o, std::unique_ptr<Operator>* out) {
  auto op = std::make_unique<JoinOperator>();
  SSTREAM_RETURN_IF_ERROR(op->Init(o));
  *out = std::move(op);
  return Status::OK();
}

Status RunJoin(const JoinOptions& o, const CommonOptions& common) {
  return RunStdioStage(common,
                       [&](std::unique_ptr<Operator>* op) { return NewJoinOperator(o, op); });
}

}  // namespace sstream
