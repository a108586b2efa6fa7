#include "ops/hashes.h"

#include <nettle/md5.h>
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

// The digests come from nettle; this is the only file that includes it.
template <typename Ctx, void (*Init)(Ctx*), void (*Update)(Ctx*, size_t, const uint8_t*),
          void (*Final)(Ctx*, size_t, uint8_t*), size_t kSize>
void HexDigest(std::string_view data, std::string* hex) {
  Ctx ctx;
  Init(&ctx);
  Update(&ctx, data.size(), reinterpret_cast<const uint8_t*>(data.data()));
  uint8_t digest[kSize];
  Final(&ctx, kSize, digest);
  Hex(digest, kSize, hex);
}

}  // namespace

std::string Md5Hex(std::string_view data) {
  std::string hex;
  HexDigest<md5_ctx, nettle_md5_init, nettle_md5_update, nettle_md5_digest, MD5_DIGEST_SIZE>(data,
                                                                                          &hex);
  return hex;
}

bool Sha2Hex(std::string_view data, int bits, std::string* hex) {
  switch (bits) {
    case 224:
      HexDigest<sha224_ctx, nettle_sha224_init, nettle_sha256_update, nettle_sha224_digest,
             SHA224_DIGEST_SIZE>(data, hex);
      return true;
    case 256:
      HexDigest<sha256_ctx, nettle_sha256_init, nettle_sha256_update, nettle_sha256_digest,
             SHA256_DIGEST_SIZE>(data, hex);
      return true;
    case 384:
      HexDigest<sha384_ctx, nettle_sha384_init, nettle_sha512_update, nettle_sha384_digest,
             SHA384_DIGEST_SIZE>(data, hex);
      return true;
    case 512:
      HexDigest<sha512_ctx, nettle_sha512_init, nettle_sha512_update, nettle_sha512_digest,
             SHA512_DIGEST_SIZE>(data, hex);
      return true;
    default: return false;
  }
}

}  // namespace sstream::expr
