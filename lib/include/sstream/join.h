// Stream-static join: each record is matched against a table loaded once from
// a CSV (with header) or NDJSON file, on one or more key fields.
//
// Keys compare by value: a JSON string and a number match when their text is
// equal ("42" = 42), which is what joining a typed stream with an untyped CSV
// needs; null or missing keys never match (SQL). Output: the stream record
// with the static row's other columns appended (a static column that the
// record already has replaces it). inner drops unmatched records; left keeps
// them with the static columns set to null. A key with several static rows
// yields one output per row.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sstream/stage.h"

namespace sstream {

struct JoinOptions {
  std::string static_path;
  std::string static_format = "auto";  // auto | csv | tsv | json
  std::vector<std::string> on;         // "key" or "stream_key=static_key"; comma lists accepted
  std::string how = "inner";           // inner | left
};

Status NewJoinOperator(const JoinOptions& o, std::unique_ptr<Operator>* out);
Status RunJoin(const JoinOptions& o, const CommonOptions& common);

// A loaded static table: column names and rows of raw JSON tokens (CSV
// values become JSON strings; empty CSV fields become null).
struct StaticTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};
Status LoadStaticTable(const std::string& path, const std::string& format, StaticTable* out);
// Parses CSV/TSV text with a header line (RFC 4180 quoting).
Status ParseDelimited(std::string_view text, char delimiter, const std::string& name,
                      StaticTable* out);

}  // namespace sstream
