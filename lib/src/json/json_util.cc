#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "common/bytes.h"
#include "json/json_internal.h"
#include "sstream/frame.h"
#include "sstream/record.h"

namespace sstream {

JsonKind KindOfRaw(std::string_view raw) {
  if (raw.empty()) return JsonKind::kMissing;
  switch (raw[0]) {
    case '"': return JsonKind::kString;
    case '{': return JsonKind::kObject;
    case '[': return JsonKind::kArray;
    case 't':
    case 'f': return JsonKind::kBool;
    case 'n': return JsonKind::kNull;
    default: return JsonKind::kNumber;
  }
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Status StringContent(std::string_view raw, std::string* scratch, std::string_view* out) {
  if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') {
    return Status::InvalidArgument("not a JSON string");
  }
  std::string_view body = raw.substr(1, raw.size() - 2);
  if (body.find('\\') == std::string_view::npos) {
    *out = body;
    return Status::OK();
  }
  scratch->clear();
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\') {
      scratch->push_back(c);
      continue;
    }
    if (++i >= body.size()) return Status::InvalidArgument("bad escape in JSON string");
    switch (body[i]) {
      case '"': scratch->push_back('"'); break;
      case '\\': scratch->push_back('\\'); break;
      case '/': scratch->push_back('/'); break;
      case 'b': scratch->push_back('\b'); break;
      case 'f': scratch->push_back('\f'); break;
      case 'n': scratch->push_back('\n'); break;
      case 'r': scratch->push_back('\r'); break;
      case 't': scratch->push_back('\t'); break;
      case 'u': {
        auto hex4 = [&](size_t at, uint32_t* v) {
          if (at + 4 > body.size()) return false;
          uint32_t r = 0;
          for (size_t k = at; k < at + 4; ++k) {
            int h = HexValue(body[k]);
            if (h < 0) return false;
            r = r * 16 + static_cast<uint32_t>(h);
          }
          *v = r;
          return true;
        };
        uint32_t cp;
        if (!hex4(i + 1, &cp)) return Status::InvalidArgument("bad \\u escape in JSON string");
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 2 < body.size() && body[i + 1] == '\\' &&
            body[i + 2] == 'u') {
          uint32_t lo;
          if (hex4(i + 3, &lo) && lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        // An unpaired surrogate has no UTF-8 form; encoding it anyway would
        // put invalid UTF-8 into the output.
        if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
        AppendUtf8(scratch, cp);
        break;
      }
      default: return Status::InvalidArgument("bad escape in JSON string");
    }
  }
  *out = *scratch;
  return Status::OK();
}

bool RawToDouble(std::string_view raw, double* out) {
  if (raw.size() >= 2 && raw.front() == '"') raw = raw.substr(1, raw.size() - 2);
  if (raw.empty()) return false;
  const char* b = raw.data();
  const char* e = b + raw.size();
  if (*b == '+') ++b;
  auto r = std::from_chars(b, e, *out);
  return r.ec == std::errc() && r.ptr == e;
}

