#include <simdjson.h>

#include <fmt/format.h>

#include "sstream/record.h"

namespace sstream {

namespace od = simdjson::ondemand;

namespace {

constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;

Status JsonError(simdjson::error_code e) {
  switch (e) {
    case simdjson::UTF8_ERROR: return Status::InvalidArgument("invalid UTF-8");
    case simdjson::INCORRECT_TYPE: return Status::InvalidArgument("record is not a JSON object");
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

struct RecordScanner::Impl {
  od::parser parser;
  od::parser nested_parser;
  std::vector<bool> plain;
  std::vector<std::string> nested_copies;  // one per path: results must not alias
};

RecordScanner::RecordScanner(std::vector<std::string> paths) : impl_(std::make_unique<Impl>()) {
  for (const auto& p : paths) {
    std::vector<std::string> segs;
    if (!ParseFieldPath(p, &segs).ok()) segs = {p};
    size_t t = 0;
    while (t < top_.size() && top_[t] != segs[0]) ++t;
    if (t == top_.size()) top_.push_back(segs[0]);
    top_of_path_.push_back(t);
    paths_.push_back(std::move(segs));
  }
  for (const auto& t : top_) impl_->plain.push_back(PlainName(t));
  top_values_.resize(top_.size());
  values_.resize(paths_.size());
  impl_->nested_copies.resize(paths_.size());
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
  od::object obj;
  if ((err = doc.get_object().get(obj))) return JsonError(err);
  size_t found = 0;
  for (auto field_result : obj) {
    od::field field;
    if ((err = std::move(field_result).get(field))) return JsonError(err);
    std::string_view raw;
    size_t match = top_.size();
    if (found < top_.size() || collect_all_) {
      od::raw_json_string key = field.key();
      for (size_t t = 0; t < top_.size(); ++t) {
        if (!top_values_[t].empty()) continue;
        bool eq;
        if (impl_->plain[t]) {
          eq = key == std::string_view(top_[t]);
        } else {
          std::string_view k;
          if ((err = field.unescaped_key().get(k))) return JsonError(err);
          eq = k == top_[t];
        }
        if (eq) {
          match = t;
          break;
        }
      }
      if (collect_all_) {
        // Key text without quotes, as written (escapes kept).
        const char* kb = reinterpret_cast<const char*>(key.raw());
        const char* ke = kb;
        while (*ke != '"') ke += (*ke == '\\') ? 2 : 1;
        if ((err = RawValue(field.value(), &raw))) return JsonError(err);
        fields_.emplace_back(std::string_view(kb, static_cast<size_t>(ke - kb)), raw);
      } else if (match < top_.size()) {
        if ((err = RawValue(field.value(), &raw))) return JsonError(err);
      } else {
        continue;  // the iterator skips the value
      }
    } else {
      continue;
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
  for (size_t i = 0; i < paths_.size(); ++i) {
    std::string_view v = top_values_[top_of_path_[i]];
    if (paths_[i].size() > 1 && !v.empty()) {
      // Nested path: walk into the raw sub-object (rare path; copies).
      for (size_t s = 1; s < paths_[i].size() && !v.empty(); ++s) {
        if (v[0] != '{') {
          v = {};
          break;
        }
        // Quoted, so that a segment with a dot ("`x.y`") stays one name.
        std::string quoted = "`";
        for (char c : paths_[i][s]) {
          if (c == '`') quoted.push_back('`');
          quoted.push_back(c);
        }
        quoted.push_back('`');
        RecordScanner sub({quoted});
        if (!sub.ScanCopy(v).ok()) {
          v = {};
          break;
        }
        // Keep the result alive in our own buffer.
        impl_->nested_copies[i].assign(sub.value(0));
        v = impl_->nested_copies[i];
      }
    }
    values_[i] = v;
  }
  return Status::OK();
}

struct JsonValidator::Impl {
  simdjson::dom::parser parser;
};

JsonValidator::JsonValidator() : impl_(std::make_unique<Impl>()) {}
JsonValidator::~JsonValidator() = default;

Status JsonValidator::ValidateObject(std::string_view json) {
  simdjson::dom::element doc;
  // The caller guarantees padding after `json` (Frame::json views are padded).
  auto err = impl_->parser.parse(json.data(), json.size(), false).get(doc);
  if (err) return JsonError(err);
  if (!doc.is_object()) return Status::InvalidArgument("record is not a JSON object");
  return Status::OK();
}

}  // namespace sstream
