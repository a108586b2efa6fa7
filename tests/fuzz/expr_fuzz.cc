// Fuzz target: the expression language of sstream-expr(7). Arbitrary text is
// compiled as an expression (CompileExpr) and as a select list
// (CompileSelectList); whatever compiles is evaluated on a few fixed records,
// leniently and in strict mode, and these invariants are checked:
//
//   - a compile error names its column;
//   - evaluation never crashes, and the value written as JSON
//     (AppendValueJson) is one valid JSON token (when it is valid UTF-8);
//   - evaluating twice on the same record gives the same JSON text, and
//     strict mode gives the same value as lenient mode (it only adds the
//     error);
//   - lenient mode records no error but the ones any mode reports (a
//     pattern from the data that does not compile, a regular expression
//     that gives up: their messages name the pattern); an error is a
//     non-empty message;
//   - (e) IS NULL is a boolean that agrees with e's value; NOT (e) and
//     (e) AND true are null or boolean, as a filter root must be, and agree
//     with e under three-valued logic; (e) = (e) is true unless e is null.
//
// Without SSTREAM_FUZZ the target is linked with tests/fuzz/driver.cc, which
// replays tests/fuzz/corpus/expr and random mutations of it (ctest -R fuzz).
// With libFuzzer (clang), from the source tree (new inputs go to
// build-fuzz/corpus-expr, not into the seed corpus):
//
//   CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DSSTREAM_FUZZ=ON &&
//     ninja -C build-fuzz expr_fuzz && mkdir -p build-fuzz/corpus-expr &&
//     build-fuzz/tests/expr_fuzz -max_total_time=300 build-fuzz/corpus-expr
//       tests/fuzz/corpus/expr
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "sstream/clock.h"
#include "sstream/expr.h"
#include "sstream/record.h"

namespace {

using namespace sstream;

// Nested objects and arrays, escapes, nulls, numbers of every shape,
// timestamps as text and as epoch numbers, names that need backquotes.
const char* const kRecords[] = {
    R"({"a":1,"b":"x","c":{"d":[1,2],"e":"q\"\u00e9"},"z":null,"f":true,"s5":"5",)"
    R"("u":{"n":"ann","x.y":-2.5e3},"odd name":"","t":"2026-01-02T03:04:05Z"})",
    R"({"a":-0.5,"b":"a\\b\n\t\u2603%_","c":{"d":[],"e":null},"f":false,"s5":" 5e1 ",)"
    R"("arr":[10,"x",{"k":"v"},[null,true]],"o":{"k":1,"in":{"d":2}},"js":"{\"a\":[1,2]}",)"
    R"("t":1767323045,"n":9007199254740993,"big":1e308,"pct":"50%"})",
    R"({"b":"héllo wörld","c":[{"e":1}],"t":"1969-12-31 23:59:59.999+01:00","a":"abc",)"
    R"("u":{"n":null},"arr":[],"o":{},"z":[1,[2,[3]]],"s5":"yes"})",
    R"({})",
};

// The test's own clock: current_timestamp() is the same on every evaluation.
constexpr int64_t kNow = 1'767'323'045'678;

bool IsJsonToken(const std::string& token) {
  static RecordScanner* checker = new RecordScanner({"k"});
  return checker->ScanCopy("{\"k\":" + token + "}").ok();
}

void Check(bool ok) {
  if (!ok) std::abort();
}

// e evaluated on the record the scanner holds: its JSON text, and the strict
// error (empty when none). Aborts when an invariant of one evaluation fails.
std::string EvalJson(const Expr& e, const RecordScanner& scanner, bool strict, bool utf8,
                     Value* value, std::string* error) {
  ManualClock clock(kNow);
  EvalContext ctx(&scanner, &clock);
  ctx.set_strict(strict);
  *value = e.Eval(ctx);
  std::string out;
  AppendValueJson(&out, *value);
  // Regular expressions match UTF-8 characters, but a pattern can still
  // split one (regexp_extract(s, '(\\xC3)')); skip those.
  if (utf8 && IsValidUtf8(out)) Check(IsJsonToken(out));
  Status s = ctx.TakeError();
  error->clear();
  if (!s.ok()) {
    Check(!s.message().empty());  // an error says what went wrong
    // Lenient mode records only the errors of every mode, about patterns.
    Check(strict || s.message().find("pattern") != std::string::npos ||
          s.message().find("regular expression") != std::string::npos);
    *error = s.message();
  }
  return out;
}

