#include "sstream/expr.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>

#include "common/bytes.h"
#include "ops/expr_internal.h"
#include "ops/text_util.h"
#include "regex/regex.h"
#include "sstream/time.h"

namespace sstream {

size_t FieldRegistry::Add(const std::string& path) {
  for (size_t i = 0; i < paths_.size(); ++i) {
    if (paths_[i] == path) return i;
  }
  paths_.push_back(path);
  return paths_.size() - 1;
}

std::string* EvalContext::scratch(size_t field) {
  // Values of fields read earlier in the same evaluation are views of these
  // buffers, so the vector must not move them: size it for every field of
  // the scanner at once (growing it one field at a time moved short strings
  // and left those views dangling).
  if (field >= scratch_.size()) scratch_.resize(std::max(field + 1, scanner_->size()));
  return &scratch_[field];
}

Value ValueFromRaw(std::string_view raw, std::string* scratch) {
  Value v;
  switch (KindOfRaw(raw)) {
    case JsonKind::kMissing:
    case JsonKind::kNull: break;
    case JsonKind::kBool:
      v.type = Value::Type::kBool;
      v.b = raw[0] == 't';
      break;
    case JsonKind::kNumber:
      if (RawToDouble(raw, &v.num)) v.type = Value::Type::kNumber;
      break;
    case JsonKind::kString:
      if (StringContent(raw, scratch, &v.str).ok()) v.type = Value::Type::kString;
      break;
    case JsonKind::kObject:
    case JsonKind::kArray:
      v.type = Value::Type::kJson;
      v.str = raw;
      break;
  }
  return v;
}

void AppendValueJson(std::string* out, const Value& v) {
  switch (v.type) {
    case Value::Type::kNull: out->append("null"); break;
    case Value::Type::kBool: out->append(v.b ? "true" : "false"); break;
    case Value::Type::kNumber: AppendJsonNumber(out, v.num); break;
    case Value::Type::kString: AppendJsonString(out, v.str); break;
    case Value::Type::kJson: out->append(v.str); break;
    case Value::Type::kTimestamp:
      out->push_back('"');
      out->append(FormatIso(v.ms));
      out->push_back('"');
      break;
  }
}

namespace expr {

const char* TypeName(Value::Type t) {
  switch (t) {
    case Value::Type::kNull: return "null";
    case Value::Type::kBool: return "boolean";
    case Value::Type::kNumber: return "number";
    case Value::Type::kString: return "string";
    case Value::Type::kJson: return "JSON";
    case Value::Type::kTimestamp: return "timestamp";
  }
  return "?";
}

namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

bool ToNumber(const Value& v, double* out) {
  switch (v.type) {
    case Value::Type::kNumber: *out = v.num; return true;
    case Value::Type::kBool: *out = v.b ? 1 : 0; return true;
    case Value::Type::kTimestamp: *out = static_cast<double>(v.ms) / 1000.0; return true;
    case Value::Type::kString: {
      std::string_view s = TrimSpaces(v.str);
      if (s.empty()) return false;
      const char* first = s.data();
      if (*first == '+') ++first;
      auto r = std::from_chars(first, s.data() + s.size(), *out);
      return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(*out);
    }
    default: return false;
  }
}

bool ToTimestamp(const Value& v, int64_t* ms) {
  switch (v.type) {
    case Value::Type::kTimestamp: *ms = v.ms; return true;
    case Value::Type::kNumber:
      if (!std::isfinite(v.num) || std::fabs(v.num) > 9e12) return false;
      *ms = static_cast<int64_t>(std::floor(v.num * 1000.0 + 0.5));
      return true;
    case Value::Type::kString: return ParseIsoTimestamp(TrimSpaces(v.str), ms).ok();
    default: return false;
  }
}

bool ToBool(const Value& v, bool* out) {
  if (v.type == Value::Type::kBool) {
    *out = v.b;
    return true;
  }
  if (v.type == Value::Type::kNumber) {
    *out = v.num != 0;
    return true;
  }
  if (v.type != Value::Type::kString) return false;
  std::string lower(TrimSpaces(v.str));
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true" || lower == "t" || lower == "yes" || lower == "y" || lower == "1") {
    *out = true;
    return true;
  }
  if (lower == "false" || lower == "f" || lower == "no" || lower == "n" || lower == "0") {
    *out = false;
    return true;
  }
  return false;
}

void AppendText(const Value& v, std::string* out) {
  switch (v.type) {
    case Value::Type::kNull: break;
    case Value::Type::kBool: out->append(v.b ? "true" : "false"); break;
    case Value::Type::kNumber: AppendJsonNumber(out, v.num); break;
    case Value::Type::kString:
    case Value::Type::kJson: out->append(v.str); break;
    case Value::Type::kTimestamp: {
      // Spark's cast of a timestamp to string: "2026-01-02 03:04:05[.123]".
      std::string iso = FormatIso(v.ms);  // 2026-01-02T03:04:05.123Z
      iso[10] = ' ';
      iso.pop_back();
      if (iso.compare(iso.size() - 4, 4, ".000") == 0) iso.resize(iso.size() - 4);
      out->append(iso);
      break;
    }
  }
}

int Compare(const Value& a, const Value& b) {
  using T = Value::Type;
  if (a.type == T::kTimestamp || b.type == T::kTimestamp) {
    int64_t x, y;
    if (!ToTimestamp(a, &x) || !ToTimestamp(b, &y)) return 2;
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.type == T::kNumber || b.type == T::kNumber) {
    if (a.type == T::kJson || b.type == T::kJson) return 2;  // booleans count as 1 and 0
    double x, y;
    if (!ToNumber(a, &x) || !ToNumber(b, &y)) return 2;
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.type != b.type) return 2;
  switch (a.type) {
    case T::kBool: return a.b == b.b ? 0 : (a.b ? 1 : -1);
    case T::kString:
    case T::kJson: {
      int c = a.str.compare(b.str);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default: return 2;
  }
}

}  // namespace expr

namespace {

using expr::Bool;
using expr::Compare;
using expr::Num;
using expr::Str;
using expr::ToNumber;

// ---- nodes ----

class Literal final : public Expr {
 public:
  explicit Literal(Value v, std::string storage = {}) : storage_(std::move(storage)), v_(v) {
    if (v_.type == Value::Type::kString) v_.str = storage_;
  }
  Value Eval(EvalContext&) const override { return v_; }
  const Value& value() const { return v_; }

 private:
  std::string storage_;
  Value v_;
};

class FieldRef final : public Expr {
 public:
  explicit FieldRef(size_t index) : index_(index) {}
  Value Eval(EvalContext& ctx) const override {
    return ValueFromRaw(ctx.raw(index_), ctx.scratch(index_));
  }
  int64_t field_index() const override { return static_cast<int64_t>(index_); }

