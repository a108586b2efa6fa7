#include "ops/source_input.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "common/bytes.h"
#include "sstream/io.h"
#include "sstream/log.h"

namespace sstream {
namespace source_input {

std::string FileId::Text() const { return fmt::format("{}:{}", dev, ino); }

FileId IdOf(const struct stat& st) {
  return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}


std::string EscapePath(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == '%' || c == ';' || c == '\n' || c == '\r') {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out;
}

std::string UnescapePath(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned v;
    if (text[i] == '%' && i + 2 < text.size() &&
        std::sscanf(std::string(text.substr(i + 1, 2)).c_str(), "%2X", &v) == 1) {
      out += static_cast<char>(v);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string FileStateText(const FileState& f) {
  return fmt::format("seq={} offset={} line={} head={}:{:016x} {}", f.seq, f.offset, f.line,
                     f.head_len, f.head_hash, EscapePath(f.path));
}

bool ParseFileState(std::string_view text, FileState* f) {
  std::string s(text);
  int n = 0;
  if (std::sscanf(s.c_str(), "seq=%" SCNd64 " offset=%" SCNu64 " line=%" SCNu64 " head=%" SCNu64
                             ":%" SCNx64 " %n",
                  &f->seq, &f->offset, &f->line, &f->head_len, &f->head_hash, &n) != 5 ||
      n <= 0) {
    return false;
  }
  f->path = UnescapePath(std::string_view(s).substr(static_cast<size_t>(n)));
  return true;
}

bool ParseFileId(std::string_view text, FileId* id) {
  std::string s(text);
  int n = 0;
  return std::sscanf(s.c_str(), "%" SCNu64 ":%" SCNu64 "%n", &id->dev, &id->ino, &n) == 2 &&
         static_cast<size_t>(n) == s.size();
}



std::string CoverText(const Cover& c, bool generator) {
  if (generator) {
    return fmt::format("row={} start_ms={} records={} last={}", c.row, c.start_ms, c.records,
                       c.last ? 1 : 0);
  }
  std::string out = fmt::format("records={} last={}", c.records, c.last ? 1 : 0);
  for (const Segment& s : c.segments) {
    out += fmt::format("; {} {}:{} {}:{} {}", s.id.Text(), s.from, s.from_line, s.to, s.to_line,
                       EscapePath(s.path));
  }
  return out;
}

bool ParseCover(const std::string& text, bool generator, Cover* c) {
  int last = 0;
  if (generator) {
    int n = std::sscanf(text.c_str(),
                        "row=%" SCNd64 " start_ms=%" SCNd64 " records=%" SCNd64 " last=%d", &c->row,
                        &c->start_ms, &c->records, &last);
    c->last = last == 1;
    return n == 4 || n == 2;  // records= and last= are new: older records lack them
  }
  size_t eol = text.find(';');
  std::string head = text.substr(0, eol);
  if (std::sscanf(head.c_str(), "records=%" SCNd64 " last=%d", &c->records, &last) != 2) {
    return false;
  }
  c->last = last == 1;
  while (eol != std::string::npos) {
    size_t next = text.find(';', eol + 1);
    std::string line = text.substr(eol + 1, next == std::string::npos ? next : next - eol - 1);
    if (line.empty() || line[0] != ' ') return false;
    line.erase(0, 1);
    eol = next;
    Segment s;
    int n = 0;
    if (std::sscanf(line.c_str(),
                    "%" SCNu64 ":%" SCNu64 " %" SCNu64 ":%" SCNu64 " %" SCNu64 ":%" SCNu64 " %n",
                    &s.id.dev, &s.id.ino, &s.from, &s.from_line, &s.to, &s.to_line, &n) != 6 ||
        n <= 0 || s.to < s.from) {
      return false;
    }
    s.path = UnescapePath(std::string_view(line).substr(static_cast<size_t>(n)));
    c->segments.push_back(std::move(s));
  }
  return true;
}

Status PathError(const std::string& what, const std::string& path) {
  return Status::IOError(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

namespace {

// The regular files in `dir`, by name; hidden names (a leading '.') and
// subdirectories are left out, and a symbolic link only counts when it
// resolves to a regular file inside `dir`.
Status ListDirectory(const std::string& dir, std::vector<Input>* out) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return PathError("reading directory", dir);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    names.emplace_back(e->d_name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  const std::string real_dir = AbsolutePath(dir);
  const std::string base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  for (const std::string& name : names) {
    const std::string path = base + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;  // gone since the listing
    if (S_ISLNK(st.st_mode)) {
      const std::string target = AbsolutePath(path);
      if (target.compare(0, real_dir.size() + 1, real_dir + "/") != 0) {
        Log(LogLevel::kWarning,
            fmt::format("{}: a link out of the directory {}: left out", path, dir));
        continue;
      }
      if (::stat(path.c_str(), &st) != 0) continue;
    }
    if (!S_ISREG(st.st_mode)) continue;
    out->push_back(Input{path, false, IdOf(st)});
  }
  return Status::OK();
}

}  // namespace

Status ListInputs(const std::vector<std::string>& args, bool checkpointed,
                  std::vector<Input>* out) {
  std::vector<Input> all;
  for (const std::string& arg : args) {
    if (arg == "-") {
      all.push_back(Input{"-", true, {}});
      continue;
    }
    const std::string path = arg.rfind("file:", 0) == 0 ? arg.substr(5) : arg;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return PathError("opening", path);
    if (S_ISDIR(st.st_mode)) {
      SSTREAM_RETURN_IF_ERROR(ListDirectory(path, &all));
      continue;
    }
    if (checkpointed && !S_ISREG(st.st_mode)) {
      return Status::InvalidArgument(fmt::format(
          "{} is not a regular file: --checkpoint needs input that can be read again", path));
    }
    all.push_back(Input{path, false, IdOf(st)});
  }
  std::set<FileId> seen;
  for (Input& in : all) {
    if (checkpointed && !seen.insert(in.id).second) continue;
    out->push_back(std::move(in));
  }
  return Status::OK();
}

uint64_t HeadHash(int fd, size_t n, size_t* got) {
  char buf[kHeadBytes];
  ssize_t r;
  do {
    r = ::pread(fd, buf, std::min(n, sizeof buf), 0);
  } while (r < 0 && errno == EINTR);
  *got = r < 0 ? 0 : static_cast<size_t>(r);
  return HashKey(std::string_view(buf, *got));
}

}  // namespace source_input
}  // namespace sstream
