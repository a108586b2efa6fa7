// Byte-string helpers for per-record hot paths. Internal to lib/src.
#pragma once

#include <cstring>
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

}  // namespace sstream