 private:
  size_t index_;
};

// a[i] (array element, from 0), a['k'] and a[0].k (object member) on JSON.
class Subscript final : public Expr {
 public:
  Subscript(std::unique_ptr<Expr> base, std::unique_ptr<Expr> key)
      : base_(std::move(base)), key_(std::move(key)) {}
  Value Eval(EvalContext& ctx) const override {
    Value b = base_->Eval(ctx);
    if (b.type != Value::Type::kJson) return Value();
    Value k = key_->Eval(ctx);
    std::string_view raw;
    if (k.type == Value::Type::kNumber) {
      if (!(k.num >= 0) || k.num != std::floor(k.num) || k.num >= 9e15) return Value();
      raw = JsonElementAt(b.str, static_cast<size_t>(k.num), &padded_);
    } else if (k.type == Value::Type::kString) {
      raw = JsonMemberOf(b.str, k.str, &padded_);
    } else {
      return Value();
    }
    return ValueFromRaw(raw, &scratch_);
  }

 private:
  std::unique_ptr<Expr> base_, key_;
  mutable std::string padded_, scratch_;
};

enum class CmpOp { kEq, kNe, kLt, kLe, kGt, kGe };

Value CompareWith(CmpOp op, const Value& a, const Value& b) {
  if (a.IsNull() || b.IsNull()) return Value();
  int c = Compare(a, b);
  if (c == 2) return Value();
  switch (op) {
    case CmpOp::kEq: return Bool(c == 0);
    case CmpOp::kNe: return Bool(c != 0);
    case CmpOp::kLt: return Bool(c < 0);
    case CmpOp::kLe: return Bool(c <= 0);
    case CmpOp::kGt: return Bool(c > 0);
    case CmpOp::kGe: return Bool(c >= 0);
  }
  return Value();
}

class Comparison final : public Expr {
 public:
  Comparison(CmpOp op, std::unique_ptr<Expr> l, std::unique_ptr<Expr> r)
      : op_(op), l_(std::move(l)), r_(std::move(r)) {}
  Value Eval(EvalContext& ctx) const override {
    Value a = l_->Eval(ctx);
    if (a.IsNull()) return Value();
    return CompareWith(op_, a, r_->Eval(ctx));
  }

 private:
  CmpOp op_;
  std::unique_ptr<Expr> l_, r_;
};

// field = 'text' and field != 'text', the commonest filter: a field whose
// raw token is a string without escapes is compared as it stands, without
// building a Value; anything else takes the general path.
class FieldEqualsText final : public Expr {
 public:
  FieldEqualsText(bool negated, std::unique_ptr<Expr> field, std::unique_ptr<Expr> text,
                  std::string_view literal)
      : negated_(negated),
        index_(static_cast<size_t>(field->field_index())),
        literal_(literal),
        general_(negated ? CmpOp::kNe : CmpOp::kEq, std::move(field), std::move(text)) {}
  Value Eval(EvalContext& ctx) const override {
    std::string_view raw = ctx.raw(index_);
    if (raw.size() >= 2 && raw.front() == '"' &&
        raw.find('\\') == std::string_view::npos) {
      const bool same = raw.size() - 2 == literal_.size() &&
                        std::memcmp(raw.data() + 1, literal_.data(), literal_.size()) == 0;
      return Bool(same != negated_);
    }
    return general_.Eval(ctx);
  }

 private:
  bool negated_;
  size_t index_;
  std::string literal_;
  Comparison general_;
};

class IsNull final : public Expr {
 public:
  IsNull(std::unique_ptr<Expr> e, bool negated) : e_(std::move(e)), negated_(negated) {}
  Value Eval(EvalContext& ctx) const override { return Bool(e_->Eval(ctx).IsNull() != negated_); }

 private:
  std::unique_ptr<Expr> e_;
  bool negated_;
};

// Three-valued AND / OR (Kleene logic, as SQL).
class Logical final : public Expr {
 public:
  Logical(bool is_and, std::unique_ptr<Expr> l, std::unique_ptr<Expr> r)
      : and_(is_and), l_(std::move(l)), r_(std::move(r)) {}
  Value Eval(EvalContext& ctx) const override {
    Value a = l_->Eval(ctx);
    bool a_null = a.type != Value::Type::kBool;
    if (!a_null && a.b != and_) return Bool(a.b);  // false AND x, true OR x
    Value b = r_->Eval(ctx);
    bool b_null = b.type != Value::Type::kBool;
    if (!b_null && b.b != and_) return Bool(b.b);
    if (a_null || b_null) return Value();
    return Bool(and_);
  }

 private:
  bool and_;
  std::unique_ptr<Expr> l_, r_;
};

class Not final : public Expr {
 public:
  explicit Not(std::unique_ptr<Expr> e) : e_(std::move(e)) {}
  Value Eval(EvalContext& ctx) const override {
    Value v = e_->Eval(ctx);
    if (v.type != Value::Type::kBool) return Value();
    return Bool(!v.b);
  }

 private:
  std::unique_ptr<Expr> e_;
};

// A numeric operand: numbers and numeric strings; anything else is null
// (and an error in strict mode).
bool Operand(const Value& v, const char* op, EvalContext& ctx, double* out) {
  if (v.type != Value::Type::kJson && ToNumber(v, out)) return true;
  std::string text;
  expr::AppendText(v, &text);
  ctx.Fail(fmt::format("'{}' ({}) is not a number, for {}", text, expr::TypeName(v.type), op));
  return false;
}

// + - * / % on numbers; timestamp - timestamp (milliseconds), timestamp +/-
// a number of milliseconds. Division by zero is null, as Spark's default.
class Arith final : public Expr {
 public:
  Arith(char op, std::unique_ptr<Expr> l, std::unique_ptr<Expr> r)
      : op_(op), l_(std::move(l)), r_(std::move(r)) {}
  Value Eval(EvalContext& ctx) const override {
    Value a = l_->Eval(ctx);
    if (a.IsNull()) return Value();
    Value b = r_->Eval(ctx);
    if (b.IsNull()) return Value();
    const char name[2] = {op_, '\0'};
    if (b.type == Value::Type::kTimestamp && a.type != Value::Type::kTimestamp && op_ == '+') {
      std::swap(a, b);  // interval + timestamp
    }
    if (a.type == Value::Type::kTimestamp && (op_ == '+' || op_ == '-')) {
      if (b.type == Value::Type::kTimestamp && op_ == '-') return Num(static_cast<double>(a.ms - b.ms));
      double d;
      if (!Operand(b, name, ctx, &d)) return Value();
      int64_t ms;
      if (!(std::fabs(d) < 9e15) ||
          __builtin_add_overflow(a.ms, static_cast<int64_t>(op_ == '+' ? d : -d), &ms)) {
        return Value();  // beyond any timestamp: null, as an overflow
      }
      return expr::Timestamp(ms);
    }
    double x, y;
    if (!Operand(a, name, ctx, &x) || !Operand(b, name, ctx, &y)) return Value();
    double r = 0;
    switch (op_) {
      case '+': r = x + y; break;
      case '-': r = x - y; break;
      case '*': r = x * y; break;
      case '/':
        if (y == 0) return Value();
        r = x / y;
        break;
      case '%':
        if (y == 0) return Value();
        r = std::fmod(x, y);  // the sign of the dividend, as Spark
        break;
    }
    // An overflow to infinity has no JSON form: null.
    return std::isfinite(r) ? Num(r) : Value();
  }

