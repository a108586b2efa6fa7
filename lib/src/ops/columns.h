// What a stage reads from each record: field paths, and the values of
// expressions given where a field is expected (--time, --by, --dedup, --on,
// the argument of an aggregate). Paths are read by one RecordScanner pass;
// after the scan, Compute() evaluates the expressions and stores their JSON
// text in the scanner under their own index, so the rest of the stage reads
// every column the same way. The fields named through Add() are watched
// for a batch in which no record has them (field_presence.h). Internal to
// lib/src/ops.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ops/field_presence.h"
#include "sstream/expr.h"
#include "sstream/record.h"

namespace sstream {

class Columns {
 public:
  // A field path, read by the scanner; returns its index.
  size_t AddPath(const std::string& path) { return fields_.Add(path); }
  // A field path, or an expression when `text` has a parenthesis, a space or
  // a quote: "to_timestamp(ts, 'dd/MM/yyyy')", "lower(user)", "price * qty".
  // `option` names the flag in errors. Returns its index.
  Status Add(const std::string& text, const char* option, size_t* index);
  static bool IsExpression(std::string_view text);

  // The paths for the RecordScanner (expressions hold placeholders).
  const std::vector<std::string>& paths() const { return fields_.paths(); }
  // Once the scanner exists; `strict` makes type errors fail Compute().
  void Bind(RecordScanner* scanner, bool strict = false);
  // After each scan: evaluates the expressions into the scanner. A null
  // result reads as a missing field.
  Status Compute();
  bool has_expressions() const { return !computed_.empty(); }
  // Fields the options name that no record of a batch has
  // (field_presence.h): after each scan, and at each batch end.
  void Seen(std::string_view json) { presence_.Seen(*scanner_, json); }
  Status EndBatch(int64_t epoch, bool strict) { return presence_.EndBatch(epoch, strict); }

 private:
  struct Computed {
    size_t index;
    std::string option;
    std::unique_ptr<Expr> expr;
    std::string json;
  };
  FieldRegistry fields_;
  std::vector<Computed> computed_;
  RecordScanner* scanner_ = nullptr;
  std::unique_ptr<EvalContext> ctx_;
  FieldPresence presence_;
};

}  // namespace sstream
