#include <simdjson.h>

#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

#include "common/bytes.h"
#include "sstream/record.h"

namespace sstream {

namespace od = simdjson::ondemand;

namespace {

constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;

Status JsonError(simdjson::error_code e) {
  switch (e) {
    case simdjson::UTF8_ERROR: return Status::InvalidArgument("invalid UTF-8");
    case simdjson::EMPTY: return Status::InvalidArgument("empty record");
    default:
      return Status::InvalidArgument(fmt::format("invalid JSON: {}", simdjson::error_message(e)));
  }
}

// Raw keys can be compared without unescaping only when they need no escaping.
bool PlainName(std::string_view s) {
  for (unsigned char c : s) {
    if (c == '"' || c == '\\' || c < 0x20) return false;
  }
  return true;
}

// The raw JSON text of a value: whole objects/arrays, or the scalar token.
simdjson::error_code RawValue(od::value v, std::string_view* raw) {
  od::json_type t;
  auto err = v.type().get(t);
  if (err) return err;
  if (t == od::json_type::object) {
    od::object o;
    if ((err = v.get_object().get(o))) return err;
    return o.raw_json().get(*raw);
  }
  if (t == od::json_type::array) {
    od::array a;
    if ((err = v.get_array().get(a))) return err;
    return a.raw_json().get(*raw);
  }
  *raw = v.raw_json_token();
  return simdjson::SUCCESS;
}

}  // namespace

namespace {

// Raw JSON copied with simdjson's padding, parsed On-Demand.
bool IterateCopy(std::string_view raw, std::string* padded, simdjson::ondemand::parser* parser,
                 simdjson::ondemand::document* doc) {
  padded->assign(raw);
  padded->append(simdjson::SIMDJSON_PADDING, '\0');
  return parser->iterate(padded->data(), raw.size(), padded->size()).get(*doc) ==
         simdjson::SUCCESS;
}

std::string_view TrimJson(std::string_view v) {
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\n' ||
                        v.back() == '\r')) {
    v.remove_suffix(1);
  }
  return v;
}

simdjson::ondemand::parser& SharedParser() {
  static thread_local simdjson::ondemand::parser parser;
  return parser;
}

}  // namespace

std::string_view JsonElementAt(std::string_view raw, size_t i, std::string* padded) {
  namespace od = simdjson::ondemand;
  od::document doc;
  od::array arr;
  if (raw.empty() || raw[0] != '[' || !IterateCopy(raw, padded, &SharedParser(), &doc) ||
      doc.get_array().get(arr)) {
    return {};
  }
  size_t k = 0;
  for (auto element : arr) {
    od::value v;
    if (std::move(element).get(v)) return {};
    if (k++ < i) continue;
    std::string_view out;
    if (RawValue(v, &out)) return {};
    return TrimJson(out);
  }
  return {};
}

bool JsonArrayElements(std::string_view raw, std::string* padded,
                       std::vector<std::string_view>* out) {
  namespace od = simdjson::ondemand;
  out->clear();
  od::document doc;
  od::array arr;
  if (raw.empty() || raw[0] != '[' || !IterateCopy(raw, padded, &SharedParser(), &doc) ||
      doc.get_array().get(arr)) {
    return false;
  }
  for (auto element : arr) {
    od::value v;
    std::string_view text;
    if (std::move(element).get(v) || RawValue(v, &text)) return false;
    out->push_back(TrimJson(text));
  }
  return true;
}

namespace {

// The raw value of member `name` of the object in `doc` (trimmed), or empty.
std::string_view MemberOf(simdjson::ondemand::document& doc, std::string_view name) {
  namespace od = simdjson::ondemand;
  od::object obj;
  if (doc.get_object().get(obj)) return {};
  for (auto field_result : obj) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return {};
    if (key != name) continue;
    std::string_view out;
    if (RawValue(field.value(), &out)) return {};
    return TrimJson(out);
  }
  return {};
}

}  // namespace

std::string_view JsonMemberOf(std::string_view raw, std::string_view name, std::string* padded) {
  simdjson::ondemand::document doc;
  if (raw.empty() || raw[0] != '{' || !IterateCopy(raw, padded, &SharedParser(), &doc)) return {};
  return MemberOf(doc, name);
}

int64_t JsonSize(std::string_view raw) {
  if (raw.empty() || (raw[0] != '[' && raw[0] != '{')) return -1;
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(raw.data(), raw.size()).get(e)) return -1;
  if (e.is_array()) return static_cast<int64_t>(simdjson::dom::array(e).size());
  return static_cast<int64_t>(simdjson::dom::object(e).size());
}

bool IsJsonValue(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  return parser.parse(text.data(), text.size()).get(e) == simdjson::SUCCESS;
}

