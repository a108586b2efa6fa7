#include "sstream/expr.h"

#include <cctype>
#include <charconv>
#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace sstream {

size_t FieldRegistry::Add(const std::string& path) {
  for (size_t i = 0; i < paths_.size(); ++i) {
    if (paths_[i] == path) return i;
  }
  paths_.push_back(path);
  return paths_.size() - 1;
}

std::string* EvalContext::scratch(size_t field) {
  if (field >= scratch_.size()) scratch_.resize(field + 1);
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
  }
}

namespace {

// ---- nodes ----

class Literal final : public Expr {
 public:
  explicit Literal(Value v, std::string storage = {}) : storage_(std::move(storage)), v_(v) {
    if (v_.type == Value::Type::kString) v_.str = storage_;
  }
  Value Eval(EvalContext&) const override { return v_; }

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

enum class CmpOp { kEq, kNe, kLt, kLe, kGt, kGe };

// -1, 0, 1, or 2 when the values cannot be compared (the result is null).
int Compare(const Value& a, const Value& b) {
  using T = Value::Type;
  auto num_of = [](const Value& v, double* d) {
    if (v.type == T::kNumber) {
      *d = v.num;
      return true;
    }
    if (v.type == T::kString) {
      std::string_view s = v.str;
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
      if (s.empty()) return false;
      const char* first = s.data();
      if (*first == '+') ++first;
      auto r = std::from_chars(first, s.data() + s.size(), *d);
      return r.ec == std::errc() && r.ptr == s.data() + s.size();
    }
    return false;
  };
  if (a.type == T::kNumber || b.type == T::kNumber) {
    double x, y;
    if (!num_of(a, &x) || !num_of(b, &y)) return 2;
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

Value Bool(bool b) {
  Value v;
  v.type = Value::Type::kBool;
  v.b = b;
  return v;
}

class Comparison final : public Expr {
 public:
  Comparison(CmpOp op, std::unique_ptr<Expr> l, std::unique_ptr<Expr> r)
      : op_(op), l_(std::move(l)), r_(std::move(r)) {}
  Value Eval(EvalContext& ctx) const override {
    Value a = l_->Eval(ctx);
    if (a.IsNull()) return Value();
    Value b = r_->Eval(ctx);
    if (b.IsNull()) return Value();
    int c = Compare(a, b);
    if (c == 2) return Value();
    switch (op_) {
      case CmpOp::kEq: return Bool(c == 0);
      case CmpOp::kNe: return Bool(c != 0);
      case CmpOp::kLt: return Bool(c < 0);
      case CmpOp::kLe: return Bool(c <= 0);
      case CmpOp::kGt: return Bool(c > 0);
      case CmpOp::kGe: return Bool(c >= 0);
    }
    return Value();
  }

 private:
  CmpOp op_;
  std::unique_ptr<Expr> l_, r_;
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

// ---- lexer / parser ----

enum class Tok { kEnd, kIdent, kQuotedIdent, kString, kNumber, kOp, kLParen, kRParen, kDot, kComma };

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
      } else if (StartsNumber(i) || (c == '-' && StartsNumber(i + 1))) {
        // A '-' before a number is its sign: there is no arithmetic to
        // confuse it with, and Spark accepts negative literals (n > -5).
        if (c == '-') ++i;
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
            char e = src_[i + 1];
            text.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
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
  bool Keyword(const char* kw) const {
    if (Peek().type != Tok::kIdent) return false;
    const std::string& t = Peek().text;
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
    return ParseComparison(out);
  }

  Status ParseComparison(std::unique_ptr<Expr>* out) {
    SSTREAM_RETURN_IF_ERROR(ParsePrimary(out));
    if (Peek().type == Tok::kOp) {
      Token op = Take();
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
        return Error(op.pos, fmt::format("unknown operator '{}'", op.text));
      }
      std::unique_ptr<Expr> r;
      SSTREAM_RETURN_IF_ERROR(ParsePrimary(&r));
      *out = std::make_unique<Comparison>(c, std::move(*out), std::move(r));
    } else if (Keyword("IS")) {
      Take();
      bool negated = false;
      if (Keyword("NOT")) {
        Take();
        negated = true;
      }
      if (!Keyword("NULL")) return Error(Peek().pos, "expected NULL after IS");
      Take();
      *out = std::make_unique<IsNull>(std::move(*out), negated);
    }
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
        if (Keyword("AND") || Keyword("OR") || Keyword("NOT") || Keyword("IS")) {
          return Error(t.pos, fmt::format("expected a value, found {}", t.text));
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
        if (Peek().type == Tok::kLParen) {
          return Error(Peek().pos, fmt::format("unknown function '{}'", path));
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
  {
    // Replace a standalone '*' item with a placeholder identifier.
    size_t depth = 0;
    for (size_t i = 0; i < patched.size(); ++i) {
      char c = patched[i];
      if (c == '\'' || c == '"' || c == '`') {
        size_t j = patched.find(c, i + 1);
        i = j == std::string::npos ? patched.size() : j;
        continue;
      }
      if (c == '(') ++depth;
      if (c == ')' && depth > 0) --depth;
      if (c == '*' && depth == 0) {
        size_t b = i, e = i + 1;
        while (b > 0 && std::isspace(static_cast<unsigned char>(patched[b - 1]))) --b;
        while (e < patched.size() && std::isspace(static_cast<unsigned char>(patched[e]))) ++e;
        bool alone = (b == 0 || patched[b - 1] == ',') && (e == patched.size() || patched[e] == ',');
        if (alone) {
          patched[i] = '@';
          stars.push_back(i);
        }
      }
    }
  }
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
