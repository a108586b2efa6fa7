// Expressions in Spark SQL syntax, compiled once and evaluated per record.
//
// Supported now: literals ('text', numbers, true, false, null), field
// references (a, a.b, `odd name`), comparisons (= == != <> < <= > >=),
// IS [NOT] NULL, AND, OR, NOT and parentheses, with SQL three-valued logic:
// a comparison involving null is null, and a filter keeps a record only when
// its condition is true. Mixed string/number comparisons cast the string to a
// number (null when it is not one), as Spark does.
//
// Compilation registers every field the expression reads in a shared
// FieldRegistry, so one RecordScanner pass serves all expressions of a stage.
// Evaluation allocates nothing for fields without escapes. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sstream/record.h"
#include "sstream/status.h"

namespace sstream {

struct Value {
  enum class Type { kNull, kBool, kNumber, kString, kJson };
  Type type = Type::kNull;
  bool b = false;
  double num = 0;
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

// What an expression reads while evaluating: the scanned record.
class EvalContext {
 public:
  explicit EvalContext(const RecordScanner* scanner) : scanner_(scanner) {}
  std::string_view raw(size_t field) const { return scanner_->value(field); }
  std::string* scratch(size_t field);  // per-field unescape buffer

 private:
  const RecordScanner* scanner_;
  std::vector<std::string> scratch_;
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
  std::unique_ptr<Expr> expr;
};
Status CompileSelectList(std::string_view text, FieldRegistry* fields,
                         std::vector<SelectItem>* out);

}  // namespace sstream
