#include "sstream/sink.h"

#include <unistd.h>

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "common/bytes.h"
#include "io/part_files.h"
#include "sstream/log.h"
#include "sstream/record.h"
#include "sstream/time.h"

namespace sstream {

namespace {

// Display text of a raw JSON value: strings without quotes, null as "null".
std::string CellText(std::string_view raw) {
  if (raw.empty()) return "null";
  if (KindOfRaw(raw) == JsonKind::kString) {
    std::string scratch;
    std::string_view text;
    if (StringContent(raw, &scratch, &text).ok()) return std::string(text);
  }
  return std::string(raw);
}

// Table cells stay on one line: line breaks and tabs are shown escaped, as
// Spark's showString does.
std::string TableCell(std::string_view raw) {
  std::string text = CellText(raw);
  if (text.find_first_of("\n\r\t") == std::string::npos) return text;
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Number of display columns (UTF-8 code points; good enough for alignment).
size_t Width(std::string_view s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

// An ISO-8601 date-time (as sstream reads them, time.h): the table shows
// these whole, as Spark shows its timestamps.
bool IsTimestampText(std::string_view s) {
  int64_t ms;
  return ParseIsoTimestamp(s, &ms).ok();
}

void AppendCsvField(std::string* out, std::string_view raw) {
  if (raw.empty() || KindOfRaw(raw) == JsonKind::kNull) return;
  std::string text = CellText(raw);
  if (text.find_first_of(",\"\r\n") == std::string::npos) {
    out->append(text);
    return;
  }
  out->push_back('"');
  for (char c : text) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

class SinkOperator final : public Operator {
 public:
  SinkOperator(const SinkOptions& o, ByteSink* out) : o_(o), out_(out) {
    scanner_.set_collect_all(true);
  }

  Status Init() {
    if (o_.format != "json" && o_.format != "csv" && o_.format != "table") {
      return Status::InvalidArgument(
          fmt::format("unknown sink format '{}' (expected json, csv or table)", o_.format));
    }
    if (o_.num_rows < 0) return Status::InvalidArgument("--num-rows must not be negative");
    if (o_.truncate < 0) return Status::InvalidArgument("--truncate must not be negative");
    if (o_.max_file_bytes < 0) return Status::InvalidArgument("--max-file-bytes must not be negative");
    if (o_.path.empty()) {
      if (!o_.partition_by.empty() || o_.max_file_bytes > 0 || o_.allow_existing) {
        return Status::InvalidArgument(
            "--partition-by, --max-file-bytes and --allow-existing go with --path DIR");
      }
      return Status::OK();
    }
    if (o_.format == "table") {
      return Status::InvalidArgument("--format table is for reading, not for files (use json or csv with --path)");
    }
    parts_ = std::make_unique<PartFiles>(o_.path, o_.format == "csv" ? "csv" : "jsonl",
                                         o_.max_file_bytes);
    return Status::OK();
  }

  // Under a checkpoint the sink owns --path by a record in its database
  // NAME.files ("@dir"), and each epoch's part files are listed there
  // (EpochKey -> manifest) before they appear. Files of epochs after the
  // last commit are uncommitted (a run died between rename and commit) or
  // rewound: exactly the listed ones go, with this owner's temporary files,
  // and the replay writes them again. Nothing else in --path is touched.
  Status OnResume() override {
    if (!parts_ || checkpoint_ == nullptr) return Status::OK();
    Checkpoint* cp = checkpoint_->checkpoint();
    const int64_t committed = checkpoint_->committed();
    files_db_ = checkpoint_->name() + ".files";
    std::string key = AbsolutePath(cp->dir());
    key.push_back('\0');
    key += checkpoint_->name();
    parts_->set_owner_token(fmt::format("{:016x}", HashKey(key)));
    const std::string dir = AbsolutePath(o_.path);
    bool recorded = false, owned = false;
    std::vector<std::pair<int64_t, std::string>> listed;
    Status read = cp->View([&](CheckpointTxn& t) -> Status {
      std::string_view v;
      SSTREAM_RETURN_IF_ERROR(t.Get(files_db_, kDirKey, &v, &recorded));
      owned = recorded && v == dir;
      if (committed == std::numeric_limits<int64_t>::max()) return Status::OK();
      return t.Scan(files_db_, StageCheckpoint::EpochKey(committed + 1), false,
                    [&](std::string_view k, std::string_view value) {
                      int64_t e;
                      if (k.size() == 20 && StageCheckpoint::ParseEpoch(k, &e)) {
                        listed.emplace_back(e, std::string(value));
                      }
                      return CheckpointTxn::Step::kNext;
                    });
    });
    SSTREAM_RETURN_IF_ERROR(read);
    // A checkpoint of an earlier version has commits but no record of its
    // files: it owns --path, and its part files have 12-digit epochs.
    const bool legacy = !recorded && committed >= 0;
    if (!owned && !legacy && had_entries_ && !o_.allow_existing) return RefuseExisting();
    int64_t removed = 0;
    for (const auto& [epoch, manifest] : listed) {
      (void)epoch;
      SSTREAM_RETURN_IF_ERROR(parts_->RemoveListed(manifest, &removed));
    }
    if (legacy) SSTREAM_RETURN_IF_ERROR(parts_->RemoveLegacyAfter(committed, &removed));
    Status written = cp->Update([&](CheckpointTxn& t) -> Status {
      for (const auto& entry : listed) {
        SSTREAM_RETURN_IF_ERROR(t.Erase(files_db_, StageCheckpoint::EpochKey(entry.first)));
      }
      return t.Put(files_db_, kDirKey, dir);
    });
    SSTREAM_RETURN_IF_ERROR(written);
    if (removed > 0) {
      Log(LogLevel::kInfo, fmt::format("removed {} part file(s) of epochs after {}, not committed",
                                       removed, committed));
    }
    int64_t temporaries = 0;
    SSTREAM_RETURN_IF_ERROR(parts_->RemoveOwnTemporaries(&temporaries));
    if (temporaries > 0) {
      Log(LogLevel::kInfo, fmt::format("removed {} temporary file(s) of a run that stopped",
                                       temporaries));
    }
    return Status::OK();
  }

  // Opens the output directory (once options are known to be good). Without
  // a checkpoint nothing records what in it is the sink's: a directory that
  // holds anything is refused unless --allow-existing.
  Status Start() {
    if (!parts_) return Status::OK();
    SSTREAM_RETURN_IF_ERROR(parts_->Open(&had_entries_));
    if (!o_.checkpointed && had_entries_ && !o_.allow_existing) return RefuseExisting();
    return Status::OK();
  }

  Status OnRecord(const Frame& f, FrameWriter*) override {
    if (parts_) return AppendPart(f);
    if (o_.format == "json") {
      // Check the record (the sink is where bad input must not slip out).
      SSTREAM_RETURN_IF_ERROR(scanner_.Scan(f));
      std::string& b = out_.buffer();
      b.append(f.json);
      b.push_back('\n');
      return out_.MaybeFlush();
    }
    SSTREAM_RETURN_IF_ERROR(scanner_.Scan(f));
    if (o_.format == "csv") return WriteCsv();
    // Rows past --num-rows are not kept ("only showing top N rows"), but
    // their fields still make columns, as Spark's table has every column.
    if (++batch_rows_ > o_.num_rows) {
      for (const auto& field : scanner_.fields()) ColumnIndex(field.first);
      return Status::OK();
    }
    std::vector<std::string> row(columns_.size(), "null");
    for (const auto& [name, raw] : scanner_.fields()) {
      size_t c = ColumnIndex(name);
      if (c == row.size()) row.emplace_back();
      row[c] = TableCell(raw);
    }
    rows_.push_back(std::move(row));
    return Status::OK();
  }

  Status OnBatchEnd(int64_t epoch, FrameWriter*) override {
    if (parts_) {
      if (checkpoint_ == nullptr) return parts_->Commit(epoch, nullptr);
      return parts_->Commit(epoch, [&](const std::string& manifest) {
        return checkpoint_->checkpoint()->Put(files_db_, StageCheckpoint::EpochKey(epoch),
                                              manifest);
      });
    }
    if (o_.format == "table") SSTREAM_RETURN_IF_ERROR(PrintTable(epoch));
    return out_.Flush();
  }

  Status OnEnd(FrameWriter*) override { return out_.Flush(); }

 private:
  static constexpr std::string_view kDirKey = "@dir";

  Status RefuseExisting() const {
    return Status::IOError(fmt::format(
        "--path {} is not empty, and no checkpoint records it as this sink's output: refusing "
        "to write among files that are not its own (use an empty or new directory, or "
        "--allow-existing to add part files to it; existing names are never replaced)",
        o_.path));
  }

  size_t ColumnIndex(std::string_view name) {
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (columns_[c] == name) return c;
    }
    columns_.emplace_back(name);
    return columns_.size() - 1;
  }

  // --path: the record's line goes to its partition's part file.
  Status AppendPart(const Frame& f) {
    SSTREAM_RETURN_IF_ERROR(scanner_.Scan(f));
    line_.clear();
    if (o_.format == "json") {
      line_.append(f.json);
      line_.push_back('\n');
    } else {
      SSTREAM_RETURN_IF_ERROR(FormatCsvRow(&line_));
    }
    partition_.clear();
    if (!o_.partition_by.empty()) {
      std::string_view raw;
      bool found = false;
      for (const auto& [name, v] : scanner_.fields()) {
        if (name == o_.partition_by) {
          raw = v;
          found = true;
          break;
        }
      }
      const bool missing = !found || KindOfRaw(raw) == JsonKind::kNull;
      partition_ = PartitionName(o_.partition_by, missing ? "" : CellText(raw), missing);
    }
    return parts_->Append(partition_, line_, csv_header_);
  }

  Status WriteCsv() {
    const bool first = csv_header_.empty();
    SSTREAM_RETURN_IF_ERROR(FormatCsvRow(&line_));
    if (first) out_.buffer().append(csv_header_);
    out_.buffer().append(line_);
    return out_.MaybeFlush();
  }

  // The record as a CSV line; the first record's fields make the header
  // (csv_header_), written at the top of stdout or of each part file. As
  // Spark's CSV writer, the columns are fixed from then on: a record with a
  // field the header lacks is a bad record (--bad-records), never cut
  // silently; a field it lacks is an empty cell.
  Status FormatCsvRow(std::string* out) {
    if (csv_header_.empty()) {
      for (const auto& [name, raw] : scanner_.fields()) {
        (void)raw;
        columns_.emplace_back(name);
      }
      for (size_t c = 0; c < columns_.size(); ++c) {
        if (c) csv_header_.push_back(',');
        std::string quoted = "\"" + columns_[c] + "\"";
        AppendCsvField(&csv_header_, quoted);
      }
      csv_header_.push_back('\n');
    }
    std::string& b = *out;
    b.clear();
    size_t matched = 0;
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (c) b.push_back(',');
      std::string_view raw;
      for (const auto& [name, v] : scanner_.fields()) {
        if (name == columns_[c]) {
          raw = v;
          ++matched;
          break;
        }
      }
      AppendCsvField(&b, raw);
    }
    b.push_back('\n');
    // A field the header lacks is never dropped silently. Looked for only
    // when the record has more fields than it matched.
    if (matched < scanner_.fields().size()) {
      for (const auto& [name, raw] : scanner_.fields()) {
        (void)raw;
        if (std::find(columns_.begin(), columns_.end(), name) == columns_.end()) {
          return Status::InvalidArgument(fmt::format(
              "csv: field '{}' is not a column of the header ({}), which the first record fixed",
              name, std::string_view(csv_header_).substr(0, csv_header_.size() - 1)));
        }
      }
    }
    return Status::OK();
  }

  // Spark's console sink (Dataset.showString): right-aligned cells, cut at
  // `truncate` characters with "...", at most num_rows rows per batch.
  // A batch without rows prints as Spark's does: its header (the columns of
  // the batch before, as Spark's schema; none before the first rows) and no
  // rows.
  Status PrintTable(int64_t epoch) {
    if (batch_rows_ == 0) columns_ = last_columns_;
    auto cut = [&](const std::string& s, bool cell) {
      if (o_.truncate <= 0 || Width(s) <= static_cast<size_t>(o_.truncate)) return s;
      if (cell && IsTimestampText(s)) return s;
      size_t keep = o_.truncate < 4 ? static_cast<size_t>(o_.truncate)
                                    : static_cast<size_t>(o_.truncate - 3);
      std::string out;
      size_t w = 0;
      for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if ((c & 0xC0) != 0x80) {
          if (w == keep) break;
          ++w;
        }
        out.push_back(s[i]);
      }
      return o_.truncate < 4 ? out : out + "...";
    };
    const size_t shown = rows_.size();
    std::vector<size_t> width(columns_.size(), 3);
    std::vector<std::string> header;
    for (size_t c = 0; c < columns_.size(); ++c) {
      header.push_back(cut(columns_[c], false));
      width[c] = std::max(width[c], Width(header[c]));
    }
    for (size_t r = 0; r < shown; ++r) {
      rows_[r].resize(columns_.size(), "null");
      for (size_t c = 0; c < columns_.size(); ++c) {
        rows_[r][c] = cut(rows_[r][c], true);
        width[c] = std::max(width[c], Width(rows_[r][c]));
      }
    }
    std::string& b = out_.buffer();
    b += "-------------------------------------------\n";
    b += fmt::format("Batch: {}\n", epoch);
    b += "-------------------------------------------\n";
    // Without columns Spark's rules are "++" and its header "||".
    std::string rule = columns_.empty() ? "++" : "+";
    for (size_t w : width) rule += std::string(w, '-') + "+";
    rule += "\n";
    auto line = [&](const std::vector<std::string>& cells) {
      b.push_back('|');
      if (cells.empty()) b.push_back('|');
      for (size_t c = 0; c < cells.size(); ++c) {
        // Spark pads on the left when truncating (the default), else on the right.
        size_t pad = width[c] - Width(cells[c]);
        if (o_.truncate > 0) b.append(pad, ' ');
        b += cells[c];
        if (o_.truncate <= 0) b.append(pad, ' ');
        b.push_back('|');
      }
      b.push_back('\n');
    };
    b += rule;
    line(header);
    b += rule;
    for (size_t r = 0; r < shown; ++r) line(rows_[r]);
    b += rule;
    if (static_cast<int64_t>(shown) < batch_rows_) {
      b += fmt::format("only showing top {} row{}\n", shown, shown == 1 ? "" : "s");
    }
    b += "\n";
    rows_.clear();
    batch_rows_ = 0;
    last_columns_ = std::move(columns_);
    columns_.clear();
    return out_.MaybeFlush();
  }

  SinkOptions o_;
  BufferedWriter out_;
  RecordScanner scanner_{std::vector<std::string>{}};
  std::vector<std::string> columns_;
  std::vector<std::string> last_columns_;  // table: the columns of the last batch shown
  std::vector<std::vector<std::string>> rows_;  // at most --num-rows per batch
  int64_t batch_rows_ = 0;
  std::unique_ptr<PartFiles> parts_;  // --path
  bool had_entries_ = false;          // --path held something when opened
  std::string files_db_;              // with a checkpoint: NAME.files
  std::string line_, csv_header_, partition_;
};

}  // namespace

Status NewSinkOperator(const SinkOptions& o, ByteSink* out, std::unique_ptr<Operator>* op) {
  auto s = std::make_unique<SinkOperator>(o, out);
  SSTREAM_RETURN_IF_ERROR(s->Init());
  SSTREAM_RETURN_IF_ERROR(s->Start());
  std::string fp = "sstream-sink --format " + o.format;
  // The directory by its absolute path (it exists now), as a source's files.
  if (!o.path.empty()) fp += " --path '" + AbsolutePath(o.path) + "'";
  if (!o.partition_by.empty()) fp += " --partition-by '" + o.partition_by + "'";
  s->set_fingerprint(std::move(fp));
  *op = std::move(s);
  return Status::OK();
}

Status RunSink(const SinkOptions& o, const CommonOptions& common) {
  FdSink stdout_sink(STDOUT_FILENO, "stdout");
  return RunStdioStage(
      common,
      [&](std::unique_ptr<Operator>* op) {
        SinkOptions so = o;
        so.checkpointed = !common.checkpoint.empty();
        return Status::AsUsage(NewSinkOperator(so, &stdout_sink, op));
      },
      /*terminal=*/true);
}

}  // namespace sstream
