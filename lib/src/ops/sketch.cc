#include "sstream/sketch.h"

#include <algorithm>
#include <cmath>

namespace sstream {

namespace {

// FNV-1a over the bytes, then a SplitMix64 finalizer for avalanche.
uint64_t Hash64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

}  // namespace

HyperLogLog::HyperLogLog(int precision)
    : p_(std::clamp(precision, 4, 16)), registers_(size_t{1} << p_, 0) {}

int HyperLogLog::PrecisionForRsd(double rsd) {
  if (!(rsd > 0)) return 16;
  return std::clamp(static_cast<int>(std::ceil(2.0 * std::log2(1.106 / rsd))), 4, 16);
}

void HyperLogLog::Add(std::string_view value) {
  uint64_t h = Hash64(value);
  size_t index = h >> (64 - p_);
  uint64_t rest = (h << p_) | (uint64_t{1} << (p_ - 1));  // guard bit: rank <= 64 - p
  uint8_t rank = static_cast<uint8_t>(__builtin_clzll(rest) + 1);
  if (rank > registers_[index]) registers_[index] = rank;
}

void HyperLogLog::Merge(const HyperLogLog& other) {
  if (other.p_ != p_) return;
  for (size_t i = 0; i < registers_.size(); ++i) {
    registers_[i] = std::max(registers_[i], other.registers_[i]);
  }
}

int64_t HyperLogLog::Estimate() const {
  const double m = static_cast<double>(registers_.size());
  double sum = 0;
  int zeros = 0;
  for (uint8_t r : registers_) {
    sum += std::ldexp(1.0, -r);
    zeros += r == 0;
  }
  double alpha = m == 16 ? 0.673 : m == 32 ? 0.697 : m == 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);
  double estimate = alpha * m * m / sum;
  if (estimate <= 2.5 * m && zeros > 0) estimate = m * std::log(m / zeros);  // linear counting
  return static_cast<int64_t>(std::llround(estimate));
}

double HyperLogLog::StandardError() const {
  return 1.04 / std::sqrt(static_cast<double>(registers_.size()));
}

}  // namespace sstream
