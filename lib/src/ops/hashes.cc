#include "ops/hashes.h"

#include <nettle/md5.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha2.h>

#include <cstring>

namespace sstream::expr {

namespace {

inline uint32_t Rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

uint32_t MixK1(uint32_t k1) { return Rotl32(k1 * 0xcc9e2d51u, 15) * 0x1b873593u; }
uint32_t MixH1(uint32_t h1, uint32_t k1) { return Rotl32(h1 ^ k1, 13) * 5 + 0xe6546b64u; }
uint32_t Fmix(uint32_t h1, uint32_t length) {
  h1 ^= length;
  h1 ^= h1 >> 16;
  h1 *= 0x85ebca6bu;
  h1 ^= h1 >> 13;
  h1 *= 0xc2b2ae35u;
  return h1 ^ (h1 >> 16);
}

void Hex(const uint8_t* bytes, size_t n, std::string* out) {
  static const char kDigits[] = "0123456789abcdef";
  out->clear();
  for (size_t i = 0; i < n; ++i) {
    out->push_back(kDigits[bytes[i] >> 4]);
    out->push_back(kDigits[bytes[i] & 15]);
  }
}

}  // namespace

uint32_t Murmur3Int(int32_t v, uint32_t seed) {
  return Fmix(MixH1(seed, MixK1(static_cast<uint32_t>(v))), 4);
}

uint32_t Murmur3Long(int64_t v, uint32_t seed) {
  const auto u = static_cast<uint64_t>(v);
  uint32_t h1 = MixH1(seed, MixK1(static_cast<uint32_t>(u)));
  h1 = MixH1(h1, MixK1(static_cast<uint32_t>(u >> 32)));
  return Fmix(h1, 8);
}

uint32_t Murmur3Bytes(std::string_view bytes, uint32_t seed) {
  const size_t aligned = bytes.size() - bytes.size() % 4;
  uint32_t h1 = seed;
  for (size_t i = 0; i < aligned; i += 4) {
    uint32_t word;
    std::memcpy(&word, bytes.data() + i, 4);  // little-endian, as Spark on x86
    h1 = MixH1(h1, MixK1(word));
  }
  for (size_t i = aligned; i < bytes.size(); ++i) {
    const auto byte = static_cast<int32_t>(static_cast<signed char>(bytes[i]));
    h1 = MixH1(h1, MixK1(static_cast<uint32_t>(byte)));
  }
  return Fmix(h1, static_cast<uint32_t>(bytes.size()));
}

namespace {

// The digests come from nettle (this is the only file that includes it),
// through its own table of hash algorithms: one generic path for all.
void HexDigest(const nettle_hash& h, std::string_view data, std::string* hex) {
  union {  // room for the largest context this file uses
    md5_ctx md5;
    sha256_ctx sha256;
    sha512_ctx sha512;
  } ctx;
  uint8_t digest[SHA512_DIGEST_SIZE];
  h.init(&ctx);
  h.update(&ctx, data.size(), reinterpret_cast<const uint8_t*>(data.data()));
  h.digest(&ctx, h.digest_size, digest);
  Hex(digest, h.digest_size, hex);
}

}  // namespace

std::string Md5Hex(std::string_view data) {
  std::string hex;
  HexDigest(nettle_md5, data, &hex);
  return hex;
}

bool Sha2Hex(std::string_view data, int bits, std::string* hex) {
  const nettle_hash* h = bits == 224   ? &nettle_sha224
                         : bits == 256 ? &nettle_sha256
                         : bits == 384 ? &nettle_sha384
                         : bits == 512 ? &nettle_sha512
                                       : nullptr;
  if (h == nullptr) return false;
  HexDigest(*h, data, hex);
  return true;
}

}  // namespace sstream::expr
