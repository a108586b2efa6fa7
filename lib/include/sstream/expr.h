// Expressions in Spark SQL syntax, compiled once and evaluated per record.
// The language is documented in sstream-expr(7).
//
// Literals ('text', numbers, true, false, null, TIMESTAMP '...', INTERVAL n
// unit), field references (a, a.b, `odd name`, a[0], a['k']), arithmetic
// (+ - * / % and || for strings), comparisons (= == != <> < <= > >=),
// [NOT] IN, [NOT] BETWEEN, [NOT] LIKE, RLIKE, IS [NOT] NULL, AND, OR, NOT,
// CASE WHEN, CAST(x AS type) and functions, with SQL's null semantics:
// three-valued logic, null in gives null out, and a filter keeps a record
// only when its condition is true. Values of the wrong type become null, as
// in Spark without ANSI mode; a strict EvalContext reports them instead.
//
// Compilation registers every field the expression reads in a shared
// FieldRegistry, so one RecordScanner pass serves all expressions of a stage.
// Each node owns the buffer of the text it produces, so evaluation allocates
// nothing once buffers have grown. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sstream/clock.h"
#include "sstream/record.h"
#include "sstream/status.h"

namespace sstream {

struct Value {
  enum class Type { kNull, kBool, kNumber, kString, kJson, kTimestamp };
  Type type = Type::kNull;
  bool b = false;
  double num = 0;        // kNumber
  int64_t ms = 0;        // kTimestamp: epoch milliseconds (UTC)
  std::string_view str;  // kString: the text; kJson: raw JSON (object/array)
  bool IsNull() const { return type == Type::kNull; }
};

class FieldRegistry {
 public:
  // Index of `path` in paths(), adding it if new.
  size_t Add(const std::string& path);
  const std::vector<std::string>& paths() const { return paths_; }

 private:
  std::vector<std::string> paths_;
};

// What an expression reads while evaluating: the scanned record, the clock
// (current_timestamp), and whether type errors fail instead of giving null.
class EvalContext {
 public:
  explicit EvalContext(const RecordScanner* scanner, Clock* clock = &DefaultClock())
      : scanner_(scanner), clock_(clock) {}
  std::string_view raw(size_t field) const { return scanner_->value(field); }
  std::string* scratch(size_t field);  // per-field unescape buffer
  Clock& clock() const { return *clock_; }

  // Strict mode: the first type error of an evaluation is kept in error()
  // (the expression still returns null); the caller checks and clears it
  // after every evaluation.
  void set_strict(bool strict) { strict_ = strict; }
  bool strict() const { return strict_; }
  void Fail(std::string message) {
    if (strict_ && error_.ok()) error_ = Status::InvalidArgument(std::move(message));
  }
  // An error in any mode: the expression cannot be evaluated on this record
  // at all (a pattern in the data that does not compile, a regular
  // expression that gives up), where Spark fails the query.
  void Error(std::string message) {
    if (error_.ok()) error_ = Status::InvalidArgument(std::move(message));
  }
  Status TakeError() { return std::move(error_); }

 private:
  const RecordScanner* scanner_;
  Clock* clock_;
  std::vector<std::string> scratch_;
  bool strict_ = false;
  Status error_;
};

class Expr {
 public:
  virtual ~Expr() = default;
  virtual Value Eval(EvalContext& ctx) const = 0;
  // Non-negative when the expression is a bare field reference.
  virtual int64_t field_index() const { return -1; }
};

// Parses `text`; errors name the column and show a caret under it.
Status CompileExpr(std::string_view text, FieldRegistry* fields, std::unique_ptr<Expr>* out);

// True when `v` is boolean true (filters keep only these).
inline bool IsTrue(const Value& v) { return v.type == Value::Type::kBool && v.b; }

// Appends `v` as a JSON token.
void AppendValueJson(std::string* out, const Value& v);

// A value from a raw JSON token (strings unescaped into *scratch if needed).
Value ValueFromRaw(std::string_view raw, std::string* scratch);

// One item of a --select list: "expr [AS name]" or "*".
struct SelectItem {
  bool star = false;
  std::string name;
  bool aliased = false;  // the name came from AS
  std::unique_ptr<Expr> expr;
};
Status CompileSelectList(std::string_view text, FieldRegistry* fields,
                         std::vector<SelectItem>* out);

}  // namespace sstream
