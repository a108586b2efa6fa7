// Expressions (expr.h): compilation, Spark SQL comparison and cast rules,
// three-valued logic, select lists.
#include "sstream/expr.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sstream/record.h"
#include "sstream/time.h"

namespace sstream {
namespace {

// A value as text: null, true/false, JSON numbers, 'strings', raw JSON.
std::string Show(const Value& v) {
  switch (v.type) {
    case Value::Type::kNull:
      return "null";
    case Value::Type::kBool:
      return v.b ? "true" : "false";
    case Value::Type::kNumber: {
      std::string out;
      AppendJsonNumber(&out, v.num);
      return out;
    }
    case Value::Type::kString:
      return "'" + std::string(v.str) + "'";
    case Value::Type::kJson:
      return std::string(v.str);
    case Value::Type::kTimestamp:
      return "TIMESTAMP '" + FormatIso(v.ms) + "'";
  }
  return "?";
}

// Compiles `expr` and evaluates it on `record`.
std::string Eval(const std::string& expr, const std::string& record) {
  FieldRegistry fields;
  std::unique_ptr<Expr> e;
  Status s = CompileExpr(expr, &fields, &e);
  if (!s.ok()) return "error: " + s.message();
  RecordScanner scanner(fields.paths());
  s = scanner.ScanCopy(record);
  if (!s.ok()) return "bad record: " + s.message();
  EvalContext ctx(&scanner);
  return Show(e->Eval(ctx));
}

const char kRec[] =
    R"({"n":5,"f":2.5,"neg":-3,"s":"abc","s5":"5","sp":" 5 ","se":"1e1","b":true,"nb":false,)"
    R"("z":null,"u":{"name":"ann","x.y":2,"deep":{"k":"v"}},"odd name":1,"q":"a\"b",)"
    R"("o":{"k":1},"arr":[1,2],"e":""})";

std::string E(const std::string& expr) { return Eval(expr, kRec); }

TEST(ExprEvalTest, NumberComparisons) {
  EXPECT_EQ(E("n = 5"), "true");
  EXPECT_EQ(E("n == 5"), "true");
  EXPECT_EQ(E("n = 5.0"), "true");
  EXPECT_EQ(E("n != 5"), "false");
  EXPECT_EQ(E("n <> 4"), "true");
  EXPECT_EQ(E("n < 6"), "true");
  EXPECT_EQ(E("n < 5"), "false");
  EXPECT_EQ(E("n <= 5"), "true");
  EXPECT_EQ(E("n > 4.99"), "true");
  EXPECT_EQ(E("n >= 5"), "true");
  EXPECT_EQ(E("n >= 5.01"), "false");
  EXPECT_EQ(E("f > 2"), "true");
  EXPECT_EQ(E("f = 2.5"), "true");
  EXPECT_EQ(E("neg < 0"), "true");
  EXPECT_EQ(E("5 = n"), "true");
  EXPECT_EQ(E("n = f"), "false");
  EXPECT_EQ(E("n > f"), "true");
  EXPECT_EQ(E("1e3 = 1000"), "true");
  EXPECT_EQ(E(".5 < 1"), "true");
  EXPECT_EQ(E("1.5E-2 < 0.02"), "true");
}

TEST(ExprEvalTest, NegativeNumberLiterals) {
  EXPECT_EQ(E("neg = -3"), "true");
  EXPECT_EQ(E("neg > -3.5"), "true");
  EXPECT_EQ(E("neg<-2"), "true");
  EXPECT_EQ(E("-3 = neg"), "true");
  EXPECT_EQ(E("n > -.5"), "true");
  EXPECT_EQ(E("n > -1e1"), "true");
}

TEST(ExprEvalTest, StringComparisons) {
  EXPECT_EQ(E("s = 'abc'"), "true");
  EXPECT_EQ(E("s = \"abc\""), "true") << "double quotes make a string literal";
  EXPECT_EQ(E("s != 'abc'"), "false");
  EXPECT_EQ(E("s < 'abd'"), "true");
  EXPECT_EQ(E("s > 'ab'"), "true");
  EXPECT_EQ(E("s > 'ABC'"), "true") << "byte order: lower case sorts after upper case";
  EXPECT_EQ(E("s >= 'abc'"), "true");
  EXPECT_EQ(E("s = 'ABC'"), "false");
  EXPECT_EQ(E("q = 'a\"b'"), "true") << "record strings compare unescaped";
  EXPECT_EQ(E("e = ''"), "true");
  EXPECT_EQ(E("'it''s' = 'it' "), "false");
  EXPECT_EQ(E("u.deep.k = 'v'"), "true");
}

TEST(ExprEvalTest, StringLiteralEscapes) {
  EXPECT_EQ(Eval("s = 'it''s'", R"({"s":"it's"})"), "true");
  EXPECT_EQ(Eval("s = 'it\\'s'", R"({"s":"it's"})"), "true");
  EXPECT_EQ(Eval("s = 'a\\nb'", R"({"s":"a\nb"})"), "true");
  EXPECT_EQ(Eval("s = 'a\\tb'", R"({"s":"a\tb"})"), "true");
}

TEST(ExprEvalTest, BooleanComparisons) {
  EXPECT_EQ(E("b = true"), "true");
  EXPECT_EQ(E("b = TRUE"), "true");
  EXPECT_EQ(E("b = false"), "false");
  EXPECT_EQ(E("nb = false"), "true");
  EXPECT_EQ(E("nb < b"), "true");
  EXPECT_EQ(E("b"), "true");
}

// Spark casts the string side of a mixed comparison to a number; a string
// that is not a number gives null (and a filter drops the row).
TEST(ExprEvalTest, StringNumberCasting) {
  EXPECT_EQ(E("s5 = 5"), "true");
  EXPECT_EQ(E("5 = s5"), "true");
  EXPECT_EQ(E("s5 < 10"), "true") << "numeric, not text, order ('5' > '10' as text)";
  EXPECT_EQ(E("'5.0' = 5"), "true");
  EXPECT_EQ(E("sp = 5"), "true") << "surrounding spaces are trimmed";
  EXPECT_EQ(E("se = 10"), "true");
  EXPECT_EQ(E("'abc' = 5"), "null");
  EXPECT_EQ(E("s = 5"), "null");
  EXPECT_EQ(E("e = 0"), "null");
  EXPECT_EQ(E("n = '5'"), "true");
  EXPECT_EQ(E("s5 = '5'"), "true");
  EXPECT_EQ(E("s5 = '5.0'"), "false") << "two strings compare as text";
}

TEST(ExprEvalTest, IncomparableTypesGiveNull) {
  EXPECT_EQ(E("b = 1"), "true") << "a boolean compares as 1 or 0 with a number, as Spark";
  EXPECT_EQ(E("b = 'true'"), "null");
  EXPECT_EQ(E("o = 1"), "null");
  EXPECT_EQ(E("o = 'x'"), "null");
  EXPECT_EQ(E("arr = 1"), "null");
}

TEST(ExprEvalTest, NullComparisons) {
  EXPECT_EQ(E("z = 1"), "null");
  EXPECT_EQ(E("z = null"), "null");
  EXPECT_EQ(E("null = null"), "null");
  EXPECT_EQ(E("z != 1"), "null");
  EXPECT_EQ(E("1 < z"), "null");
}

TEST(ExprEvalTest, MissingFieldsAreNull) {
  EXPECT_EQ(E("missing"), "null");
  EXPECT_EQ(E("missing = 1"), "null");
  EXPECT_EQ(E("missing != 1"), "null");
  EXPECT_EQ(E("NOT (missing = 1)"), "null");
  EXPECT_EQ(E("u.missing = 'x'"), "null");
  EXPECT_EQ(E("n.sub = 1"), "null") << "a path into a number";
  EXPECT_EQ(E("missing IS NULL"), "true");
}

TEST(ExprEvalTest, IsNull) {
  EXPECT_EQ(E("z IS NULL"), "true");
  EXPECT_EQ(E("z IS NOT NULL"), "false");
  EXPECT_EQ(E("n IS NULL"), "false");
  EXPECT_EQ(E("n IS NOT NULL"), "true");
  EXPECT_EQ(E("n is not null"), "true");
  EXPECT_EQ(E("e IS NULL"), "false") << "an empty string is not null";
  EXPECT_EQ(E("o IS NOT NULL"), "true");
  EXPECT_EQ(E("null IS NULL"), "true");
  EXPECT_EQ(E("(n = 'x') IS NULL"), "true");
  EXPECT_EQ(E("NOT z IS NULL"), "false");
}

// SQL's three-valued (Kleene) logic.
TEST(ExprEvalTest, AndTruthTable) {
  const char* v[] = {"true", "false", "null"};
  const char* expected[3][3] = {
      {"true", "false", "null"},
      {"false", "false", "false"},
      {"null", "false", "null"},
  };
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      std::string expr = std::string(v[i]) + " AND " + v[j];
      EXPECT_EQ(E(expr), expected[i][j]) << expr;
    }
  }
}

TEST(ExprEvalTest, OrTruthTable) {
  const char* v[] = {"true", "false", "null"};
  const char* expected[3][3] = {
      {"true", "true", "true"},
      {"true", "false", "null"},
      {"true", "null", "null"},
  };
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      std::string expr = std::string(v[i]) + " OR " + v[j];
      EXPECT_EQ(E(expr), expected[i][j]) << expr;
    }
  }
}

TEST(ExprEvalTest, Not) {
  EXPECT_EQ(E("NOT true"), "false");
  EXPECT_EQ(E("NOT false"), "true");
  EXPECT_EQ(E("NOT null"), "null");
  EXPECT_EQ(E("NOT NOT true"), "true");
  EXPECT_EQ(E("not n = 5"), "false") << "NOT binds looser than a comparison";
  EXPECT_EQ(E("NOT s"), "null") << "NOT of a non-boolean is null";
}

TEST(ExprEvalTest, LogicWithFieldsAndNulls) {
  EXPECT_EQ(E("n = 5 AND s = 'abc'"), "true");
  EXPECT_EQ(E("n = 5 AND missing = 1"), "null");
  EXPECT_EQ(E("n = 4 AND missing = 1"), "false");
  EXPECT_EQ(E("missing = 1 OR n = 5"), "true");
  EXPECT_EQ(E("missing = 1 OR n = 4"), "null");
  EXPECT_EQ(E("z IS NULL AND (s5 = 5 OR missing = 2)"), "true");
}

TEST(ExprEvalTest, PrecedenceAndParentheses) {
  // AND binds tighter than OR.
  EXPECT_EQ(E("n = 5 OR n = 1 AND n = 2"), "true");
  EXPECT_EQ(E("(n = 5 OR n = 1) AND n = 2"), "false");
  EXPECT_EQ(E("n = 1 AND n = 2 OR n = 5"), "true");
  EXPECT_EQ(E("((((n = 5))))"), "true");
}

TEST(ExprEvalTest, NestedAndQuotedFields) {
  EXPECT_EQ(E("u.name = 'ann'"), "true");
  EXPECT_EQ(E("u.`x.y` = 2"), "true");
  EXPECT_EQ(E("`odd name` = 1"), "true");
  EXPECT_EQ(E("u.deep"), "{\"k\":\"v\"}");
  EXPECT_EQ(E("arr"), "[1,2]");
}

TEST(ExprEvalTest, LiteralsAndValues) {
  EXPECT_EQ(E("'text'"), "'text'");
  EXPECT_EQ(E("12.5"), "12.5");
  EXPECT_EQ(E("null"), "null");
  EXPECT_EQ(E("s"), "'abc'");
  EXPECT_EQ(E("n"), "5");
  EXPECT_EQ(E("q"), "'a\"b'");
}

TEST(ExprEvalTest, OneCompiledExpressionManyRecords) {
  FieldRegistry fields;
  std::unique_ptr<Expr> e;
  ASSERT_TRUE(CompileExpr("kind = 'view' AND n > 1", &fields, &e).ok());
  RecordScanner scanner(fields.paths());
  EvalContext ctx(&scanner);
  const char* records[] = {R"({"kind":"view","n":2})", R"({"kind":"click","n":2})", R"({"n":2})",
                           R"({"kind":"vi\u0065w","n":"3"})"};
  const char* expected[] = {"true", "false", "null", "true"};
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(scanner.ScanCopy(records[i]).ok());
    EXPECT_EQ(Show(e->Eval(ctx)), expected[i]) << records[i];
  }
  EXPECT_TRUE(IsTrue(e->Eval(ctx)));
}

