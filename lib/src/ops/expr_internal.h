// Shared by the expression parser and nodes (expr.cc) and the function
// library (expr_functions.cc): value constructors, Spark's implicit casts,
// and the function table. Internal to lib/src/ops.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sstream/expr.h"

namespace sstream::expr {

inline Value Bool(bool b) {
  Value v;
  v.type = Value::Type::kBool;
  v.b = b;
  return v;
}
inline Value Num(double x) {
  Value v;
  v.type = Value::Type::kNumber;
  v.num = x;
  return v;
}
inline Value Str(std::string_view s) {
  Value v;
  v.type = Value::Type::kString;
  v.str = s;
  return v;
}
inline Value Json(std::string_view raw) {
  Value v;
  v.type = Value::Type::kJson;
  v.str = raw;
  return v;
}
inline Value Timestamp(int64_t ms) {
  Value v;
  v.type = Value::Type::kTimestamp;
  v.ms = ms;
  return v;
}

const char* TypeName(Value::Type t);

// Spark's implicit casts (non-ANSI): false when the value has no such form.
// Numbers: numbers, numeric strings (trimmed), booleans as 1/0, timestamps
// as epoch seconds.
bool ToNumber(const Value& v, double* out);
// Timestamps: timestamps, ISO-8601 strings, numbers as epoch seconds.
bool ToTimestamp(const Value& v, int64_t* ms);
// Booleans: booleans, and the strings true/false/t/f/yes/no/y/n/1/0.
bool ToBool(const Value& v, bool* out);
// Text, as CAST(v AS STRING): whole numbers without a fraction, timestamps
// as "yyyy-MM-dd HH:mm:ss[.SSS]", JSON as its text. Appends to *out.
void AppendText(const Value& v, std::string* out);

// -1, 0, 1, or 2 when the values cannot be compared (the result is null).
int Compare(const Value& a, const Value& b);

// Regular expressions (std::regex) are matched against texts of at most this
// many bytes; a longer one gives null (an error in strict mode).
inline constexpr size_t kMaxRegexText = 8192;
Value RegexTooLong(EvalContext& ctx, const char* fn, size_t size);

// Per-call-site state a function may keep between records (a compiled
// regular expression, a time pattern), cached by the text it came from.
struct FnState {
  virtual ~FnState() = default;
};

// What a function sees: its evaluated arguments, the buffer its text result
// lives in (owned by the call site), its cached state, and the context.
struct FnCall {
  const Value* args;
  size_t n;
  std::string* out;
  std::unique_ptr<FnState>* state;
  EvalContext* ctx;
};

struct FunctionDef {
  const char* name;
  int min_args;
  int max_args;           // -1: any number
  bool nulls_give_null;   // any null argument makes the result null (most functions)
  Value (*fn)(FnCall& call);
};

// The function named `name` (case-insensitive), or null.
const FunctionDef* FindFunction(std::string_view name);
// Every function name, for error messages and docs.
std::vector<std::string> FunctionNames();

}  // namespace sstream::expr
