#include <cstring>

#include "common/bytes.h"

namespace sstream {

namespace {

inline uint64_t Mix(uint64_t x) {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ull;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ull;
  x ^= x >> 32;
  return x;
}

}  // namespace

uint64_t HashKey(std::string_view key) {
  const char* p = key.data();
  size_t n = key.size();
  uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    h = Mix(h ^ v) + 0x9e3779b97f4a7c15ull;
    p += 8;
    n -= 8;
  }
  // The last 0-7 bytes, with fixed-size loads (no memcpy call).
  uint64_t v = 0;
  if (n >= 4) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    v = (static_cast<uint64_t>(hi) << 32) | lo;
  } else if (n > 0) {
    v = (static_cast<uint64_t>(static_cast<unsigned char>(p[0])) << 16) |
        (static_cast<uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) |
        static_cast<unsigned char>(p[n - 1]);
  }
  return Mix(h ^ v);
}

}  // namespace sstream