// Length of the key text starting at `p` (up to its closing quote, escapes
// kept), sixteen bytes at a time: the record is padded, so reading past the
// quote is safe. *escaped tells whether it holds a backslash.
inline size_t KeyLength(const char* p, bool* escaped) {
  for (size_t off = 0;; off += 16) {
#if defined(__SSE2__)
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + off));
    const auto quotes = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"'))));
    const auto slashes =
        static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
#else
    uint32_t quotes = 0, slashes = 0;
    for (int k = 0; k < 16; ++k) {
      quotes |= static_cast<uint32_t>(p[off + k] == '"') << k;
      slashes |= static_cast<uint32_t>(p[off + k] == '\\') << k;
    }
#endif
    const uint32_t before_quote = quotes ? (quotes & -quotes) - 1 : 0xffffu;
    if ((slashes & before_quote) == 0) {
      if (quotes) return off + static_cast<size_t>(__builtin_ctz(quotes));
      continue;
    }
    // A backslash: walk the rest of the key byte by byte.
    *escaped = true;
    size_t i = off + static_cast<size_t>(__builtin_ctz(slashes));
    while (p[i] != '"') i += p[i] == '\\' ? 2 : 1;
    return i;
  }
}

// A record that is not an object: says whether it is other JSON or no JSON.
static Status NotAnObject(od::document& doc, od::json_type type);

struct RecordScanner::Impl {
  od::parser parser;
  od::parser nested_parser;
  std::vector<char> plain;  // per top_ name: needs no escaping
  std::string key_scratch;
};

RecordScanner::RecordScanner(std::vector<std::string> paths) : impl_(std::make_unique<Impl>()) {
  for (const auto& p : paths) {
    std::vector<std::string> segs;
    if (!ParseFieldPath(p, &segs).ok()) segs = {p};
    size_t t = 0;
    while (t < top_.size() && top_[t] != segs[0]) ++t;
    if (t == top_.size()) top_.push_back(segs[0]);
    top_of_path_.push_back(t);
    nested_ = nested_ || segs.size() > 1;
    paths_.push_back(std::move(segs));
  }
  for (const auto& t : top_) {
    impl_->plain.push_back(PlainName(t));
    top_lengths_ |= t.size() < 64 ? uint64_t{1} << t.size() : 0;
  }
  top_values_.resize(top_.size());
  values_.resize(paths_.size());
}

RecordScanner::~RecordScanner() = default;

Status RecordScanner::ScanCopy(std::string_view json) {
  copy_.assign(json);
  copy_.append(kPadding, '\0');
  return Scan(std::string_view(copy_.data(), json.size()));
}

Status RecordScanner::Scan(std::string_view json) {
  for (auto& v : top_values_) v = {};
  fields_.clear();
  od::document doc;
  auto err = impl_->parser.iterate(json.data(), json.size(), json.size() + kPadding).get(doc);
  if (err) return JsonError(err);
  od::json_type type;
  if ((err = doc.type().get(type))) return JsonError(err);
  if (type != od::json_type::object) return NotAnObject(doc, type);  // as the source says it
  od::object obj;
  if ((err = doc.get_object().get(obj))) return JsonError(err);
  size_t found = 0;
  for (auto field_result : obj) {
    od::field field;
    if ((err = std::move(field_result).get(field))) return JsonError(err);
    // Every wanted field in hand: the rest is still walked, for its errors.
    if (found == top_.size() && !collect_all_) continue;
    std::string_view raw;
    // Key text without quotes, as written (escapes kept): its length rules
    // out most wanted names before any byte is compared.
    const char* kb = reinterpret_cast<const char*>(field.key().raw());
    bool escaped = false;
    const std::string_view key(kb, KeyLength(kb, &escaped));
    size_t match = top_.size();
    if (!escaped) {
      if (MaybeTop(key.size())) match = FindTop(key, /*raw=*/true);
    } else {
      std::string_view k;
      if ((err = field.unescaped_key().get(k))) return JsonError(err);
      match = FindTop(k, /*raw=*/false);
    }
    if (collect_all_) {
      if ((err = RawValue(field.value(), &raw))) return JsonError(err);
      fields_.emplace_back(key, raw);
    } else if (match < top_.size()) {
      if ((err = RawValue(field.value(), &raw))) return JsonError(err);
    } else {
      continue;  // the iterator skips the value
    }
    if (match < top_.size()) {
      // raw_json() keeps trailing whitespace; values are compared and copied trimmed.
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' ||
                              raw.back() == '\r')) {
        raw.remove_suffix(1);
      }
      top_values_[match] = raw;
      ++found;
    }
  }
  const char* trailing;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    return Status::InvalidArgument("invalid JSON: text after the object");
  }
  for (auto& f : fields_) {
    while (!f.second.empty() && (f.second.back() == ' ' || f.second.back() == '\t' ||
                                 f.second.back() == '\n' || f.second.back() == '\r')) {
      f.second.remove_suffix(1);
    }
  }
  ResolvePaths();
  return Status::OK();
}

