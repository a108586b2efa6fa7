// Static tables for sstream-join: CSV/TSV with a header line, or NDJSON.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "errors.h"
#include "sstream/join.h"
#include "sstream/record.h"

namespace sstream {

namespace {

Status ReadWholeFile(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return PosixError("opening static table " + path, errno);
  char buf[1 << 16];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof(buf));
    if (r < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return PosixError("reading static table " + path, e);
    }
    if (r == 0) break;
    out->append(buf, static_cast<size_t>(r));
  }
  ::close(fd);
  return Status::OK();
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Status ParseDelimited(std::string_view text, char delim, const std::string& name, StaticTable* out) {
  out->columns.clear();
  out->rows.clear();
  if (!IsValidUtf8(text)) return Status::InvalidArgument(fmt::format("{}: invalid UTF-8", name));
  size_t i = 0, line = 1;
  const size_t n = text.size();
  if (n >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // byte-order mark
  std::vector<std::string> fields;
  std::vector<bool> quoted;
  bool header_done = false;
  while (i < n) {
    fields.clear();
    quoted.clear();
    size_t record_line = line;
    // One record (may span lines inside quotes).
    for (;;) {
      std::string field;
      bool was_quoted = false;
      if (i < n && text[i] == '"') {
        was_quoted = true;
        ++i;
        for (;;) {
          if (i >= n) {
            return Status::InvalidArgument(
                fmt::format("{}: line {}: unterminated quoted field", name, record_line));
          }
          char c = text[i++];
          if (c == '"') {
            if (i < n && text[i] == '"') {
              field.push_back('"');
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field.push_back(c);
        }
        if (i < n && text[i] != delim && text[i] != '\n' && text[i] != '\r') {
          return Status::InvalidArgument(fmt::format(
              "{}: line {}: unexpected character after a quoted field", name, line));
        }
      } else {
        while (i < n && text[i] != delim && text[i] != '\n') field.push_back(text[i++]);
        if (!field.empty() && field.back() == '\r') field.pop_back();
      }
      fields.push_back(std::move(field));
      quoted.push_back(was_quoted);
      if (i < n && text[i] == '\r') ++i;
      if (i < n && text[i] == delim) {
        ++i;
        continue;
      }
      if (i < n && text[i] == '\n') {
        ++i;
        ++line;
      }
      break;
    }
    if (fields.size() == 1 && fields[0].empty() && !quoted[0]) continue;  // blank line
    if (!header_done) {
      for (auto& f : fields) {
        if (f.empty()) {
          return Status::InvalidArgument(fmt::format("{}: line {}: empty column name", name, record_line));
        }
      }
      out->columns = fields;
      header_done = true;
      continue;
    }
    if (fields.size() != out->columns.size()) {
      return Status::InvalidArgument(fmt::format("{}: line {}: expected {} fields, found {}", name,
                                                 record_line, out->columns.size(), fields.size()));
    }
    std::vector<std::string> row;
    row.reserve(fields.size());
    for (size_t k = 0; k < fields.size(); ++k) {
      std::string raw;
      if (fields[k].empty() && !quoted[k]) {
        raw = "null";  // Spark's CSV reader: an empty field is null
      } else {
        AppendJsonString(&raw, fields[k]);
      }
      row.push_back(std::move(raw));
    }
    out->rows.push_back(std::move(row));
  }
  if (!header_done) return Status::InvalidArgument(fmt::format("{}: no header line", name));
  return Status::OK();
}

Status LoadStaticTable(const std::string& path, const std::string& format, StaticTable* out) {
  std::string text;
  SSTREAM_RETURN_IF_ERROR(ReadWholeFile(path, &text));
  std::string fmt_name = format;
  if (fmt_name == "auto") {
    if (EndsWith(path, ".csv")) {
      fmt_name = "csv";
    } else if (EndsWith(path, ".tsv") || EndsWith(path, ".tab")) {
      fmt_name = "tsv";
    } else {
      size_t k = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
      fmt_name = (k != std::string::npos && text[k] == '{') ? "json" : "csv";
    }
  }
  if (fmt_name == "csv") return ParseDelimited(text, ',', path, out);
  if (fmt_name == "tsv") return ParseDelimited(text, '\t', path, out);
  if (fmt_name != "json") {
    return Status::InvalidArgument(
        fmt::format("unknown static table format '{}' (expected auto, csv, tsv or json)", format));
  }
  // NDJSON: columns are the union of keys in order of first appearance.
  out->columns.clear();
  out->rows.clear();
  RecordScanner scanner({});
  scanner.set_collect_all(true);
  size_t pos = 0, line = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view l(text.data() + pos, nl - pos);
    pos = nl + 1;
    ++line;
    if (l.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    {
      // Saved control lines (first key "@sstream") carry no table rows.
      size_t k = l.find_first_not_of(" \t");
      if (l[k] == '{') {
        k = l.find_first_not_of(" \t", k + 1);
        if (k != std::string_view::npos && l.substr(k, 10) == "\"@sstream\"") continue;
      }
    }
    Status s = scanner.ScanCopy(l);
    if (!s.ok()) return s.WithContext(fmt::format("{}: line {}", path, line));
    std::vector<std::string> row(out->columns.size(), "null");
    for (const auto& [key, raw] : scanner.fields()) {
      std::string scratch;
      std::string_view name;
      std::string quoted = "\"" + std::string(key) + "\"";
      if (!StringContent(quoted, &scratch, &name).ok()) name = key;
      size_t c = 0;
      while (c < out->columns.size() && out->columns[c] != name) ++c;
      if (c == out->columns.size()) {
        out->columns.emplace_back(name);
        for (auto& r : out->rows) r.emplace_back("null");
        row.emplace_back("null");
      }
      row[c] = std::string(raw);
    }
    out->rows.push_back(std::move(row));
  }
  return Status::OK();
}

}  // namespace sstream
