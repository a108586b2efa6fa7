// Byte-string helpers for per-record hot paths. Internal to lib/src.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sstream {

// a == b, without a library call for the short names and keys that records
// are made of (memcmp's call and dispatch cost more than the compare).
inline bool EqualBytes(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.size() > 16) return std::memcmp(a.data(), b.data(), a.size()) == 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Appends code point `cp` as UTF-8; a lone surrogate (no UTF-8 form)
// becomes U+FFFD.
inline void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A fast, well-mixed 64-bit hash of short byte strings (group keys, sketch
// inputs).
uint64_t HashKey(std::string_view key);

}  // namespace sstream