Status RecordScanner::Scan(const Frame& f) {
  if (f.field_index.empty()) return Scan(f.json);
  // The upstream stage listed the fields: no parsing at all.
  for (auto& v : top_values_) v = {};
  fields_.clear();
  const size_t n = f.field_count();
  size_t found = 0;
  for (size_t i = 0; i < n && (found < top_.size() || collect_all_); ++i) {
    FieldSpan s = f.field(i);
    std::string_view key = f.json.substr(s.key_off, s.key_len);
    std::string_view val = f.json.substr(s.val_off, s.val_len);
    if (collect_all_) fields_.emplace_back(key, val);
    // Compare names unescaped; a key with escapes is unescaped once, from the
    // quotes around it in the record text (only if the raw key matched none).
    if (MaybeTop(key.size()) && MatchTop(key, val, /*raw=*/true)) {
      ++found;
      continue;
    }
    std::string_view name;
    if (key.find('\\') != std::string_view::npos &&
        StringContent(std::string_view(key.data() - 1, key.size() + 2), &impl_->key_scratch,
                      &name)
            .ok() &&
        MatchTop(name, val, /*raw=*/false)) {
      ++found;
    }
  }
  ResolvePaths();
  return Status::OK();
}

std::string_view RecordScanner::FindMember(std::string_view object, const std::string& name) {
  od::document doc;
  if (impl_->nested_parser.iterate(object.data(), object.size(), object.size() + kPadding)
          .get(doc)) {
    return {};
  }
  return MemberOf(doc, name);
}

size_t RecordScanner::FindTop(std::string_view name, bool raw) const {
  const size_t n = top_.size();
  if (!MaybeTop(name.size())) return n;
  for (size_t t = 0; t < n; ++t) {
    // Length first: it rules out most names of a record without a byte read.
    if (top_[t].size() != name.size() || !top_values_[t].empty()) continue;
    if ((!raw || impl_->plain[t]) && EqualBytes(name, top_[t])) return t;
  }
  return n;
}

bool RecordScanner::MatchTop(std::string_view name, std::string_view value, bool raw) {
  const size_t t = FindTop(name, raw);
  if (t == top_.size()) return false;
  top_values_[t] = value;
  return true;
}

void RecordScanner::ResolvePaths() {
  if (!nested_) {
    for (size_t i = 0; i < paths_.size(); ++i) values_[i] = top_values_[top_of_path_[i]];
    return;
  }
  for (size_t i = 0; i < paths_.size(); ++i) {
    std::string_view v = top_values_[top_of_path_[i]];
    if (paths_[i].size() > 1 && !v.empty()) {
      // Nested path: walk into the raw sub-object. It lies inside the padded
      // record, so it is iterated in place and the value found is a view of
      // the record too.
      for (size_t s = 1; s < paths_[i].size() && !v.empty(); ++s) {
        v = v[0] == '{' ? FindMember(v, paths_[i][s]) : std::string_view();
      }
    }
    values_[i] = v;
  }
}

