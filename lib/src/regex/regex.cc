// PCRE2 behind the Regex interface of regex.h: compiled once with JIT when
// the platform has it, matched with explicit limits.
#include "regex/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <fmt/format.h>

namespace sstream::regex {

namespace {

std::string ErrorText(int code) {
  PCRE2_UCHAR buf[256];
  if (pcre2_get_error_message(code, buf, sizeof buf) < 0) return fmt::format("error {}", code);
  return reinterpret_cast<const char*>(buf);
}

// The JIT's own stack: it starts small and may grow to this size; a search
// that needs more runs again in the interpreter, which backtracks on the heap.
constexpr size_t kJitStackStart = 32 * 1024;
constexpr size_t kJitStackMax = 1024 * 1024;

}  // namespace

struct Regex::Impl {
  pcre2_code* code = nullptr;
  pcre2_match_data* match = nullptr;
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;
  bool jit = false;
  ~Impl() {
    pcre2_jit_stack_free(jit_stack);
    pcre2_match_context_free(context);
    pcre2_match_data_free(match);
    pcre2_code_free(code);
  }
};

Regex::~Regex() = default;

Status Regex::Compile(std::string_view pattern, std::unique_ptr<Regex>* out, bool jit) {
  auto re = std::unique_ptr<Regex>(new Regex());
  re->impl_ = std::make_unique<Impl>();
  re->pattern_ = std::string(pattern);
  Impl& im = *re->impl_;
  int code = 0;
  PCRE2_SIZE offset = 0;
  // UTF: '.' and classes match code points, as Java's do; text that is not
  // UTF-8 is matched too, its bad bytes matching nothing.
  im.code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                          PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &offset, nullptr);
  if (im.code == nullptr) {
    return Status::InvalidArgument(
        fmt::format("{} at offset {} of the pattern", ErrorText(code), offset));
  }
  uint32_t groups = 0;
  pcre2_pattern_info(im.code, PCRE2_INFO_CAPTURECOUNT, &groups);
  re->groups_ = groups;
  im.match = pcre2_match_data_create_from_pattern(im.code, nullptr);
  im.context = pcre2_match_context_create(nullptr);
  if (im.match == nullptr || im.context == nullptr) {
    return Status::Internal("out of memory compiling a regular expression");
  }
  pcre2_set_match_limit(im.context, kMatchLimit);
  pcre2_set_depth_limit(im.context, kDepthLimit);
  pcre2_set_heap_limit(im.context, kHeapLimitKiB);
  // Without JIT support (or memory for it) the interpreter does the same work.
  if (jit && pcre2_jit_compile(im.code, PCRE2_JIT_COMPLETE) == 0) {
    im.jit_stack = pcre2_jit_stack_create(kJitStackStart, kJitStackMax, nullptr);
    if (im.jit_stack != nullptr) {
      pcre2_jit_stack_assign(im.context, nullptr, im.jit_stack);
      im.jit = true;
    }
  }
  *out = std::move(re);
  return Status::OK();
}

int Regex::GroupNumber(std::string_view name) const {
  const std::string n(name);
  const int rc = pcre2_substring_number_from_name(impl_->code, reinterpret_cast<PCRE2_SPTR>(n.c_str()));
  return rc > 0 ? rc : -1;
}