std::unique_ptr<Expr> Compile(const std::string& text, FieldRegistry* fields) {
  std::unique_ptr<Expr> e;
  Status s = CompileExpr(text, fields, &e);
  if (!s.ok()) {
    Check(s.message().rfind("column ", 0) == 0);  // every compile error names its column
    return nullptr;
  }
  Check(e != nullptr);
  return e;
}

void FuzzExpression(const std::string& text) {
  FieldRegistry fields;
  std::unique_ptr<Expr> e = Compile(text, &fields);
  if (e == nullptr) return;
  // Wrapped forms; parentheses make any expression that compiles an operand.
  const std::string paren = "(" + text + ")";
  std::unique_ptr<Expr> is_null = Compile(paren + " IS NULL", &fields);
  std::unique_ptr<Expr> negated = Compile("NOT " + paren, &fields);
  std::unique_ptr<Expr> filter = Compile(paren + " AND true", &fields);
  std::unique_ptr<Expr> self = Compile(paren + " = " + paren, &fields);
  Check(is_null && negated && filter && self);

  const bool utf8 = IsValidUtf8(text);
  RecordScanner scanner(fields.paths());
  for (const char* record : kRecords) {
    Check(scanner.ScanCopy(record).ok());
    Value v, again, strict_v, w;
    std::string err, strict_err;
    const std::string out = EvalJson(*e, scanner, false, utf8, &v, &err);
    Check(EvalJson(*e, scanner, false, utf8, &again, &err) == out);
    Check(again.type == v.type);
    const std::string strict_out = EvalJson(*e, scanner, true, utf8, &strict_v, &strict_err);
    Check(strict_out == out);
    Check(strict_v.type == v.type);
    // The same strict evaluation fails the same way.
    Check(EvalJson(*e, scanner, true, utf8, &again, &err) == out && err == strict_err);

    const bool is_bool = v.type == Value::Type::kBool;
    EvalJson(*is_null, scanner, false, utf8, &w, &err);
    Check(w.type == Value::Type::kBool && w.b == v.IsNull());
    EvalJson(*negated, scanner, false, utf8, &w, &err);
    Check(is_bool ? (w.type == Value::Type::kBool && w.b == !v.b) : w.IsNull());
    EvalJson(*filter, scanner, false, utf8, &w, &err);
    Check(is_bool ? (w.type == Value::Type::kBool && w.b == v.b) : w.IsNull());
    Check(IsTrue(w) == IsTrue(v));
    EvalJson(*self, scanner, false, utf8, &w, &err);
    Check(v.IsNull() ? w.IsNull() : IsTrue(w));
  }
}

void FuzzSelectList(const std::string& text) {
  FieldRegistry fields;
  std::vector<SelectItem> items;
  Status s = CompileSelectList(text, &fields, &items);
  if (!s.ok()) {
    Check(s.message().rfind("column ", 0) == 0);
    return;
  }
  Check(!items.empty());
  RecordScanner scanner(fields.paths());
  scanner.set_collect_all(true);
  const bool utf8 = IsValidUtf8(text);
  for (const char* record : kRecords) {
    Check(scanner.ScanCopy(record).ok());
    for (const auto& item : items) {
      if (item.star) {
        Check(item.expr == nullptr);
        continue;
      }
      Check(item.expr != nullptr);
      // Names and values written the way sstream-map writes them are JSON
      // (when the expression's own text is valid UTF-8).
      if (utf8) {
        std::string name;
        AppendJsonString(&name, item.name);
        Check(IsJsonToken(name));
      }
      Value v, strict_v;
      std::string err;
      const std::string out = EvalJson(*item.expr, scanner, false, utf8, &v, &err);
      Check(EvalJson(*item.expr, scanner, true, utf8, &strict_v, &err) == out);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  FuzzExpression(text);
  FuzzSelectList(text);
  return 0;
}
