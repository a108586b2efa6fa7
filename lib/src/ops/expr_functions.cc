// The functions of the expression language (sstream-expr(7)), with Spark's
// names, arguments and null rules. Each returns a Value whose text, if any,
// lives in the call site's buffer (call.out).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "ops/expr_internal.h"
#include "ops/hashes.h"
#include "regex/regex.h"
#include "sstream/time.h"

namespace sstream::expr {

namespace {

// ---- helpers ----

std::string_view Text(const Value& v, std::string* buf) {
  if (v.type == Value::Type::kString) return v.str;
  buf->clear();
  AppendText(v, buf);
  return *buf;
}

// The argument as text, in a per-argument scratch buffer.
struct Texts {
  std::string buf[4];
  std::string_view operator()(const FnCall& c, size_t i) {
    return Text(c.args[i], &buf[std::min<size_t>(i, 3)]);
  }
};

bool Number(FnCall& c, size_t i, double* out) {
  if (c.args[i].type != Value::Type::kJson && ToNumber(c.args[i], out)) return true;
  std::string text;
  AppendText(c.args[i], &text);
  c.ctx->Fail(fmt::format("argument {} ('{}', {}) is not a number", i + 1, text,
                          TypeName(c.args[i].type)));
  return false;
}

// Cached per call site: the compiled form of the last pattern text.
template <typename T>
struct Cached : FnState {
  std::string key;
  T value;
};

template <typename T>
Cached<T>& StateOf(FnCall& c) {
  if (!*c.state) *c.state = std::make_unique<Cached<T>>();
  return static_cast<Cached<T>&>(**c.state);
}

// The call site's regular expressions.
struct RegexState : FnState {
  RegexCache cache;
};

RegexCache& RegexesOf(std::unique_ptr<FnState>* state) {
  if (!*state) *state = std::make_unique<RegexState>();
  return static_cast<RegexState&>(**state).cache;
}

regex::Regex* Regex(FnCall& c, std::string_view pattern, const char* fn) {
  return RegexesOf(c.state).Get(pattern, *c.ctx, fn);
}

// The text of a constant argument, when it is one (and not null).
bool ConstantText(const Constants& k, size_t i, std::string* out) {
  if (i >= k.size() || k[i] == nullptr || k[i]->IsNull()) return false;
  out->clear();
  AppendText(*k[i], out);
  return true;
}

using TimePatternState = Cached<std::unique_ptr<TimePattern>>;

// Compiles `pattern` into the call site's state; the error says why not.
Status CompilePattern(std::string_view pattern, std::unique_ptr<FnState>* state, const char* fn) {
  if (!*state) *state = std::make_unique<TimePatternState>();
  auto& st = static_cast<TimePatternState&>(**state);
  auto p = std::make_unique<TimePattern>();
  Status s = p->Compile(pattern);
  if (!s.ok()) {
    st.value.reset();
    return Status::InvalidArgument(fmt::format("{}: {}", fn, s.message()));
  }
  st.value = std::move(p);
  st.key = std::string(pattern);
  return Status::OK();
}

// A datetime pattern given in the data that does not compile makes the
// record bad (Spark fails the query); a constant one failed at start.
const TimePattern* Pattern(FnCall& c, std::string_view pattern, const char* fn) {
  auto& st = StateOf<std::unique_ptr<TimePattern>>(c);
  if (!st.value || st.key != pattern) {
    Status s = CompilePattern(pattern, c.state, fn);
    if (!s.ok()) {
      c.ctx->Error(std::string(s.message()));
      return nullptr;
    }
  }
  return st.value.get();
}

// prepare: the datetime pattern in argument 1, when constant.
Status PrepareTimePattern(const Constants& k, std::unique_ptr<FnState>* state, const char* fn) {
  std::string pattern;
  if (!ConstantText(k, 1, &pattern)) return Status::OK();
  return CompilePattern(pattern, state, fn);
}
Status PrepareToTimestamp(const Constants& k, std::unique_ptr<FnState>* state) {
  return PrepareTimePattern(k, state, "to_timestamp");
}
Status PrepareUnixTimestamp(const Constants& k, std::unique_ptr<FnState>* state) {
  return PrepareTimePattern(k, state, "unix_timestamp");
}
Status PrepareFromUnixtime(const Constants& k, std::unique_ptr<FnState>* state) {
  return PrepareTimePattern(k, state, "from_unixtime");
}
Status PrepareDateFormat(const Constants& k, std::unique_ptr<FnState>* state) {
  return PrepareTimePattern(k, state, "date_format");
}

// prepare: the regular expression in argument 1, when constant.
Status PrepareRegex(const Constants& k, std::unique_ptr<FnState>* state, const char* fn) {
  std::string pattern;
  if (!ConstantText(k, 1, &pattern)) return Status::OK();
  return RegexesOf(state).Prepare(pattern, fn);
}
Status PrepareSplit(const Constants& k, std::unique_ptr<FnState>* state) {
  return PrepareRegex(k, state, "split");
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Byte offset of code point `cp` (clamped to the end).
size_t Utf8Offset(std::string_view s, size_t cp) {
  size_t i = 0;
  while (i < s.size() && cp > 0) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    --cp;
  }
  return i;
}

// ---- strings ----

// lower / upper: ASCII letters only.
template <int (*F)(int)>
Value MapChars(FnCall& c) {
  Texts t;
  std::string_view s = t(c, 0);
  c.out->assign(s);
  for (auto& ch : *c.out) ch = static_cast<char>(F(static_cast<unsigned char>(ch)));
  return Str(*c.out);
}
int AsciiLower(int ch) { return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch; }
int AsciiUpper(int ch) { return ch >= 'a' && ch <= 'z' ? ch - 32 : ch; }

Value Length(FnCall& c) {
  Texts t;
  return Num(static_cast<double>(Utf8Length(t(c, 0))));
}

// substr(s, pos [, len]): 1-based; a negative pos counts from the end; 0 is 1.
Value Substr(FnCall& c) {
  Texts t;
  std::string_view s = t(c, 0);
  double pos_d, len_d;
  if (!Number(c, 1, &pos_d) || (c.n > 2 && !Number(c, 2, &len_d))) return Value();
  const auto n = static_cast<int64_t>(Utf8Length(s));
  // Spark's int arguments (a double saturates, as Java's cast).
  const int64_t kIntMax = 2147483647;
  const int64_t pos = SaturatingInt(pos_d, -kIntMax - 1, kIntMax);
  int64_t len = c.n > 2 ? SaturatingInt(len_d, -kIntMax - 1, kIntMax) : INT64_MAX;
  int64_t start = pos > 0 ? pos - 1 : pos < 0 ? std::max<int64_t>(n + pos, 0) : 0;
  if (pos < 0 && n + pos < 0 && len != INT64_MAX) {
    len += n + pos;  // the part before the start is cut off
  }
  if (len <= 0 || start >= n) return Str(std::string_view());
  const size_t b = Utf8Offset(s, static_cast<size_t>(start));
  const size_t e = len == INT64_MAX ? s.size()
                                    : b + Utf8Offset(s.substr(b), static_cast<size_t>(len));
  c.out->assign(s.substr(b, e - b));
  return Str(*c.out);
}

Value Concat(FnCall& c) {
  c.out->clear();
  for (size_t i = 0; i < c.n; ++i) AppendText(c.args[i], c.out);
  return Str(*c.out);
}

// concat_ws(sep, a, b, ...): nulls are skipped, as in Spark.
Value ConcatWs(FnCall& c) {
  if (c.args[0].IsNull()) return Value();
  std::string sep;
  AppendText(c.args[0], &sep);
  c.out->clear();
  bool first = true;
  for (size_t i = 1; i < c.n; ++i) {
    if (c.args[i].IsNull()) continue;
    if (!first) c.out->append(sep);
    first = false;
    AppendText(c.args[i], c.out);
  }
  return Str(*c.out);
}

Value TrimSides(FnCall& c, bool left, bool right) {
  Texts t;
  std::string_view s = t(c, 0);
  while (left && !s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (right && !s.empty() && s.back() == ' ') s.remove_suffix(1);
  c.out->assign(s);
  return Str(*c.out);
}
Value Trim(FnCall& c) { return TrimSides(c, true, true); }
Value Ltrim(FnCall& c) { return TrimSides(c, true, false); }
Value Rtrim(FnCall& c) { return TrimSides(c, false, true); }

// split(s, regex [, limit]): a JSON array of strings.
Value Split(FnCall& c) {
  Texts t;
  std::string_view s = t(c, 0);
  std::string_view pattern = t(c, 1);
  double limit_d = -1;
  if (c.n > 2 && !Number(c, 2, &limit_d)) return Value();
  regex::Regex* re = Regex(c, pattern, "split");
  if (re == nullptr) return Value();
  int64_t limit = SaturatingInt(limit_d, -1, 2147483647);  // an int in Spark
  std::vector<std::string_view> parts;
  size_t pos = 0;
  // Java's String.split: an empty match at the start or the end splits
  // nothing; after an empty match the search goes on one character later.
  for (size_t from = 0; !s.empty() && from <= s.size();) {
    if (limit > 0 && static_cast<int64_t>(parts.size()) == limit - 1) break;
    bool found;
    Status st = re->Find(s, from, &found);
    if (!st.ok()) {
      c.ctx->Error(fmt::format("split: {}", st.message()));
      return Value();
    }
    if (!found) break;
    size_t b, e;
    re->Group(0, &b, &e);
    if (e == b) {
      from = b < s.size() ? b + regex::CodePointLength(s, b) : s.size() + 1;
      if (b == 0 || b >= s.size()) continue;
    } else {
      from = e;
    }
    parts.push_back(s.substr(pos, b - pos));
    pos = e;
  }
  parts.push_back(s.substr(pos));
  c.out->assign("[");
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) c.out->push_back(',');
    AppendJsonString(c.out, parts[i]);
  }
  c.out->push_back(']');
  return Json(*c.out);
}

// replace(s, search [, replacement]): every occurrence, literally.
Value Replace(FnCall& c) {
  Texts t;
  std::string_view s = t(c, 0);
  std::string_view search = t(c, 1);
  std::string_view with = c.n > 2 ? t(c, 2) : std::string_view();
  if (search.empty()) {
    c.out->assign(s);
    return Str(*c.out);
  }
  c.out->clear();
  size_t pos = 0;
  for (size_t hit; (hit = s.find(search, pos)) != std::string_view::npos; pos = hit + search.size()) {
    c.out->append(s.substr(pos, hit - pos));
    c.out->append(with);
  }
  c.out->append(s.substr(pos));
  return Str(*c.out);
}

// The group index of regexp_extract, checked against the pattern.
Status CheckGroup(double group_d, const regex::Regex& re, int64_t* group) {
  if (!ToIndex(group_d, 0, static_cast<int64_t>(re.groups()), group)) {
    std::string shown;
    AppendText(Num(group_d), &shown);
    return Status::InvalidArgument(fmt::format(
        "regexp_extract: the pattern '{}' has {} group(s), so there is no group {}", re.pattern(),
        re.groups(), shown));
  }
  return Status::OK();
}

// regexp_extract(s, regex [, group]): the group of the first match, or ''
// (also when the group took no part in the match), as Spark.
Value RegexpExtract(FnCall& c) {
  Texts t;
  std::string_view s = t(c, 0);
  double group_d = 1;
  if (c.n > 2 && !Number(c, 2, &group_d)) return Value();
  regex::Regex* re = Regex(c, t(c, 1), "regexp_extract");
  if (re == nullptr) return Value();
  bool found;
  Status st = re->Find(s, 0, &found);
  if (!st.ok()) {
    c.ctx->Error(fmt::format("regexp_extract: {}", st.message()));
    return Value();
  }
  if (!found) return Str(std::string_view());
  int64_t group;
  st = CheckGroup(group_d, *re, &group);
  if (!st.ok()) {
    c.ctx->Error(std::string(st.message()));
    return Value();
  }
  size_t b, e;
  if (!re->Group(static_cast<size_t>(group), &b, &e)) return Str(std::string_view());
  c.out->assign(s.substr(b, e - b));
  return Str(*c.out);
}

// prepare: a constant pattern, and a constant group index checked against it.
Status PrepareRegexpExtract(const Constants& k, std::unique_ptr<FnState>* state) {
  std::string pattern;
  if (!ConstantText(k, 1, &pattern)) return Status::OK();
  regex::Regex* re;
  SSTREAM_RETURN_IF_ERROR(RegexesOf(state).Prepare(pattern, "regexp_extract", &re));
  double group_d = 1;
  if (k.size() > 2) {
    if (k[2] == nullptr || k[2]->IsNull() || !ToNumber(*k[2], &group_d)) return Status::OK();
  }
  int64_t group;
  return CheckGroup(group_d, *re, &group);
}

// The call site of regexp_replace: its patterns and its parsed replacement.
struct ReplaceState : RegexState {
  // The replacement below was parsed for this pattern and text (by pattern,
  // not by address: a cached Regex may be evicted and another take its place).
  std::string pattern;
  std::string text;
  bool parsed = false;
  regex::Replacement replacement;
};

Status ParseReplacement(ReplaceState& st, regex::Regex& re, std::string_view text) {
  if (st.parsed && st.pattern == re.pattern() && st.text == text) return Status::OK();
  st.parsed = false;
  Status s = regex::Replacement::Parse(text, re, &st.replacement);
  if (!s.ok()) return Status::InvalidArgument(fmt::format("regexp_replace: {}", s.message()));
  st.parsed = true;
  st.pattern = re.pattern();
  st.text = std::string(text);
  return Status::OK();
}

ReplaceState& ReplaceStateOf(std::unique_ptr<FnState>* state) {
  if (!*state) *state = std::make_unique<ReplaceState>();
  return static_cast<ReplaceState&>(**state);
}

// regexp_replace(s, regex, replacement): every match replaced; $1 or
// ${name} in the replacement is a group, \$ a dollar sign (Java's syntax).
Value RegexpReplace(FnCall& c) {
  Texts t;
  std::string_view s = t(c, 0);
  std::string_view with = t(c, 2);
  ReplaceState& st = ReplaceStateOf(c.state);
  regex::Regex* re = st.cache.Get(t(c, 1), *c.ctx, "regexp_replace");
  if (re == nullptr) return Value();
  Status err = ParseReplacement(st, *re, with);
  c.out->clear();
  size_t pos = 0;
  for (size_t from = 0; err.ok() && from <= s.size();) {
    bool found;
    err = re->Find(s, from, &found);
    if (!err.ok()) {
      err = Status::InvalidArgument(fmt::format("regexp_replace: {}", err.message()));
      break;
    }
    if (!found) break;
    size_t b, e;
    re->Group(0, &b, &e);
    c.out->append(s.substr(pos, b - pos));
    st.replacement.Append(*re, s, c.out);
    pos = e;
    from = e > b ? e : b < s.size() ? b + regex::CodePointLength(s, b) : s.size() + 1;
  }
  if (!err.ok()) {
    c.ctx->Error(std::string(err.message()));
    return Value();
  }
  c.out->append(s.substr(pos));
  return Str(*c.out);
}

// prepare: a constant pattern, and a constant replacement checked against it.
Status PrepareRegexpReplace(const Constants& k, std::unique_ptr<FnState>* state) {
  std::string pattern, with;
  if (!ConstantText(k, 1, &pattern)) return Status::OK();
  ReplaceState& st = ReplaceStateOf(state);
  regex::Regex* re;
  SSTREAM_RETURN_IF_ERROR(st.cache.Prepare(pattern, "regexp_replace", &re));
  if (!ConstantText(k, 2, &with)) return Status::OK();
  return ParseReplacement(st, *re, with);
}

// ---- math ----

template <double (*F)(double)>
Value Unary(FnCall& c) {
  double x;
  if (!Number(c, 0, &x)) return Value();
  double r = F(x);
  if (!std::isfinite(r)) return Value();
  return Num(r);
}
double Abs(double x) { return std::fabs(x); }
double Floor(double x) { return std::floor(x); }
double Ceil(double x) { return std::ceil(x); }
double Sqrt(double x) { return x < 0 ? NAN : std::sqrt(x); }
double Ln(double x) { return x <= 0 ? NAN : std::log(x); }
double Log10(double x) { return x <= 0 ? NAN : std::log10(x); }
double Exp(double x) { return std::exp(x); }

// round(x [, d]): half away from zero (Spark's HALF_UP) on the number's
// shortest decimal text, so round(2.675, 2) is 2.68 as in Spark, although
// the double nearest 2.675 is slightly below it.
Value Round(FnCall& c) {
  double x, d = 0;
  if (!Number(c, 0, &x) || (c.n > 1 && !Number(c, 1, &d))) return Value();
  const int digits = static_cast<int>(SaturatingInt(d, -300, 300));
  // x * 10^digits from x's decimal text (exact for the halves), unless x
  // needs an exponent anyway (then it has no fraction digits to round).
  const std::string text = fmt::format("{}", x);
  double scaled = x * std::pow(10.0, digits);
  if (text.find_first_of("eE") == std::string::npos) {
    scaled = std::strtod(fmt::format("{}e{}", text, digits).c_str(), nullptr);
  }
  const double whole = std::round(scaled);
  double r = digits >= 0 ? whole / std::pow(10.0, digits) : whole * std::pow(10.0, -digits);
  if (!std::isfinite(r)) return Value();
  return Num(r);
}

Value Pow(FnCall& c) {
  double x, y;
  if (!Number(c, 0, &x) || !Number(c, 1, &y)) return Value();
  double r = std::pow(x, y);
  if (!std::isfinite(r)) return Value();
  return Num(r);
}

// greatest/least: nulls are skipped; null only when all are null.
Value Extreme(FnCall& c, int want) {
  const Value* best = nullptr;
  for (size_t i = 0; i < c.n; ++i) {
    if (c.args[i].IsNull()) continue;
    if (best == nullptr) {
      best = &c.args[i];
      continue;
    }
    int cmp = Compare(c.args[i], *best);
    if (cmp == 2) {
      c.ctx->Fail("greatest/least: arguments of different types");
      return Value();
    }
    if (cmp == want) best = &c.args[i];
  }
  return best ? *best : Value();
}
Value Greatest(FnCall& c) { return Extreme(c, 1); }
Value Least(FnCall& c) { return Extreme(c, -1); }

// ---- conditionals ----

Value Coalesce(FnCall& c) {
  for (size_t i = 0; i < c.n; ++i) {
    if (!c.args[i].IsNull()) return c.args[i];
  }
  return Value();
}

Value If(FnCall& c) { return IsTrue(c.args[0]) ? c.args[1] : c.args[2]; }

Value NullIf(FnCall& c) {
  if (c.args[0].IsNull()) return Value();
  return Compare(c.args[0], c.args[1]) == 0 ? Value() : c.args[0];
}

// ---- time ----

// to_timestamp(s [, pattern]): ISO-8601 without a pattern.
Value ToTimestampFn(FnCall& c) {
  int64_t ms;
  if (c.n == 1) {
    if (c.args[0].type == Value::Type::kString || c.args[0].type == Value::Type::kTimestamp ||
        c.args[0].type == Value::Type::kNumber) {
      if (ToTimestamp(c.args[0], &ms)) return Timestamp(ms);
    }
    std::string text;
    AppendText(c.args[0], &text);
    c.ctx->Fail(fmt::format("to_timestamp: '{}' is not a timestamp", text));
    return Value();
  }
  Texts t;
  const TimePattern* p = Pattern(c, t(c, 1), "to_timestamp");
  if (p == nullptr) return Value();
  std::string_view s = t(c, 0);
  if (!p->Parse(s, &ms)) {
    c.ctx->Fail(fmt::format("to_timestamp: '{}' does not match '{}'", s, t(c, 1)));
    return Value();
  }
  return Timestamp(ms);
}

// unix_timestamp([s [, pattern]]): epoch seconds (now, without arguments).
Value UnixTimestamp(FnCall& c) {
  if (c.n == 0) return Num(static_cast<double>(FloorDiv(c.ctx->clock().NowMillis(), 1000)));
  Value ts = c.n == 1 && c.args[0].type == Value::Type::kTimestamp ? c.args[0] : ToTimestampFn(c);
  if (ts.IsNull()) return Value();
  return Num(static_cast<double>(FloorDiv(ts.ms, 1000)));
}

// from_unixtime(seconds [, pattern]): text, "yyyy-MM-dd HH:mm:ss" by default (UTC).
Value FromUnixtime(FnCall& c) {
  double secs;
  if (!Number(c, 0, &secs)) return Value();
  Texts t;
  const TimePattern* p = Pattern(c, c.n > 1 ? t(c, 1) : "yyyy-MM-dd HH:mm:ss", "from_unixtime");
  if (p == nullptr) return Value();
  c.out->clear();
  if (!(std::fabs(secs) <= 9e12)) {
    c.ctx->Fail(fmt::format("from_unixtime: {} seconds is beyond any timestamp", secs));
    return Value();
  }
  p->Format(static_cast<int64_t>(std::floor(secs)) * 1000, c.out);
  return Str(*c.out);
}

// date_format(ts, pattern): text.
Value DateFormat(FnCall& c) {
  int64_t ms;
  if (!ToTimestamp(c.args[0], &ms)) {
    c.ctx->Fail("date_format: the first argument is not a timestamp");
    return Value();
  }
  Texts t;
  const TimePattern* p = Pattern(c, t(c, 1), "date_format");
  if (p == nullptr) return Value();
  c.out->clear();
  p->Format(ms, c.out);
  return Str(*c.out);
}

// date_trunc(unit, ts): unit year, quarter, month, week, day, hour, minute,
// second, millisecond.
Value DateTrunc(FnCall& c) {
  Texts t;
  std::string unit(t(c, 0));
  for (auto& ch : unit) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  int64_t ms;
  if (!ToTimestamp(c.args[1], &ms)) {
    c.ctx->Fail("date_trunc: the second argument is not a timestamp");
    return Value();
  }
  const int64_t day_ms = 86'400'000;
  auto floor_to = [&](int64_t step) { return Timestamp(FloorDiv(ms, step) * step); };
  if (unit == "millisecond" || unit == "milliseconds") return Timestamp(ms);
  if (unit == "second" || unit == "seconds") return floor_to(1000);
  if (unit == "minute" || unit == "minutes") return floor_to(60'000);
  if (unit == "hour" || unit == "hours") return floor_to(3'600'000);
  if (unit == "day" || unit == "dd" || unit == "days") return floor_to(day_ms);
  const int64_t days = FloorDiv(ms, day_ms);
  if (unit == "week" || unit == "weeks") {  // Monday; 1970-01-01 was a Thursday
    return Timestamp((days - FloorMod(days + 3, 7)) * day_ms);
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (unit == "month" || unit == "mon" || unit == "mm" || unit == "months") {
    return Timestamp(DaysFromCivil(y, m, 1) * day_ms);
  }
  if (unit == "quarter" || unit == "quarters") {
    return Timestamp(DaysFromCivil(y, (m - 1) / 3 * 3 + 1, 1) * day_ms);
  }
  if (unit == "year" || unit == "yyyy" || unit == "yy" || unit == "years") {
    return Timestamp(DaysFromCivil(y, 1, 1) * day_ms);
  }
  c.ctx->Fail(fmt::format("date_trunc: unknown unit '{}'", unit));
  return Value();
}

Value CurrentTimestamp(FnCall& c) { return Timestamp(c.ctx->clock().NowMillis()); }
Value CurrentDate(FnCall& c) {
  return Timestamp(FloorDiv(c.ctx->clock().NowMillis(), 86'400'000) * 86'400'000);
}

// ---- JSON ----

Value ToJson(FnCall& c) {
  c.out->clear();
  AppendValueJson(c.out, c.args[0]);
  return Str(*c.out);
}

// from_json(s): the JSON value in the string (null if it is not JSON).
Value FromJson(FnCall& c) {
  Texts t;
  std::string_view s = t(c, 0);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (!IsJsonValue(s)) {
    c.ctx->Fail(fmt::format("from_json: not JSON: {}", s.substr(0, 60)));
    return Value();
  }
  c.out->assign(s);
  return ValueFromRaw(*c.out, &StateOf<std::string>(c).value);
}

// size(array or object): its length; -1 for null, as Spark's default.
Value Size(FnCall& c) {
  if (c.args[0].IsNull()) return Num(-1);
  if (c.args[0].type != Value::Type::kJson) {
    c.ctx->Fail(fmt::format("size: needs an array or object, not a {}", TypeName(c.args[0].type)));
    return Value();
  }
  return Num(static_cast<double>(JsonSize(c.args[0].str)));
}

// ---- hashing ----

// hash(a, ...): Spark's Murmur3 (x86, 32-bit, seed 42) over the values.
Value Hash(FnCall& c) {
  uint32_t h = 42;
  std::string text;
  for (size_t i = 0; i < c.n; ++i) {
    const Value& v = c.args[i];
    switch (v.type) {
      case Value::Type::kNull: break;
      case Value::Type::kBool: h = Murmur3Int(v.b ? 1 : 0, h); break;
      case Value::Type::kNumber:
        if (v.num == std::trunc(v.num) && std::fabs(v.num) < 9.2e18) {
          h = Murmur3Long(static_cast<int64_t>(v.num), h);  // JSON integers are longs
        } else {
          int64_t bits;
          const double x = v.num == 0 ? 0.0 : v.num;
          std::memcpy(&bits, &x, 8);
          h = Murmur3Long(bits, h);
        }
        break;
      case Value::Type::kTimestamp: {
        int64_t micros;  // Spark hashes timestamps as microseconds
        h = Murmur3Long(__builtin_mul_overflow(v.ms, 1000, &micros) ? v.ms : micros, h);
        break;
      }
      default:
        text.clear();
        AppendText(v, &text);
        h = Murmur3Bytes(text, h);
    }
  }
  return Num(static_cast<double>(static_cast<int32_t>(h)));
}

Value Md5(FnCall& c) {
  Texts t;
  c.out->assign(Md5Hex(t(c, 0)));
  return Str(*c.out);
}

// sha2(s, bits): bits 224, 256 (or 0), 384 or 512; other lengths give null.
Value Sha2(FnCall& c) {
  double bits_d;
  if (!Number(c, 1, &bits_d)) return Value();
  const int bits = static_cast<int>(SaturatingInt(bits_d, -1, 1024));
  Texts t;
  std::string hex;
  if (!Sha2Hex(t(c, 0), bits == 0 ? 256 : bits, &hex)) return Value();
  c.out->assign(hex);
  return Str(*c.out);
}

constexpr FunctionDef kFunctions[] = {
    // strings
    {"lower", 1, 1, true, MapChars<AsciiLower>},
    {"upper", 1, 1, true, MapChars<AsciiUpper>},
    {"length", 1, 1, true, Length},
    {"substr", 2, 3, true, Substr},
    {"substring", 2, 3, true, Substr},
    {"concat", 1, -1, true, Concat},
    {"concat_ws", 1, -1, false, ConcatWs},
    {"trim", 1, 1, true, Trim},
    {"ltrim", 1, 1, true, Ltrim},
    {"rtrim", 1, 1, true, Rtrim},
    {"split", 2, 3, true, Split, PrepareSplit},
    {"replace", 2, 3, true, Replace},
    {"regexp_extract", 2, 3, true, RegexpExtract, PrepareRegexpExtract},
    {"regexp_replace", 3, 3, true, RegexpReplace, PrepareRegexpReplace},
    // math
    {"abs", 1, 1, true, Unary<Abs>},
    {"round", 1, 2, true, Round},
    {"floor", 1, 1, true, Unary<Floor>},
    {"ceil", 1, 1, true, Unary<Ceil>},
    {"ceiling", 1, 1, true, Unary<Ceil>},
    {"pow", 2, 2, true, Pow},
    {"power", 2, 2, true, Pow},
    {"sqrt", 1, 1, true, Unary<Sqrt>},
    {"ln", 1, 1, true, Unary<Ln>},
    {"log10", 1, 1, true, Unary<Log10>},
    {"exp", 1, 1, true, Unary<Exp>},
    {"greatest", 1, -1, false, Greatest},
    {"least", 1, -1, false, Least},
    // conditionals
    {"coalesce", 1, -1, false, Coalesce},
    {"if", 3, 3, false, If},
    {"nvl", 2, 2, false, Coalesce},
    {"ifnull", 2, 2, false, Coalesce},
    {"nullif", 2, 2, false, NullIf},
    // time
    {"to_timestamp", 1, 2, true, ToTimestampFn, PrepareToTimestamp},
    {"unix_timestamp", 0, 2, true, UnixTimestamp, PrepareUnixTimestamp},
    {"from_unixtime", 1, 2, true, FromUnixtime, PrepareFromUnixtime},
    {"date_format", 2, 2, true, DateFormat, PrepareDateFormat},
    {"date_trunc", 2, 2, true, DateTrunc},
    {"current_timestamp", 0, 0, false, CurrentTimestamp},
    {"now", 0, 0, false, CurrentTimestamp},
    {"current_date", 0, 0, false, CurrentDate},
    // JSON
    {"to_json", 1, 1, true, ToJson},
    {"from_json", 1, 1, true, FromJson},
    {"size", 1, 1, false, Size},
    {"cardinality", 1, 1, false, Size},
    // hashing
    {"hash", 1, -1, false, Hash},
    {"md5", 1, 1, true, Md5},
    {"sha2", 2, 2, true, Sha2},
};

}  // namespace

RegexCache::RegexCache() = default;
RegexCache::~RegexCache() = default;

Status RegexCache::Prepare(std::string_view pattern, const char* fn, regex::Regex** out,
                           bool constant) {
  for (auto& e : entries_) {
    if (e->pattern() == pattern) {
      if (out != nullptr) *out = e.get();
      return Status::OK();
    }
  }
  std::unique_ptr<regex::Regex> re;
  Status s = regex::Regex::Compile(pattern, &re, constant);
  if (!s.ok()) {
    return Status::InvalidArgument(
        fmt::format("{}: bad regular expression pattern '{}': {}", fn, pattern, s.message()));
  }
  // A few patterns per call site: a column of patterns cycles through them.
  constexpr size_t kEntries = 16;
  if (out != nullptr) *out = re.get();
  if (entries_.size() < kEntries) {
    entries_.push_back(std::move(re));
  } else {
    entries_[next_] = std::move(re);
    next_ = (next_ + 1) % kEntries;
  }
  return Status::OK();
}

regex::Regex* RegexCache::Get(std::string_view pattern, EvalContext& ctx, const char* fn) {
  if (!entries_.empty() && entries_.front()->pattern() == pattern) return entries_.front().get();
  regex::Regex* re = nullptr;
  Status s = Prepare(pattern, fn, &re, /*constant=*/false);
  if (!s.ok()) {
    ctx.Error(std::string(s.message()));
    return nullptr;
  }
  return re;
}

bool ToIndex(double x, int64_t lo, int64_t hi, int64_t* out) {
  // False for NaN too; the bounds are exact in a double (|bound| < 2^53).
  if (!(x > static_cast<double>(lo) - 1.0 && x < static_cast<double>(hi) + 1.0)) return false;
  *out = static_cast<int64_t>(std::trunc(x));
  return true;
}

int64_t SaturatingInt(double x, int64_t lo, int64_t hi) {
  if (std::isnan(x)) return 0;
  if (!(x > static_cast<double>(lo))) return lo;
  if (!(x < static_cast<double>(hi))) return hi;
  return static_cast<int64_t>(std::trunc(x));
}

const FunctionDef* FindFunction(std::string_view name) {
  for (const auto& f : kFunctions) {
    if (name.size() != std::strlen(f.name)) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(name[i])) == f.name[i];
    }
    if (same) return &f;
  }
  return nullptr;
}

std::vector<std::string> FunctionNames() {
  std::vector<std::string> names;
  for (const auto& f : kFunctions) names.emplace_back(f.name);
  return names;
}

}  // namespace sstream::expr