TEST(ExprCompileTest, RegistryIsSharedAndDeduplicated) {
  FieldRegistry fields;
  std::unique_ptr<Expr> a, b;
  ASSERT_TRUE(CompileExpr("x = 1 AND y.z = 2", &fields, &a).ok());
  ASSERT_TRUE(CompileExpr("y.z = 3 OR `w` IS NULL OR x = 0", &fields, &b).ok());
  ASSERT_EQ(fields.paths().size(), 3u);
  EXPECT_EQ(fields.paths()[0], "x");
  EXPECT_EQ(fields.paths()[1], "y.z");
  std::unique_ptr<Expr> f;
  ASSERT_TRUE(CompileExpr("y.z", &fields, &f).ok());
  EXPECT_EQ(f->field_index(), 1);
  EXPECT_EQ(a->field_index(), -1);
  EXPECT_EQ(fields.Add("new"), 3u);
  EXPECT_EQ(fields.Add("x"), 0u);
}

TEST(ExprCompileTest, QuotedNamesWithDotsStayOneSegment) {
  FieldRegistry fields;
  std::unique_ptr<Expr> e;
  ASSERT_TRUE(CompileExpr("`a.b` = 1 AND `c``d`.e = 2", &fields, &e).ok());
  std::vector<std::string> segs;
  ASSERT_TRUE(ParseFieldPath(fields.paths()[0], &segs).ok());
  EXPECT_EQ(segs, std::vector<std::string>({"a.b"}));
  ASSERT_TRUE(ParseFieldPath(fields.paths()[1], &segs).ok());
  EXPECT_EQ(segs, std::vector<std::string>({"c`d", "e"}));
}