bool RawToInt64(std::string_view raw, int64_t* out) {
  if (raw.size() >= 2 && raw.front() == '"') raw = raw.substr(1, raw.size() - 2);
  if (raw.empty()) return false;
  // Up to 18 digits cannot overflow: eight digits at a time, then four,
  // then one by one; several times faster than from_chars on the event times and counts
  // that every record carries.
  if (raw.size() <= 18 && raw[0] != '-') {
    const char* p = raw.data();
    size_t n = raw.size();
    int64_t v = 0;
    for (; n >= 8; p += 8, n -= 8) {
      uint64_t chunk;
      std::memcpy(&chunk, p, 8);
      // All eight bytes '0'..'9': high nibbles 3, and adding 6 keeps them 3.
      if ((chunk & 0xf0f0f0f0f0f0f0f0ull) != 0x3030303030303030ull ||
          ((chunk + 0x0606060606060606ull) & 0xf0f0f0f0f0f0f0f0ull) != 0x3030303030303030ull) {
        return false;
      }
      chunk -= 0x3030303030303030ull;
      chunk = (chunk * 10) + (chunk >> 8);  // pairs of digits
      chunk = (((chunk & 0x000000ff000000ffull) * (100 + (1000000ull << 32))) +
               (((chunk >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32)))) >>
              32;
      v = v * 100000000 + static_cast<int64_t>(chunk);
    }
    if (n >= 4) {
      uint32_t chunk;
      std::memcpy(&chunk, p, 4);
      if ((chunk & 0xf0f0f0f0u) != 0x30303030u ||
          ((chunk + 0x06060606u) & 0xf0f0f0f0u) != 0x30303030u) {
        return false;
      }
      chunk -= 0x30303030u;
      chunk = (chunk * 10) + (chunk >> 8);  // bytes 0 and 2: two digits each
      v = v * 10000 + static_cast<int64_t>((chunk & 0xff) * 100 + ((chunk >> 16) & 0xff));
      p += 4;
      n -= 4;
    }
    for (; n > 0; ++p, --n) {
      const unsigned d = static_cast<unsigned char>(*p) - '0';
      if (d > 9) return false;
      v = v * 10 + d;
    }
    *out = v;
    return true;
  }
  auto r = std::from_chars(raw.data(), raw.data() + raw.size(), *out);
  return r.ec == std::errc() && r.ptr == raw.data() + raw.size();
}

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default: fmt::format_to(std::back_inserter(*out), "\\u{:04x}", c);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

void AppendJsonNumber(std::string* out, double v) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  if (v == std::floor(v) && std::fabs(v) < 9.0e15) {
    AppendInt(out, static_cast<int64_t>(v));
    return;
  }
  fmt::format_to(std::back_inserter(*out), "{}", v);  // shortest round-trip form
}

bool IsValidUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

void AppendJsonStringLossy(std::string* out, std::string_view s) {
  if (IsValidUtf8(s)) return AppendJsonString(out, s);
  std::string clean;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n > 0 && i + n <= s.size() && IsValidUtf8(s.substr(i, n))) {
      clean.append(s.substr(i, n));
      i += n;
    } else {
      clean.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  AppendJsonString(out, clean);
}

Status ParseFieldPath(std::string_view text, std::vector<std::string>* segments) {
  segments->clear();
  std::string cur;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '`') {
        if (i + 1 < text.size() && text[i + 1] == '`') {
          cur.push_back('`');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur.push_back(c);
      }
    } else if (c == '`') {
      quoted = true;
      any = true;
    } else if (c == '.') {
      if (cur.empty() && !any) break;
      segments->push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur.push_back(c);
      any = true;
    }
  }
  if (quoted) return Status::InvalidArgument(fmt::format("unterminated ` in field '{}'", text));
  if (cur.empty() && !any) {
    return Status::InvalidArgument(fmt::format("empty field name in '{}'", text));
  }
  segments->push_back(cur);
  return Status::OK();
}

Status EventTimeFromRaw(std::string_view raw, TimeFormat fmt, int64_t* ms, TimeFormat* used) {
  switch (KindOfRaw(raw)) {
    case JsonKind::kMissing: return Status::InvalidArgument("event-time field is missing");
    case JsonKind::kNull: return Status::InvalidArgument("event-time field is null");
    case JsonKind::kNumber: {
      int64_t i;
      if (RawToInt64(raw, &i)) return EpochToMillis(i, fmt, ms, used);
      double d;
      if (RawToDouble(raw, &d)) return EpochToMillis(d, fmt, ms, used);
      return Status::InvalidArgument(fmt::format("event time {} is not a number", raw));
    }
    case JsonKind::kString: {
      std::string scratch;
      std::string_view text;
      SSTREAM_RETURN_IF_ERROR(StringContent(raw, &scratch, &text));
      return ParseTimeText(text, fmt, ms, used);
    }
    default:
      return Status::InvalidArgument(
          fmt::format("event-time field is {}, not a number or string", raw.substr(0, 40)));
  }
}

