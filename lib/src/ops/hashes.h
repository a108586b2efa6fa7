// Hash functions of the expression language: Spark's Murmur3 (hash()), MD5
// and SHA-2 (md5(), sha2(), computed by nettle). Internal to lib/src/ops.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sstream::expr {

// Spark's Murmur3_x86_32 steps: an int, a long, and bytes (Spark's
// hashUnsafeBytes, whose tail bytes are mixed one by one as signed values).
uint32_t Murmur3Int(int32_t v, uint32_t seed);
uint32_t Murmur3Long(int64_t v, uint32_t seed);
uint32_t Murmur3Bytes(std::string_view bytes, uint32_t seed);

// Lower-case hex digests.
std::string Md5Hex(std::string_view data);
// bits: 224, 256, 384 or 512; false for any other length.
bool Sha2Hex(std::string_view data, int bits, std::string* hex);

}  // namespace sstream::expr
