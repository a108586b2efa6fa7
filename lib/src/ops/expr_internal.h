// Shared by the expression parser and nodes (expr.cc) and the function
// library (expr_functions.cc): value constructors, Spark's implicit casts,
// and the function table. Internal to lib/src/ops.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sstream/expr.h"
#include "sstream/status.h"

namespace sstream::regex {
class Regex;
}

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

// Compiled regular expressions of one call site (RLIKE, regexp_extract,
// regexp_replace, split): a constant pattern compiled with the expression,
// or the last few patterns a non-constant argument gave.
class RegexCache {
 public:
  RegexCache();
  ~RegexCache();
  // At compile time, for a constant pattern: the error says why it is bad.
  // `constant`: the call site's written pattern, compiled once with JIT;
  // patterns from the data are interpreted (compiling them to machine code
  // costs more than it saves for a pattern met a few times).
  Status Prepare(std::string_view pattern, const char* fn, regex::Regex** out = nullptr,
                 bool constant = true);
  // The compiled `pattern`, or null after reporting (ctx.Error) why it
  // does not compile: a bad pattern in the data makes the record bad, as
  // it fails the query in Spark.
  regex::Regex* Get(std::string_view pattern, EvalContext& ctx, const char* fn);

 private:
  std::vector<std::unique_ptr<regex::Regex>> entries_;
  size_t next_ = 0;  // the entry to replace when full
};

// Arguments known when the expression is compiled: constants[i] is the
// value of argument i when it is a literal, else null.
using Constants = std::vector<const Value*>;

struct FunctionDef {
  const char* name;
  int min_args;
  int max_args;           // -1: any number
  bool nulls_give_null;   // any null argument makes the result null (most functions)
  Value (*fn)(FnCall& call);
  // Optional: checks and compiles constant arguments (a pattern) once, into
  // the call site's state; an error fails the expression's compilation.
  Status (*prepare)(const Constants& constants, std::unique_ptr<FnState>* state) = nullptr;
};

// A whole number from a double, for an argument used as an index or a
// count: false when x is not finite or lies outside [lo, hi] (checked on
// the double, before any conversion). Fractions are truncated, as Spark's
// cast to int.
bool ToIndex(double x, int64_t lo, int64_t hi, int64_t* out);
// Java's cast of a double to int or long: truncated, saturated at lo and hi,
// NaN as 0. For arguments Spark takes as int (substr's position, split's
// limit, round's digits).
int64_t SaturatingInt(double x, int64_t lo, int64_t hi);

// The function named `name` (case-insensitive), or null.
const FunctionDef* FindFunction(std::string_view name);
// Every function name, for error messages and docs.
std::vector<std::string> FunctionNames();

}  // namespace sstream::expr