// Parse errors: "column N: what", the expression, and a caret under column N.
Status CompileError(const std::string& text) {
  FieldRegistry fields;
  std::unique_ptr<Expr> e;
  return CompileExpr(text, &fields, &e);
}

TEST(ExprCompileTest, ErrorsShowColumnAndCaret) {
  Status s = CompileError("a = = 1");
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "column 5: expected a value, found '='\n  a = = 1\n      ^");
  s = CompileError("n > 1 AND b c");
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "column 13: expected an operator or the end\n  n > 1 AND b c\n              ^");
}

TEST(ExprCompileTest, CaretKeepsTabsAligned) {
  Status s = CompileError("a\t= #");
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "column 5: unexpected character '#'\n  a\t= #\n   \t  ^");
}

TEST(ExprCompileTest, Errors) {
  struct Case {
    const char* text;
    const char* column;
    const char* what;
  };
  const Case cases[] = {
      {"", "column 1:", "found the end"},
      {"a =", "column 4:", "found the end"},
      {"a = 'abc", "column 5:", "unterminated ' quote"},
      {"`abc = 1", "column 1:", "unterminated ` quote"},
      {"a = 1 # x", "column 7:", "unexpected character '#'"},
      {"a ! 1", "column 3:", "'!' alone"},
      {"nosuch(a) = 'x'", "column 1:", "unknown function 'nosuch'"},
      {"(a = 1", "column 7:", "expected ')'"},
      {"a = 1)", "column 6:", "expected an operator or the end"},
      {"a IS 5", "column 6:", "expected NULL after IS"},
      {"a IS NOT", "column 9:", "expected NULL after IS"},
      {"a = 1e", "column 5:", "malformed number '1e'"},
      {"a = 1.2.3", "column 5:", "malformed number"},
      {"a AND", "column 6:", "found the end"},
      {"AND = 1", "column 1:", "found AND"},
      {"a. = 1", "column 4:", "expected a field name after '.'"},
      {"a =< 1", "column 4:", "expected a value, found '<'"},
  };
  for (const auto& c : cases) {
    Status s = CompileError(c.text);
    ASSERT_TRUE(s.IsInvalidArgument()) << "accepted: " << c.text;
    EXPECT_EQ(s.message().rfind(c.column, 0), 0u) << c.text << " -> " << s.message();
    EXPECT_NE(s.message().find(c.what), std::string::npos) << c.text << " -> " << s.message();
    EXPECT_NE(s.message().find("\n  " + std::string(c.text) + "\n"), std::string::npos)
        << s.message();
  }
}