namespace {

// JSON's number grammar (RFC 8259 section 6), whatever the magnitude.
bool IsJsonNumber(std::string_view t) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

// Checks every value in full: strings and their escapes, numbers, literals,
// nesting. (On-Demand alone only checks what is read.)
simdjson::error_code ValidateValue(od::value v) {
  od::json_type t;
  auto err = v.type().get(t);
  if (err) return err;
  switch (t) {
    case od::json_type::object: {
      od::object o;
      if ((err = v.get_object().get(o))) return err;
      for (auto fr : o) {
        od::field f;
        if ((err = std::move(fr).get(f))) return err;
        std::string_view k;
        if ((err = f.unescaped_key().get(k))) return err;
        if ((err = ValidateValue(f.value()))) return err;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array a;
      if ((err = v.get_array().get(a))) return err;
      for (auto er : a) {
        od::value e;
        if ((err = std::move(er).get(e))) return err;
        if ((err = ValidateValue(e))) return err;
      }
      return simdjson::SUCCESS;
    }
    // A scalar that starts like its type but is malformed ("tru", "1e") is
    // reported by kind rather than as a type mismatch.
    case od::json_type::string: {
      std::string_view s;
      return v.get_string().get(s) ? simdjson::STRING_ERROR : simdjson::SUCCESS;
    }
    case od::json_type::number: {
      // The grammar is checked, not the range: an integer beyond 64 bits or
      // 1e400 is valid JSON and passes through as written, as every stage
      // passes it (Spark reads them as decimal or double, not as errors).
      return IsJsonNumber(TrimJson(v.raw_json_token())) ? simdjson::SUCCESS
                                                        : simdjson::NUMBER_ERROR;
    }
    case od::json_type::boolean: {
      bool b;
      return v.get_bool().get(b) ? simdjson::T_ATOM_ERROR : simdjson::SUCCESS;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (v.is_null().get(is_null) || !is_null) return simdjson::N_ATOM_ERROR;
      return simdjson::SUCCESS;
    }
  }
  return simdjson::TAPE_ERROR;
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// End (exclusive) of the value that precedes the key whose opening quote is at
// `key_quote`: back over blanks, the comma, blanks.
size_t EndBeforeKey(std::string_view json, size_t key_quote) {
  size_t e = key_quote;
  while (e > 0 && IsJsonSpace(json[e - 1])) --e;
  if (e > 0 && json[e - 1] == ',') --e;
  while (e > 0 && IsJsonSpace(json[e - 1])) --e;
  return e;
}

}  // namespace

static Status NotAnObject(od::document& doc, od::json_type type) {
  simdjson::error_code err = simdjson::SUCCESS;
  switch (type) {
    case od::json_type::array: {
      od::array a;
      err = doc.get_array().get(a);
      if (err) break;
      for (auto er : a) {
        od::value e;
        err = std::move(er).get(e);
        if (!err) err = ValidateValue(e);
        if (err) break;
      }
      break;
    }
    case od::json_type::string: {
      std::string_view s;
      err = doc.get_string().get(s);
      break;
    }
    case od::json_type::number: {
      od::number n;
      err = doc.get_number().get(n);
      break;
    }
    case od::json_type::boolean: {
      bool b;
      err = doc.get_bool().get(b);
      break;
    }
    case od::json_type::null: {
      bool is_null = false;
      err = doc.is_null().get(is_null);
      if (!err && !is_null) err = simdjson::N_ATOM_ERROR;
      break;
    }
    default: err = simdjson::TAPE_ERROR;
  }
  if (err) return Status::InvalidArgument(
      fmt::format("invalid JSON: {}", simdjson::error_message(err)));
  return Status::InvalidArgument("record is not a JSON object");
}

struct JsonValidator::Impl {
  od::parser parser;
};

JsonValidator::JsonValidator() : impl_(std::make_unique<Impl>()) {}
JsonValidator::~JsonValidator() = default;

Status JsonValidator::ValidateObject(std::string_view json, FieldIndexBuilder* index) {
  if (index) index->Clear();
  od::document doc;
  // The caller guarantees padding after `json` (Frame::json views are padded).
  auto err = impl_->parser.iterate(json.data(), json.size(), json.size() + kPadding).get(doc);
  if (err) return JsonError(err);
  od::json_type type;
  if ((err = doc.type().get(type))) return JsonError(err);
  if (type != od::json_type::object) return NotAnObject(doc, type);
  od::object obj;
  if ((err = doc.get_object().get(obj))) return JsonError(err);
  const char* base = json.data();
  size_t pending_key = 0, pending_key_len = 0, pending_val = 0;
  bool pending = false;
  for (auto fr : obj) {
    od::field f;
    if ((err = std::move(fr).get(f))) return JsonError(err);
    const char* kraw = reinterpret_cast<const char*>(f.key().raw());
    size_t key_off = static_cast<size_t>(kraw - base);
    std::string_view k;
    if ((err = f.unescaped_key().get(k))) return JsonError(err);
    od::value v = f.value();
    size_t val_off = static_cast<size_t>(v.raw_json_token().data() - base);
    if ((err = ValidateValue(v))) return JsonError(err);
    if (index) {
      if (pending) {
        index->Add(pending_key, pending_key_len, pending_val,
                   EndBeforeKey(json, key_off - 1) - pending_val);
      }
      // Unescaped and raw lengths agree unless the key has escapes.
      size_t key_len = k.size();
      if (key_off + key_len >= json.size() || json[key_off + key_len] != '"' ||
          std::memcmp(json.data() + key_off, k.data(), key_len) != 0) {
        size_t key_end = key_off;
        while (json[key_end] != '"') key_end += json[key_end] == '\\' ? 2 : 1;
        key_len = key_end - key_off;
      }
      pending_key = key_off;
      pending_key_len = key_len;
      pending_val = val_off;
      pending = true;
    }
  }
  const char* trailing;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    return Status::InvalidArgument("invalid JSON: text after the object");
  }
  if (index && pending) {
    // The last value ends before the closing brace.
    size_t close = json.size();
    while (close > 0 && IsJsonSpace(json[close - 1])) --close;
    size_t e = close - 1;  // the '}'
    while (e > 0 && IsJsonSpace(json[e - 1])) --e;
    index->Add(pending_key, pending_key_len, pending_val, e - pending_val);
  }
  return Status::OK();
}

}  // namespace sstream