Status Regex::Find(std::string_view subject, size_t start, bool* found) {
  Impl& im = *impl_;
  const auto* text = reinterpret_cast<PCRE2_SPTR>(subject.data());
  int rc = pcre2_match(im.code, text, subject.size(), start, im.jit ? 0 : PCRE2_NO_JIT, im.match,
                       im.context);
  if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
    rc = pcre2_match(im.code, text, subject.size(), start, PCRE2_NO_JIT, im.match, im.context);
  }
  if (rc >= 0) {
    *found = true;
    return Status::OK();
  }
  *found = false;
  if (rc == PCRE2_ERROR_NOMATCH) return Status::OK();
  switch (rc) {
    case PCRE2_ERROR_MATCHLIMIT:
      return Status::InvalidArgument(fmt::format(
          "regular expression '{}' gave up on a text of {} bytes after {} backtracking steps "
          "(it backtracks too much: make it more specific)",
          pattern_, subject.size(), kMatchLimit));
    case PCRE2_ERROR_DEPTHLIMIT:
    case PCRE2_ERROR_HEAPLIMIT:
      return Status::InvalidArgument(fmt::format(
          "regular expression '{}' gave up on a text of {} bytes: it needs more than {} nested "
          "backtracking points or {} MiB (make it more specific)",
          pattern_, subject.size(), kDepthLimit, kHeapLimitKiB / 1024));
    default:
      return Status::InvalidArgument(
          fmt::format("regular expression '{}': {}", pattern_, ErrorText(rc)));
  }
}

bool Regex::Group(size_t i, size_t* begin, size_t* end) const {
  if (i > groups_) return false;
  const PCRE2_SIZE* v = pcre2_get_ovector_pointer(impl_->match);
  if (v[2 * i] == PCRE2_UNSET) return false;
  *begin = v[2 * i];
  *end = v[2 * i + 1];
  // \K in a lookahead can put the start after the end; read it as empty.
  if (*begin > *end) *begin = *end;
  return true;
}

Status Replacement::Parse(std::string_view text, const Regex& re, Replacement* out) {
  out->pieces_.clear();
  auto literal = [&]() -> std::string& {
    if (out->pieces_.empty() || out->pieces_.back().group >= 0) out->pieces_.emplace_back();
    return out->pieces_.back().literal;
  };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '\\') {
      if (++i == text.size()) {
        return Status::InvalidArgument("the replacement ends in a backslash (write \\\\ for one)");
      }
      literal().push_back(text[i++]);
      continue;
    }
    if (c != '$') {
      literal().push_back(text[i++]);
      continue;
    }
    if (++i == text.size()) {
      return Status::InvalidArgument(
          "the replacement ends in '$' without a group (write \\$ for a dollar sign)");
    }
    int group;
    if (text[i] == '{') {
      const size_t close = text.find('}', i);
      const std::string_view name =
          text.substr(i + 1, close == std::string_view::npos ? 0 : close - i - 1);
      if (close == std::string_view::npos || name.empty() || is_digit(name[0])) {
        return Status::InvalidArgument(
            "the replacement has a bad ${...} group reference (a name such as ${year})");
      }
      group = re.GroupNumber(name);
      if (group < 0) {
        return Status::InvalidArgument(
            fmt::format("the replacement names group '{}', which the pattern does not have", name));
      }
      i = close + 1;
    } else {
      if (!is_digit(text[i])) {
        return Status::InvalidArgument(
            "the replacement has '$' without a group number or {name} (write \\$ for a dollar "
            "sign)");
      }
      // As Java: the first digit is the group; more digits while the group exists.
      group = text[i++] - '0';
      while (i < text.size() && is_digit(text[i]) &&
             static_cast<size_t>(group) * 10 + (text[i] - '0') <= re.groups()) {
        group = group * 10 + (text[i++] - '0');
      }
      if (static_cast<size_t>(group) > re.groups()) {
        return Status::InvalidArgument(fmt::format(
            "the replacement refers to group {}, but the pattern has {} group(s)", group,
            re.groups()));
      }
    }
    Piece p;
    p.group = group;
    out->pieces_.push_back(std::move(p));
  }
  return Status::OK();
}

void Replacement::Append(const Regex& re, std::string_view subject, std::string* out) const {
  for (const Piece& p : pieces_) {
    if (p.group < 0) {
      out->append(p.literal);
      continue;
    }
    size_t b, e;
    if (re.Group(static_cast<size_t>(p.group), &b, &e)) out->append(subject.substr(b, e - b));
  }
}

size_t CodePointLength(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (n > s.size() - i) return 1;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

}  // namespace sstream::regex