// ---- Value helpers ----

TEST(ValueTest, FromRawAndBackToJson) {
  std::string scratch;
  struct Case {
    const char* raw;
    Value::Type type;
    const char* json;
  };
  const Case cases[] = {
      {"", Value::Type::kNull, "null"},
      {"null", Value::Type::kNull, "null"},
      {"true", Value::Type::kBool, "true"},
      {"false", Value::Type::kBool, "false"},
      {"12.50", Value::Type::kNumber, "12.5"},
      {"-0", Value::Type::kNumber, "0"},
      {"\"x\\ty\"", Value::Type::kString, "\"x\\ty\""},
      {"{\"a\": [1]}", Value::Type::kJson, "{\"a\": [1]}"},
      {"[ ]", Value::Type::kJson, "[ ]"},
  };
  for (const auto& c : cases) {
    Value v = ValueFromRaw(c.raw, &scratch);
    EXPECT_EQ(v.type, c.type) << c.raw;
    std::string out;
    AppendValueJson(&out, v);
    EXPECT_EQ(out, c.json) << c.raw;
  }
  Value s = ValueFromRaw("\"a\\u00e9\"", &scratch);
  EXPECT_EQ(s.str, "a\xC3\xA9");
  EXPECT_TRUE(ValueFromRaw("12abc", &scratch).IsNull()) << "a malformed number is null";
}