void AppendInt(std::string* out, int64_t v) {
  const fmt::format_int digits(v);
  out->append(digits.data(), digits.size());
}

void AppendTime(std::string* out, int64_t ms, TimeFormat fmt) {
  switch (fmt) {
    case TimeFormat::kSeconds:
      if (ms % 1000 == 0) {
        AppendInt(out, ms / 1000);
      } else {
        AppendJsonNumber(out, static_cast<double>(ms) / 1000.0);
      }
      break;
    // Appending zeros instead of multiplying: no overflow for any ms.
    case TimeFormat::kMicros:
    case TimeFormat::kNanos:
      AppendInt(out, ms);
      if (ms != 0) out->append(fmt == TimeFormat::kMicros ? "000" : "000000");
      break;
    case TimeFormat::kIso:
      out->push_back('"');
      out->append(FormatIso(ms));
      out->push_back('"');
      break;
    default: AppendInt(out, ms); break;
  }
}

namespace json_internal {

Status ParseControlLine(std::string_view line, ControlLine* out, std::string* payload) {
  simdjson::padded_string copy(line);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  auto err = parser.parse(copy).get(doc);
  if (err) {
    return Status::InvalidArgument(
        fmt::format("malformed control line: {}", simdjson::error_message(err)));
  }
  std::string_view kind;
  if (doc["@sstream"].get_string().get(kind)) {
    return Status::InvalidArgument("control line: \"@sstream\" must be a string");
  }
  out->kind = std::string(kind);
  if (kind == "tick" || kind == "watermark") {
    const char* key = kind == "tick" ? "epoch" : "ms";
    int64_t n;
    if (doc[key].get_int64().get(n)) {
      return Status::InvalidArgument(
          fmt::format("control line: {} needs an integer \"{}\"", kind, key));
    }
    if (kind == "tick" && n < 0) return Status::InvalidArgument("control line: negative epoch");
    out->number = n;
    out->flags = 0;
    bool last = false;
    auto last_field = doc["last"];
    if (kind == "tick" && last_field.error() != simdjson::NO_SUCH_FIELD) {
      if (last_field.get_bool().get(last)) {
        return Status::InvalidArgument("control line: tick \"last\" must be true or false");
      }
      if (last) out->flags = kTickLastOfRun;
    }
  } else if (kind == "stream") {
    for (auto [key, field] : {std::pair{"operator", &out->op}, std::pair{"mode", &out->mode}}) {
      std::string_view v;
      auto member = doc[key];
      if (member.error() == simdjson::NO_SUCH_FIELD) {
        field->clear();
        continue;
      }
      if (member.get_string().get(v)) {
        return Status::InvalidArgument(
            fmt::format("control line: stream \"{}\" must be a string", key));
      }
      field->assign(v);
    }
  } else if (kind == "frame") {
    int64_t type;
    std::string_view hex;
    if (doc["type"].get_int64().get(type) || type < 0 || type > 255 ||
        doc["hex"].get_string().get(hex) || hex.size() % 2 != 0) {
      return Status::InvalidArgument("control line: frame needs \"type\" 0-255 and even \"hex\"");
    }
    out->type_code = static_cast<uint8_t>(type);
    int64_t flags = 0;
    auto flags_field = doc["flags"];
    if (flags_field.error() != simdjson::NO_SUCH_FIELD &&
        (flags_field.get_int64().get(flags) || flags < 0 || flags > 255)) {
      return Status::InvalidArgument("control line: frame \"flags\" must be 0-255");
    }
    out->flags = static_cast<uint8_t>(flags);
    payload->clear();
    for (size_t i = 0; i < hex.size(); i += 2) {
      int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
      if (hi < 0 || lo < 0) return Status::InvalidArgument("control line: bad hex payload");
      payload->push_back(static_cast<char>(hi * 16 + lo));
    }
  }
  return Status::OK();
}

}  // namespace json_internal
}  // namespace sstream
