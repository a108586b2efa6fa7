// Regular expressions of the expression language (RLIKE, regexp_extract,
// regexp_replace, split), on PCRE2: Perl syntax, which is what Spark users
// write for Java's java.util.regex (sstream-expr(7) lists the differences).
// Patterns and texts are UTF-8; '.' and classes match code points, and a
// byte sequence that is not UTF-8 never matches.
//
// Matching is bounded: PCRE2 backtracks on the heap, not the stack, and a
// search gives up after kMatchLimit steps, kDepthLimit nested backtracking
// points or kHeapLimitKiB of memory, so a hostile pattern costs at most
// milliseconds per text and never overflows the stack. Giving up is an
// error (LimitError), never a silent "no match".
//
// The only file that includes pcre2.h is regex.cc. A Regex is not
// thread-safe (it owns its match data).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sstream/status.h"

namespace sstream::regex {

inline constexpr uint32_t kMatchLimit = 10'000'000;
inline constexpr uint32_t kDepthLimit = 1'000'000;
inline constexpr uint32_t kHeapLimitKiB = 256 * 1024;

class Regex {
 public:
  // Compiles `pattern`; the error gives PCRE2's reason and the offset.
  // With `jit`, also to machine code (where supported): worth it for a
  // pattern used on many texts, not for one met once in the data.
  static Status Compile(std::string_view pattern, std::unique_ptr<Regex>* out, bool jit = true);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  const std::string& pattern() const { return pattern_; }
  // Number of capturing groups.
  size_t groups() const { return groups_; }
  // Number of the group named `name`, or -1.
  int GroupNumber(std::string_view name) const;

  // Searches `subject` from byte `start` (Java's Matcher.find). *found says
  // whether it matched; the error is a limit hit.
  Status Find(std::string_view subject, size_t start, bool* found);
  // After a Find that matched: the bytes of group i (0: the whole match);
  // false when the group took no part in the match.
  bool Group(size_t i, size_t* begin, size_t* end) const;

 private:
  Regex() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string pattern_;
  size_t groups_ = 0;
};

// Java's Matcher.appendReplacement syntax, checked once: $n and ${name}
// name a group (a group that took no part gives nothing), \x is x.
class Replacement {
 public:
  // Errors (as Java's): a group the pattern does not have, '$' without a
  // group, a trailing backslash.
  static Status Parse(std::string_view text, const Regex& re, Replacement* out);
  // Appends the replacement for the last match of `re` in `subject`.
  void Append(const Regex& re, std::string_view subject, std::string* out) const;

 private:
  struct Piece {
    std::string literal;  // when group < 0
    int group = -1;
  };
  std::vector<Piece> pieces_;
};

// Each code point's length at byte `i` of UTF-8 text (1 for a stray byte).
size_t CodePointLength(std::string_view s, size_t i);

}  // namespace sstream::regex
