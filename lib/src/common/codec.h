// A small binary codec for checkpointed state: fixed-width little-endian
// integers and doubles, length-prefixed byte strings. A Decoder never reads
// past its input: a short or damaged value clears ok(). Internal to lib/src.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sstream {

inline void PutU64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}
inline void PutI64(std::string* out, int64_t v) { PutU64(out, static_cast<uint64_t>(v)); }
inline void PutDouble(std::string* out, double v) {
  uint64_t u;
  std::memcpy(&u, &v, 8);
  PutU64(out, u);
}
inline void PutBytes(std::string* out, std::string_view v) {
  PutU64(out, v.size());
  out->append(v);
}
// Big-endian with the sign bit flipped: byte order sorts as the numbers do
// (window starts in state keys).
inline void PutOrderedI64(std::string* out, int64_t v) {
  const uint64_t u = static_cast<uint64_t>(v) ^ (uint64_t{1} << 63);
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>(u >> (8 * i)));
}

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  uint64_t U64() {
    if (!Need(8)) return 0;
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return v;
  }
  int64_t I64() { return static_cast<int64_t>(U64()); }
  double Double() {
    uint64_t u = U64();
    double v;
    std::memcpy(&v, &u, 8);
    return v;
  }
  std::string_view Bytes() {
    const uint64_t n = U64();
    if (!ok_ || !Need(n)) return {};
    std::string_view v = in_.substr(0, n);
    in_.remove_prefix(n);
    return v;
  }
  int64_t OrderedI64() {
    if (!Need(8)) return 0;
    uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return static_cast<int64_t>(u ^ (uint64_t{1} << 63));
  }
  std::string_view rest() const { return in_; }
  bool ok() const { return ok_; }
  // True when everything was read and nothing was short.
  bool done() const { return ok_ && in_.empty(); }
  void Fail() { ok_ = false; }

 private:
  bool Need(uint64_t n) {
    if (in_.size() < n) ok_ = false;
    return ok_;
  }
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace sstream