 private:
  char op_;
  std::unique_ptr<Expr> l_, r_;
};

class Negate final : public Expr {
 public:
  explicit Negate(std::unique_ptr<Expr> e) : e_(std::move(e)) {}
  Value Eval(EvalContext& ctx) const override {
    Value v = e_->Eval(ctx);
    if (v.IsNull()) return Value();
    double x;
    if (!Operand(v, "unary -", ctx, &x)) return Value();
    return Num(-x);
  }

 private:
  std::unique_ptr<Expr> e_;
};

// a || b: string concatenation (null if either is null).
class ConcatOp final : public Expr {
 public:
  ConcatOp(std::unique_ptr<Expr> l, std::unique_ptr<Expr> r) : l_(std::move(l)), r_(std::move(r)) {}
  Value Eval(EvalContext& ctx) const override {
    Value a = l_->Eval(ctx);
    if (a.IsNull()) return Value();
    Value b = r_->Eval(ctx);
    if (b.IsNull()) return Value();
    out_.clear();
    expr::AppendText(a, &out_);
    expr::AppendText(b, &out_);
    return Str(out_);
  }

 private:
  std::unique_ptr<Expr> l_, r_;
  mutable std::string out_;
};

// x IN (a, b, ...): true on a match; otherwise null if x or any item is null.
class In final : public Expr {
 public:
  In(std::unique_ptr<Expr> e, std::vector<std::unique_ptr<Expr>> items)
      : e_(std::move(e)), items_(std::move(items)) {}
  Value Eval(EvalContext& ctx) const override {
    Value v = e_->Eval(ctx);
    if (v.IsNull()) return Value();
    bool saw_null = false;
    for (const auto& item : items_) {
      Value w = item->Eval(ctx);
      Value eq = CompareWith(CmpOp::kEq, v, w);
      if (eq.type != Value::Type::kBool) {
        saw_null = true;
      } else if (eq.b) {
        return Bool(true);
      }
    }
    return saw_null ? Value() : Bool(false);
  }

 private:
  std::unique_ptr<Expr> e_;
  std::vector<std::unique_ptr<Expr>> items_;
};

// x BETWEEN lo AND hi: lo <= x AND x <= hi, with x evaluated once.
class Between final : public Expr {
 public:
  Between(std::unique_ptr<Expr> e, std::unique_ptr<Expr> lo, std::unique_ptr<Expr> hi)
      : e_(std::move(e)), lo_(std::move(lo)), hi_(std::move(hi)) {}
  Value Eval(EvalContext& ctx) const override {
    Value v = e_->Eval(ctx);
    Value a = CompareWith(CmpOp::kGe, v, lo_->Eval(ctx));
    if (a.type == Value::Type::kBool && !a.b) return Bool(false);
    Value b = CompareWith(CmpOp::kLe, v, hi_->Eval(ctx));
    if (b.type == Value::Type::kBool && !b.b) return Bool(false);
    if (a.IsNull() || b.IsNull()) return Value();
    return Bool(true);
  }