// ---- select lists ----

std::vector<SelectItem> Select(const std::string& text, FieldRegistry* fields) {
  std::vector<SelectItem> items;
  Status s = CompileSelectList(text, fields, &items);
  EXPECT_TRUE(s.ok()) << text << ": " << s.ToString();
  return items;
}

TEST(SelectListTest, NamesAliasesAndStar) {
  FieldRegistry fields;
  auto items = Select(
      "a, b.c, d AS x, `odd name`, n = 1 AS flag, *, u.`x.y`, e as `my col`, "
      "f AS 'quoted', n > 2",
      &fields);
  ASSERT_EQ(items.size(), 10u);
  EXPECT_EQ(items[0].name, "a");
  EXPECT_EQ(items[0].expr->field_index(), 0);
  EXPECT_EQ(items[1].name, "c") << "a field is named by its last path segment, as in Spark";
  EXPECT_EQ(items[2].name, "x");
  EXPECT_EQ(items[3].name, "odd name");
  EXPECT_EQ(items[4].name, "flag");
  EXPECT_EQ(items[4].expr->field_index(), -1);
  EXPECT_TRUE(items[5].star);
  EXPECT_EQ(items[5].expr, nullptr);
  EXPECT_EQ(items[6].name, "x.y");
  EXPECT_EQ(items[7].name, "my col");
  EXPECT_EQ(items[8].name, "quoted");
  EXPECT_EQ(items[9].name, "n > 2") << "an expression is named by its text";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i != 5) {
      EXPECT_FALSE(items[i].star) << i;
    }
  }
}

TEST(SelectListTest, StarForms) {
  FieldRegistry fields;
  auto only = Select("*", &fields);
  ASSERT_EQ(only.size(), 1u);
  EXPECT_TRUE(only[0].star);
  auto spaced = Select("  *  ,  a  ", &fields);
  ASSERT_EQ(spaced.size(), 2u);
  EXPECT_TRUE(spaced[0].star);
  EXPECT_EQ(spaced[1].name, "a");
  auto last = Select("a,*", &fields);
  ASSERT_EQ(last.size(), 2u);
  EXPECT_TRUE(last[1].star);
  auto literal = Select("'*' AS s", &fields);
  ASSERT_EQ(literal.size(), 1u);
  EXPECT_FALSE(literal[0].star) << "a quoted * is a string";
}

TEST(SelectListTest, EvaluatesAgainstRecords) {
  FieldRegistry fields;
  auto items = Select("s AS name, n >= 5 AS big, z", &fields);
  RecordScanner scanner(fields.paths());
  ASSERT_TRUE(scanner.ScanCopy(kRec).ok());
  EvalContext ctx(&scanner);
  EXPECT_EQ(Show(items[0].expr->Eval(ctx)), "'abc'");
  EXPECT_EQ(Show(items[1].expr->Eval(ctx)), "true");
  EXPECT_EQ(Show(items[2].expr->Eval(ctx)), "null");
}

TEST(SelectListTest, Errors) {
  for (const char* bad :
       {"", "a AS", "a AS 5", "a b", "a,,b", "a,", ",a", "count(*)", "* AS x", "a = ", "(a, b)"}) {
    FieldRegistry fields;
    std::vector<SelectItem> items;
    Status s = CompileSelectList(bad, &fields, &items);
    EXPECT_TRUE(s.IsInvalidArgument()) << "accepted: '" << bad << "'";
    EXPECT_EQ(s.message().rfind("column ", 0), 0u) << bad << ": " << s.message();
  }
}

}  // namespace
}  // namespace sstream