 private:
  std::unique_ptr<Expr> e_, lo_, hi_;
};

}  // namespace

namespace {

// SQL LIKE: % any run, _ any one character (UTF-8 aware), \ escapes.
bool LikeMatch(std::string_view s, std::string_view p) {
  auto char_len = [](std::string_view t, size_t i) -> size_t {
    unsigned char c = static_cast<unsigned char>(t[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    return std::min(n, t.size() - i);
  };
  size_t si = 0, pi = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star_p = ++pi;
      star_s = si;
      continue;
    }
    if (pi < p.size()) {
      if (p[pi] == '_') {
        si += char_len(s, si);
        ++pi;
        continue;
      }
      size_t lit = pi;
      if (p[pi] == '\\' && pi + 1 < p.size()) lit = pi + 1;
      if (s[si] == p[lit]) {
        ++si;
        pi = lit + 1;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    star_s += char_len(s, star_s);
    si = star_s;
    pi = star_p;
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

class Like final : public Expr {
 public:
  Like(std::unique_ptr<Expr> e, std::unique_ptr<Expr> pattern, bool regex)
      : e_(std::move(e)), pattern_(std::move(pattern)), regex_(regex) {}
  Value Eval(EvalContext& ctx) const override {
    Value v = e_->Eval(ctx);
    if (v.IsNull()) return Value();
    Value p = pattern_->Eval(ctx);
    if (p.IsNull()) return Value();
    text_.clear();
    expr::AppendText(v, &text_);
    if (p.type != Value::Type::kString) {
      ctx.Fail(fmt::format("{} needs a string pattern", regex_ ? "RLIKE" : "LIKE"));
      return Value();
    }
    if (!regex_) return Bool(LikeMatch(text_, p.str));
    // RLIKE: a match anywhere in the text (Java's find()).
    regex::Regex* re = regexes_.Get(p.str, ctx, "RLIKE");
    if (re == nullptr) return Value();
    bool found;
    Status s = re->Find(text_, 0, &found);
    if (!s.ok()) {
      ctx.Error(fmt::format("RLIKE: {}", s.message()));
      return Value();
    }
    return Bool(found);
  }

  // A constant pattern is compiled with the expression: a bad one fails it.
  Status Prepare() {
    auto* lit = dynamic_cast<const Literal*>(pattern_.get());
    if (!regex_ || lit == nullptr || lit->value().IsNull()) return Status::OK();
    if (lit->value().type != Value::Type::kString) {
      return Status::InvalidArgument("RLIKE needs a string pattern");
    }
    return regexes_.Prepare(lit->value().str, "RLIKE");
  }

 private:
  std::unique_ptr<Expr> e_, pattern_;
  bool regex_;
  mutable std::string text_;
  mutable expr::RegexCache regexes_;
};

// CASE [operand] WHEN a THEN x ... [ELSE y] END.
class Case final : public Expr {
 public:
  Case(std::unique_ptr<Expr> operand, std::vector<std::unique_ptr<Expr>> whens,
       std::vector<std::unique_ptr<Expr>> thens, std::unique_ptr<Expr> otherwise)
      : operand_(std::move(operand)),
        whens_(std::move(whens)),
        thens_(std::move(thens)),
        else_(std::move(otherwise)) {}
  Value Eval(EvalContext& ctx) const override {
    Value subject;
    if (operand_) subject = operand_->Eval(ctx);
    for (size_t i = 0; i < whens_.size(); ++i) {
      Value w = whens_[i]->Eval(ctx);
      Value hit = operand_ ? CompareWith(CmpOp::kEq, subject, w) : w;
      if (IsTrue(hit)) return thens_[i]->Eval(ctx);
    }
    return else_ ? else_->Eval(ctx) : Value();
  }

 private:
  std::unique_ptr<Expr> operand_;
  std::vector<std::unique_ptr<Expr>> whens_, thens_;
  std::unique_ptr<Expr> else_;
};

enum class CastType { kString, kTinyInt, kSmallInt, kInt, kBigInt, kDouble, kBoolean, kTimestamp, kDate };

// CAST(x AS type): Spark's non-ANSI casts; an impossible cast is null.
class Cast final : public Expr {
 public:
  Cast(std::unique_ptr<Expr> e, CastType type, std::string type_name)
      : e_(std::move(e)), type_(type), type_name_(std::move(type_name)) {}
  Value Eval(EvalContext& ctx) const override {
    Value v = e_->Eval(ctx);
    if (v.IsNull()) return Value();
    switch (type_) {
      case CastType::kString:
        out_.clear();
        expr::AppendText(v, &out_);
        return Str(out_);
      case CastType::kTinyInt:
      case CastType::kSmallInt:
      case CastType::kInt:
      case CastType::kBigInt:
      case CastType::kDouble: {
        double x;
        if (v.type == Value::Type::kJson || !ToNumber(v, &x)) break;
        if (type_ == CastType::kDouble) return Num(x);
        // Spark (non-ANSI): truncate, saturate at the int or long range,
        // and narrower types wrap around from int.
        x = std::trunc(x);
        if (type_ == CastType::kBigInt) {
          return Num(std::clamp(x, -9223372036854775808.0, 9223372036854775807.0));
        }
        const auto i = static_cast<int32_t>(expr::SaturatingInt(x, INT32_MIN, INT32_MAX));
        if (type_ == CastType::kSmallInt) return Num(static_cast<int16_t>(i));
        if (type_ == CastType::kTinyInt) return Num(static_cast<int8_t>(i));
        return Num(i);
      }
      case CastType::kBoolean: {
        bool b;
        if (!expr::ToBool(v, &b)) break;
        return Bool(b);
      }
      case CastType::kTimestamp:
      case CastType::kDate: {
        int64_t ms;
        if (!expr::ToTimestamp(v, &ms)) break;
        if (type_ == CastType::kDate) ms = FloorDiv(ms, 86'400'000) * 86'400'000;
        return expr::Timestamp(ms);
      }
    }
    out_.clear();
    expr::AppendText(v, &out_);
    ctx.Fail(fmt::format("cannot cast '{}' ({}) to {}", out_, expr::TypeName(v.type), type_name_));
    return Value();
  }

 private:
  std::unique_ptr<Expr> e_;
  CastType type_;
  std::string type_name_;
  mutable std::string out_;
};

class Call final : public Expr {
 public:
  Call(const expr::FunctionDef* def, std::vector<std::unique_ptr<Expr>> args,
       std::unique_ptr<expr::FnState> state)
      : def_(def), args_(std::move(args)), values_(args_.size()), state_(std::move(state)) {}
  Value Eval(EvalContext& ctx) const override {
    for (size_t i = 0; i < args_.size(); ++i) {
      values_[i] = args_[i]->Eval(ctx);
      if (def_->nulls_give_null && values_[i].IsNull()) return Value();
    }
    expr::FnCall call{values_.data(), values_.size(), &out_, &state_, &ctx};
    return def_->fn(call);
  }

 private:
  const expr::FunctionDef* def_;
  std::vector<std::unique_ptr<Expr>> args_;
  mutable std::vector<Value> values_;
  mutable std::string out_;
  mutable std::unique_ptr<expr::FnState> state_;
};

// ---- lexer / parser ----

enum class Tok {
  kEnd, kIdent, kQuotedIdent, kString, kNumber, kOp, kLParen, kRParen, kLBracket, kRBracket,
  kDot, kComma
};

struct Token {
  Tok type;
  std::string text;  // identifier / string content / operator / number text
  size_t pos;
};

class Parser {
 public:
  Parser(std::string_view src, FieldRegistry* fields) : src_(src), fields_(fields) {}

  Status Lex() {
    size_t i = 0;
    while (i < src_.size()) {
      char c = src_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      size_t start = i;
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '@' || c == '$') {
        while (i < src_.size() && (std::isalnum(static_cast<unsigned char>(src_[i])) ||
                                   src_[i] == '_' || src_[i] == '@' || src_[i] == '$')) {
          ++i;
        }
        toks_.push_back({Tok::kIdent, std::string(src_.substr(start, i - start)), start});
      } else if (StartsNumber(i)) {
        // A '-' before a number is unary minus (folded into the literal).
        while (i < src_.size() && (std::isdigit(static_cast<unsigned char>(src_[i])) ||
                                   src_[i] == '.' || src_[i] == 'e' || src_[i] == 'E' ||
                                   ((src_[i] == '-' || src_[i] == '+') &&
                                    (src_[i - 1] == 'e' || src_[i - 1] == 'E')))) {
          ++i;
        }
        toks_.push_back({Tok::kNumber, std::string(src_.substr(start, i - start)), start});
      } else if (c == '\'' || c == '"' || c == '`') {
        std::string text;
        ++i;
        bool closed = false;
        while (i < src_.size()) {
          if (src_[i] == c) {
            if (i + 1 < src_.size() && src_[i + 1] == c) {  // doubled quote
              text.push_back(c);
              i += 2;
              continue;
            }
            closed = true;
            ++i;
            break;
          }
          if (src_[i] == '\\' && c != '`' && i + 1 < src_.size()) {
            // Spark's escapes; \% and \_ keep their backslash, for LIKE.
            const char e = src_[i + 1];
            unsigned cp = 0;
            if (e == 'u' && i + 6 <= src_.size() &&
                std::from_chars(src_.data() + i + 2, src_.data() + i + 6, cp, 16).ptr ==
                    src_.data() + i + 6) {
              AppendUtf8(&text, cp);
              i += 6;
              continue;
            }
            switch (e) {
              case 'n': text.push_back('\n'); break;
              case 't': text.push_back('\t'); break;
              case 'r': text.push_back('\r'); break;
              case 'b': text.push_back('\b'); break;
              case '0': text.push_back('\0'); break;
              case 'Z': text.push_back('\x1a'); break;
              case '%':
              case '_': text.push_back('\\'); text.push_back(e); break;
              default: text.push_back(e);
            }
            i += 2;
            continue;
          }
          text.push_back(src_[i++]);
        }
        if (!closed) return Error(start, fmt::format("unterminated {} quote", c));
        toks_.push_back({c == '`' ? Tok::kQuotedIdent : Tok::kString, text, start});
      } else if (c == '(') {
        toks_.push_back({Tok::kLParen, "(", i++});
      } else if (c == ')') {
        toks_.push_back({Tok::kRParen, ")", i++});
      } else if (c == '.') {
        toks_.push_back({Tok::kDot, ".", i++});
      } else if (c == ',') {
        toks_.push_back({Tok::kComma, ",", i++});
      } else if (c == '[') {
        toks_.push_back({Tok::kLBracket, "[", i++});
      } else if (c == ']') {
        toks_.push_back({Tok::kRBracket, "]", i++});
      } else if (c == '+' || c == '-' || c == '*' || c == '/' || c == '%') {
        toks_.push_back({Tok::kOp, std::string(1, c), i++});
      } else if (c == '|' && i + 1 < src_.size() && src_[i + 1] == '|') {
        toks_.push_back({Tok::kOp, "||", i});
        i += 2;
      } else if (c == '=' || c == '!' || c == '<' || c == '>') {
        std::string op(1, c);
        ++i;
        if (i < src_.size() && (src_[i] == '=' || (c == '<' && src_[i] == '>'))) op.push_back(src_[i++]);
        if (op == "!") return Error(start, "expected '!=' ('!' alone is not an operator; use NOT)");
        toks_.push_back({Tok::kOp, op, start});
      } else {
        return Error(start, fmt::format("unexpected character '{}'", c));
      }
    }
    toks_.push_back({Tok::kEnd, "", src_.size()});
    return Status::OK();
  }

  // A digit, or '.' and a digit, at `i`.
  bool StartsNumber(size_t i) const {
    auto digit = [&](size_t k) {
      return k < src_.size() && std::isdigit(static_cast<unsigned char>(src_[k]));
    };
    return digit(i) || (i < src_.size() && src_[i] == '.' && digit(i + 1));
  }

  Status ParseFull(std::unique_ptr<Expr>* out) {
    SSTREAM_RETURN_IF_ERROR(ParseOr(out));
    if (Peek().type != Tok::kEnd) return Error(Peek().pos, "expected an operator or the end");
    return Status::OK();
  }

  // Parses an expression ending at a top-level comma or the end.
  Status ParseItem(std::unique_ptr<Expr>* out, size_t* start, size_t* end) {
    *start = Peek().pos;
    SSTREAM_RETURN_IF_ERROR(ParseOr(out));
    *end = toks_[pos_ - 1].pos + TokenLength(toks_[pos_ - 1]);
    return Status::OK();
  }

  const Token& Peek() const { return toks_[pos_]; }
  const Token& Take() { return toks_[pos_++]; }
  bool AtEnd() const { return Peek().type == Tok::kEnd; }
  bool Keyword(const char* kw, size_t ahead = 0) const {
    if (pos_ + ahead >= toks_.size() || toks_[pos_ + ahead].type != Tok::kIdent) return false;
    const std::string& t = toks_[pos_ + ahead].text;
    if (t.size() != std::strlen(kw)) return false;
    for (size_t i = 0; i < t.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(t[i])) != kw[i]) return false;
    }
    return true;
  }

  Status Error(size_t pos, std::string msg) const {
    std::string caret(pos, ' ');
    for (size_t i = 0; i < pos && i < src_.size(); ++i) {
      if (src_[i] == '\t') caret[i] = '\t';
    }
    return Status::InvalidArgument(
        fmt::format("column {}: {}\n  {}\n  {}^", pos + 1, msg, src_, caret));
  }

 private:
  size_t TokenLength(const Token& t) const {
    // Source length of a token (quotes included) for item text slicing.
    size_t p = t.pos;
    if (t.type == Tok::kString || t.type == Tok::kQuotedIdent) {
      char q = src_[p];
      size_t i = p + 1;
      while (i < src_.size()) {
        if (src_[i] == q) {
          if (i + 1 < src_.size() && src_[i + 1] == q) {
            i += 2;
            continue;
          }
          return i + 1 - p;
        }
        if (src_[i] == '\\' && q != '`') ++i;
        ++i;
      }
      return src_.size() - p;
    }
    return t.text.size();
  }

  Status ParseOr(std::unique_ptr<Expr>* out) {
    SSTREAM_RETURN_IF_ERROR(ParseAnd(out));
    while (Keyword("OR")) {
      Take();
      std::unique_ptr<Expr> r;
      SSTREAM_RETURN_IF_ERROR(ParseAnd(&r));
      *out = std::make_unique<Logical>(false, std::move(*out), std::move(r));
    }
    return Status::OK();
  }

  Status ParseAnd(std::unique_ptr<Expr>* out) {
    SSTREAM_RETURN_IF_ERROR(ParseNot(out));
    while (Keyword("AND")) {
      Take();
      std::unique_ptr<Expr> r;
      SSTREAM_RETURN_IF_ERROR(ParseNot(&r));
      *out = std::make_unique<Logical>(true, std::move(*out), std::move(r));
    }
    return Status::OK();
  }

  Status ParseNot(std::unique_ptr<Expr>* out) {
    if (Keyword("NOT")) {
      Take();
      std::unique_ptr<Expr> e;
      SSTREAM_RETURN_IF_ERROR(ParseNot(&e));
      *out = std::make_unique<Not>(std::move(e));
      return Status::OK();
    }
    return ParsePredicate(out);
  }

  bool PeekOp(const char* op) const { return Peek().type == Tok::kOp && Peek().text == op; }

  // additive [comparison additive | IS [NOT] NULL | [NOT] IN (...) |
  //           [NOT] BETWEEN additive AND additive | [NOT] LIKE/RLIKE additive]
  Status ParsePredicate(std::unique_ptr<Expr>* out) {
    SSTREAM_RETURN_IF_ERROR(ParseAdditive(out));
    // Comparisons chain to the left, as in Spark: a = b = c is (a = b) = c,
    // and a = 1 IS NULL is (a = 1) IS NULL.
    while (Peek().type == Tok::kOp) {
      const Token& op = Peek();
      CmpOp c;
      if (op.text == "=" || op.text == "==") {
        c = CmpOp::kEq;
      } else if (op.text == "!=" || op.text == "<>") {
        c = CmpOp::kNe;
      } else if (op.text == "<") {
        c = CmpOp::kLt;
      } else if (op.text == "<=") {
        c = CmpOp::kLe;
      } else if (op.text == ">") {
        c = CmpOp::kGt;
      } else if (op.text == ">=") {
        c = CmpOp::kGe;
      } else {
        return Status::OK();  // not a comparison: the caller decides
      }
      Take();
      std::unique_ptr<Expr> r;
      SSTREAM_RETURN_IF_ERROR(ParseAdditive(&r));
      auto* lit = dynamic_cast<Literal*>(r.get());
      if ((c == CmpOp::kEq || c == CmpOp::kNe) && (*out)->field_index() >= 0 && lit != nullptr &&
          lit->value().type == Value::Type::kString) {
        const std::string text(lit->value().str);
        *out = std::make_unique<FieldEqualsText>(c == CmpOp::kNe, std::move(*out), std::move(r),
                                                 text);
      } else {
        *out = std::make_unique<Comparison>(c, std::move(*out), std::move(r));
      }
    }
    if (Keyword("IS")) {
      Take();
      bool negated = false;
      if (Keyword("NOT")) {
        Take();
        negated = true;
      }
      if (!Keyword("NULL")) return Error(Peek().pos, "expected NULL after IS");
      Take();
      *out = std::make_unique<IsNull>(std::move(*out), negated);
      return Status::OK();
    }
    bool negated = false;
    if (Keyword("NOT") &&
        (Keyword("IN", 1) || Keyword("BETWEEN", 1) || Keyword("LIKE", 1) || Keyword("RLIKE", 1) ||
         Keyword("REGEXP", 1))) {
      Take();
      negated = true;
    }
    if (Keyword("IN")) {
      Take();
      if (Peek().type != Tok::kLParen) return Error(Peek().pos, "expected '(' after IN");
      Take();
      std::vector<std::unique_ptr<Expr>> items;
      for (;;) {
        std::unique_ptr<Expr> item;
        SSTREAM_RETURN_IF_ERROR(ParseOr(&item));
        items.push_back(std::move(item));
        if (Peek().type == Tok::kComma) {
          Take();
          continue;
        }
        if (Peek().type != Tok::kRParen) return Error(Peek().pos, "expected ',' or ')' in IN list");
        Take();
        break;
      }
      *out = std::make_unique<In>(std::move(*out), std::move(items));
    } else if (Keyword("BETWEEN")) {
      Take();
      std::unique_ptr<Expr> lo, hi;
      SSTREAM_RETURN_IF_ERROR(ParseAdditive(&lo));
      if (!Keyword("AND")) return Error(Peek().pos, "expected AND in BETWEEN ... AND ...");
      Take();
      SSTREAM_RETURN_IF_ERROR(ParseAdditive(&hi));
      *out = std::make_unique<Between>(std::move(*out), std::move(lo), std::move(hi));
    } else if (Keyword("LIKE") || Keyword("RLIKE") || Keyword("REGEXP")) {
      const bool regex = !Keyword("LIKE");
      Take();
      std::unique_ptr<Expr> pattern;
      const size_t pattern_pos = Peek().pos;
      SSTREAM_RETURN_IF_ERROR(ParseAdditive(&pattern));
      auto like = std::make_unique<Like>(std::move(*out), std::move(pattern), regex);
      Status s = like->Prepare();
      if (!s.ok()) return Error(pattern_pos, std::string(s.message()));
      *out = std::move(like);
    } else {
      return Status::OK();
    }
    if (negated) *out = std::make_unique<Not>(std::move(*out));
    return Status::OK();
  }

  // multiplicative (('+' | '-' | '||') multiplicative)*
  Status ParseAdditive(std::unique_ptr<Expr>* out) {
    SSTREAM_RETURN_IF_ERROR(ParseMultiplicative(out));
    while (PeekOp("+") || PeekOp("-") || PeekOp("||")) {
      const std::string op = Take().text;
      std::unique_ptr<Expr> r;
      SSTREAM_RETURN_IF_ERROR(ParseMultiplicative(&r));
      if (op == "||") {
        *out = std::make_unique<ConcatOp>(std::move(*out), std::move(r));
      } else {
        *out = std::make_unique<Arith>(op[0], std::move(*out), std::move(r));
      }
    }
    return Status::OK();
  }

  // unary (('*' | '/' | '%') unary)*
  Status ParseMultiplicative(std::unique_ptr<Expr>* out) {
    SSTREAM_RETURN_IF_ERROR(ParseUnary(out));
    while (PeekOp("*") || PeekOp("/") || PeekOp("%")) {
      const char op = Take().text[0];
      std::unique_ptr<Expr> r;
      SSTREAM_RETURN_IF_ERROR(ParseUnary(&r));
      *out = std::make_unique<Arith>(op, std::move(*out), std::move(r));
    }
    return Status::OK();
  }

  // ('-' | '+') unary | postfix; a minus before a number literal is folded.
  Status ParseUnary(std::unique_ptr<Expr>* out) {
    if (PeekOp("-") || PeekOp("+")) {
      const bool minus = Take().text == "-";
      std::unique_ptr<Expr> e;
      SSTREAM_RETURN_IF_ERROR(ParseUnary(&e));
      if (!minus) {
        *out = std::move(e);
        return Status::OK();
      }
      auto* lit = dynamic_cast<Literal*>(e.get());
      if (lit != nullptr && lit->value().type == Value::Type::kNumber) {
        *out = std::make_unique<Literal>(Num(-lit->value().num));
      } else {
        *out = std::make_unique<Negate>(std::move(e));
      }
      return Status::OK();
    }
    return ParsePostfix(out);
  }

  // primary ('[' expr ']' | '.' name)*
  Status ParsePostfix(std::unique_ptr<Expr>* out) {
    SSTREAM_RETURN_IF_ERROR(ParsePrimary(out));
    for (;;) {
      if (Peek().type == Tok::kLBracket) {
        Take();
        std::unique_ptr<Expr> key;
        SSTREAM_RETURN_IF_ERROR(ParseOr(&key));
        if (Peek().type != Tok::kRBracket) return Error(Peek().pos, "expected ']'");
        Take();
        *out = std::make_unique<Subscript>(std::move(*out), std::move(key));
      } else if (Peek().type == Tok::kDot) {
        Take();
        if (Peek().type != Tok::kIdent && Peek().type != Tok::kQuotedIdent) {
          return Error(Peek().pos, "expected a field name after '.'");
        }
        Value name;
        name.type = Value::Type::kString;
        auto key = std::make_unique<Literal>(name, Take().text);
        *out = std::make_unique<Subscript>(std::move(*out), std::move(key));
      } else {
        return Status::OK();
      }
    }
  }

  Status ParseCase(std::unique_ptr<Expr>* out) {
    Take();  // CASE
    std::unique_ptr<Expr> operand;
    if (!Keyword("WHEN")) SSTREAM_RETURN_IF_ERROR(ParseOr(&operand));
    std::vector<std::unique_ptr<Expr>> whens, thens;
    while (Keyword("WHEN")) {
      Take();
      std::unique_ptr<Expr> w, t;
      SSTREAM_RETURN_IF_ERROR(ParseOr(&w));
      if (!Keyword("THEN")) return Error(Peek().pos, "expected THEN");
      Take();
      SSTREAM_RETURN_IF_ERROR(ParseOr(&t));
      whens.push_back(std::move(w));
      thens.push_back(std::move(t));
    }
    if (whens.empty()) return Error(Peek().pos, "expected WHEN");
    std::unique_ptr<Expr> otherwise;
    if (Keyword("ELSE")) {
      Take();
      SSTREAM_RETURN_IF_ERROR(ParseOr(&otherwise));
    }
    if (!Keyword("END")) return Error(Peek().pos, "expected WHEN, ELSE or END");
    Take();
    *out = std::make_unique<Case>(std::move(operand), std::move(whens), std::move(thens),
                                  std::move(otherwise));
    return Status::OK();
  }

  Status ParseCast(std::unique_ptr<Expr>* out) {
    Take();  // CAST
    if (Peek().type != Tok::kLParen) return Error(Peek().pos, "expected '(' after CAST");
    Take();
    std::unique_ptr<Expr> e;
    SSTREAM_RETURN_IF_ERROR(ParseOr(&e));
    if (!Keyword("AS")) return Error(Peek().pos, "expected AS in CAST(value AS type)");
    Take();
    if (Peek().type != Tok::kIdent) return Error(Peek().pos, "expected a type name");
    const Token& type_tok = Take();
    std::string type;
    for (char ch : type_tok.text) type.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
    CastType t;
    if (type == "STRING" || type == "VARCHAR" || type == "CHAR") {
      t = CastType::kString;
    } else if (type == "INT" || type == "INTEGER") {
      t = CastType::kInt;
    } else if (type == "BIGINT" || type == "LONG") {
      t = CastType::kBigInt;
    } else if (type == "SMALLINT" || type == "SHORT") {
      t = CastType::kSmallInt;
    } else if (type == "TINYINT" || type == "BYTE") {
      t = CastType::kTinyInt;
    } else if (type == "DOUBLE" || type == "FLOAT" || type == "REAL" || type == "DECIMAL") {
      t = CastType::kDouble;
    } else if (type == "BOOLEAN" || type == "BOOL") {
      t = CastType::kBoolean;
    } else if (type == "TIMESTAMP") {
      t = CastType::kTimestamp;
    } else if (type == "DATE") {
      t = CastType::kDate;
    } else {
      return Error(type_tok.pos,
                   fmt::format("unknown type '{}' (expected STRING, INT, BIGINT, DOUBLE, "
                               "BOOLEAN, TIMESTAMP or DATE)",
                               type_tok.text));
    }
    if (Peek().type == Tok::kLParen) {  // DECIMAL(10, 2), VARCHAR(20): precision ignored
      while (!AtEnd() && Peek().type != Tok::kRParen) Take();
      if (AtEnd()) return Error(Peek().pos, "expected ')'");
      Take();
    }
    if (Peek().type != Tok::kRParen) return Error(Peek().pos, "expected ')' to close CAST");
    Take();
    *out = std::make_unique<Cast>(std::move(e), t, type);
    return Status::OK();
  }

  // INTERVAL '1h30m' | INTERVAL '5' SECOND | INTERVAL 5 SECONDS: a number of
  // milliseconds (timestamp + interval is a timestamp).
  Status ParseInterval(std::unique_ptr<Expr>* out) {
    const size_t start = Take().pos;  // INTERVAL
    std::string text;
    if (Peek().type == Tok::kString || Peek().type == Tok::kNumber) {
      text = Take().text;
    } else {
      return Error(Peek().pos, "expected a number or a quoted duration after INTERVAL");
    }
    if (Peek().type == Tok::kIdent && !Keyword("AND") && !Keyword("OR") && !Keyword("AS") &&
        !Keyword("IS") && !Keyword("NOT") && !Keyword("IN") && !Keyword("BETWEEN") &&
        !Keyword("LIKE") && !Keyword("THEN") && !Keyword("ELSE") && !Keyword("END") &&
        !Keyword("WHEN")) {
      text += " " + Take().text;
    }
    int64_t ms;
    if (!ParseDuration(text, &ms).ok()) {
      return Error(start, fmt::format("bad interval '{}' (examples: INTERVAL 5 SECONDS, "
                                      "INTERVAL '1h30m')",
                                      text));
    }
    *out = std::make_unique<Literal>(Num(static_cast<double>(ms)));
    return Status::OK();
  }

  Status ParseCall(std::unique_ptr<Expr>* out) {
    const Token name = Take();
    const expr::FunctionDef* def = expr::FindFunction(name.text);
    if (def == nullptr) return Error(name.pos, fmt::format("unknown function '{}'", name.text));
    std::vector<std::unique_ptr<Expr>> args;
    if (Peek().type == Tok::kLParen) {
      Take();
      if (Peek().type != Tok::kRParen) {
        for (;;) {
          std::unique_ptr<Expr> a;
          SSTREAM_RETURN_IF_ERROR(ParseOr(&a));
          args.push_back(std::move(a));
          if (Peek().type != Tok::kComma) break;
          Take();
        }
      }
      if (Peek().type != Tok::kRParen) return Error(Peek().pos, "expected ',' or ')'");
      Take();
    }
    const int n = static_cast<int>(args.size());
    if (n < def->min_args || (def->max_args >= 0 && n > def->max_args)) {
      std::string want = def->max_args < 0   ? fmt::format("at least {}", def->min_args)
                         : def->min_args == def->max_args ? fmt::format("{}", def->min_args)
                                                          : fmt::format("{} to {}", def->min_args,
                                                                        def->max_args);
      return Error(name.pos,
                   fmt::format("{}() takes {} argument(s), not {}", def->name, want, n));
    }
    // Constant arguments (a pattern) are checked and compiled once, here.
    std::unique_ptr<expr::FnState> state;
    if (def->prepare != nullptr) {
      expr::Constants constants;
      for (const auto& a : args) {
        auto* lit = dynamic_cast<const Literal*>(a.get());
        constants.push_back(lit != nullptr ? &lit->value() : nullptr);
      }
      Status s = def->prepare(constants, &state);
      if (!s.ok()) return Error(name.pos, std::string(s.message()));
    }
    *out = std::make_unique<Call>(def, std::move(args), std::move(state));
    return Status::OK();
  }

  Status ParsePrimary(std::unique_ptr<Expr>* out) {
    const Token& t = Peek();
    switch (t.type) {
      case Tok::kLParen: {
        Take();
        SSTREAM_RETURN_IF_ERROR(ParseOr(out));
        if (Peek().type != Tok::kRParen) return Error(Peek().pos, "expected ')'");
        Take();
        return Status::OK();
      }
      case Tok::kString: {
        Value v;
        v.type = Value::Type::kString;
        *out = std::make_unique<Literal>(v, Take().text);
        return Status::OK();
      }
      case Tok::kNumber: {
        Token n = Take();
        Value v;
        v.type = Value::Type::kNumber;
        auto r = std::from_chars(n.text.data(), n.text.data() + n.text.size(), v.num);
        if (r.ec != std::errc() || r.ptr != n.text.data() + n.text.size()) {
          return Error(n.pos, fmt::format("malformed number '{}'", n.text));
        }
        *out = std::make_unique<Literal>(v);
        return Status::OK();
      }
      case Tok::kIdent:
        if (Keyword("TRUE") || Keyword("FALSE")) {
          Value v;
          v.type = Value::Type::kBool;
          v.b = Keyword("TRUE");
          Take();
          *out = std::make_unique<Literal>(v);
          return Status::OK();
        }
        if (Keyword("NULL")) {
          Take();
          *out = std::make_unique<Literal>(Value());
          return Status::OK();
        }
        if (Keyword("AND") || Keyword("OR") || Keyword("NOT") || Keyword("IS") ||
            Keyword("IN") || Keyword("BETWEEN") || Keyword("LIKE") || Keyword("THEN") ||
            Keyword("ELSE") || Keyword("END") || Keyword("WHEN")) {
          return Error(t.pos, fmt::format("expected a value, found {}", t.text));
        }
        if (Keyword("CASE")) return ParseCase(out);
        if (Keyword("CAST") && toks_[pos_ + 1].type == Tok::kLParen) return ParseCast(out);
        if (Keyword("INTERVAL") && (toks_[pos_ + 1].type == Tok::kString ||
                                    toks_[pos_ + 1].type == Tok::kNumber)) {
          return ParseInterval(out);
        }
        if ((Keyword("TIMESTAMP") || Keyword("DATE")) && toks_[pos_ + 1].type == Tok::kString) {
          const bool date = Keyword("DATE");
          Take();
          const Token& text = Take();
          int64_t ms;
          if (!ParseIsoTimestamp(text.text, &ms).ok()) {
            return Error(text.pos, fmt::format("bad timestamp '{}' (expected ISO-8601, such as "
                                               "'2026-01-02 03:04:05')",
                                               text.text));
          }
          if (date) ms = FloorDiv(ms, 86'400'000) * 86'400'000;
          *out = std::make_unique<Literal>(expr::Timestamp(ms));
          return Status::OK();
        }
        if (toks_[pos_ + 1].type == Tok::kLParen || Keyword("CURRENT_TIMESTAMP") ||
            Keyword("CURRENT_DATE")) {
          return ParseCall(out);
        }
        [[fallthrough]];
      case Tok::kQuotedIdent: {
        // A field path: ident ('.' ident)*, written back in path syntax.
        std::string path;
        for (;;) {
          const Token& part = Take();
          if (part.type == Tok::kQuotedIdent || part.text.find('.') != std::string::npos) {
            path += "`";
            for (char ch : part.text) {
              if (ch == '`') path += "`";
              path.push_back(ch);
            }
            path += "`";
          } else {
            path += part.text;
          }
          if (Peek().type != Tok::kDot) break;
          Take();
          if (Peek().type != Tok::kIdent && Peek().type != Tok::kQuotedIdent) {
            return Error(Peek().pos, "expected a field name after '.'");
          }
          path += ".";
        }
        *out = std::make_unique<FieldRef>(fields_->Add(path));
        return Status::OK();
      }
      case Tok::kEnd: return Error(t.pos, "expected a value, found the end of the expression");
      default: return Error(t.pos, fmt::format("expected a value, found '{}'", t.text));
    }
  }

  std::string_view src_;
  FieldRegistry* fields_;
  std::vector<Token> toks_;
  size_t pos_ = 0;

  friend Status sstream::CompileSelectList(std::string_view, FieldRegistry*,
                                           std::vector<SelectItem>*);
};

}  // namespace

Status CompileExpr(std::string_view text, FieldRegistry* fields, std::unique_ptr<Expr>* out) {
  Parser p(text, fields);
  SSTREAM_RETURN_IF_ERROR(p.Lex());
  return p.ParseFull(out);
}

Status CompileSelectList(std::string_view text, FieldRegistry* fields,
                         std::vector<SelectItem>* out) {
  // '*' as a whole item means every field; mark it before lexing.
  std::string patched(text);
  std::vector<size_t> stars;
  // Replace a standalone '*' item with a placeholder identifier.
  text::ForEachTopLevel(text, [&](size_t i) {
    if (text[i] != '*') return;
    size_t b = i, e = i + 1;
    while (b > 0 && std::isspace(static_cast<unsigned char>(text[b - 1]))) --b;
    while (e < text.size() && std::isspace(static_cast<unsigned char>(text[e]))) ++e;
    if ((b == 0 || text[b - 1] == ',') && (e == text.size() || text[e] == ',')) {
      patched[i] = '@';
      stars.push_back(i);
    }
  });
  Parser q(patched, fields);
  SSTREAM_RETURN_IF_ERROR(q.Lex());
  for (;;) {
    SelectItem item;
    if (q.Peek().type == Tok::kIdent && q.Peek().text == "@" &&
        std::find(stars.begin(), stars.end(), q.Peek().pos) != stars.end()) {
      q.Take();
      item.star = true;
    } else {
      size_t start, end;
      SSTREAM_RETURN_IF_ERROR(q.ParseItem(&item.expr, &start, &end));
      item.name = std::string(text.substr(start, end - start));
      if (item.expr->field_index() >= 0) {
        // A field keeps its last path segment as its name, as in Spark.
        std::vector<std::string> segs;
        if (ParseFieldPath(fields->paths()[item.expr->field_index()], &segs).ok()) {
          item.name = segs.back();
        }
      }
      if (q.Keyword("AS")) {
        q.Take();
        if (q.Peek().type != Tok::kIdent && q.Peek().type != Tok::kQuotedIdent &&
            q.Peek().type != Tok::kString) {
          return q.Error(q.Peek().pos, "expected a name after AS");
        }
        item.name = q.Take().text;
        item.aliased = true;
      }
    }
    out->push_back(std::move(item));
    if (q.AtEnd()) break;
    if (q.Peek().type != Tok::kComma) return q.Error(q.Peek().pos, "expected ',' or AS");
    q.Take();
  }
  return Status::OK();
}

}  // namespace sstream
