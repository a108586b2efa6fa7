#include "sstream/sketch.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/bytes.h"
#include "common/codec.h"

namespace sstream {

HyperLogLog::HyperLogLog(int precision)
    : p_(std::clamp(precision, 4, 16)), registers_(size_t{1} << p_, 0) {}

int HyperLogLog::PrecisionForRsd(double rsd) {
  if (!(rsd > 0)) return 16;
  return std::clamp(static_cast<int>(std::ceil(2.0 * std::log2(1.106 / rsd))), 4, 16);
}

void HyperLogLog::Add(std::string_view value) {
  uint64_t h = HashKey(value);
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

QuantileSketch::QuantileSketch(int k) : k_(std::max(k, 8)), levels_(1) {}

void QuantileSketch::Add(double v) {
  if (std::isnan(v)) return;
  min_ = n_ == 0 ? v : std::min(min_, v);
  max_ = n_ == 0 ? v : std::max(max_, v);
  levels_[0].push_back(v);
  ++n_;
  if (levels_[0].size() >= static_cast<size_t>(k_)) Compact(0);
}

void QuantileSketch::Compact(size_t level) {
  // Grow first: emplace_back may move the levels.
  if (level + 1 >= levels_.size()) levels_.emplace_back();
  std::vector<double>& items = levels_[level];
  std::sort(items.begin(), items.end());
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  size_t offset = (rng_ * 0x2545F4914F6CDD1Dull) >> 63;
  // An odd item out stays at this level, so weight is conserved exactly.
  double leftover = 0;
  bool keep_last = items.size() % 2 == 1;
  if (keep_last) leftover = items.back();
  size_t even = items.size() - (keep_last ? 1 : 0);
  for (size_t i = offset; i < even; i += 2) levels_[level + 1].push_back(items[i]);
  items.clear();
  if (keep_last) items.push_back(leftover);
  if (levels_[level + 1].size() >= static_cast<size_t>(k_)) Compact(level + 1);
}

void QuantileSketch::Merge(const QuantileSketch& other) {
  for (size_t l = 0; l < other.levels_.size(); ++l) {
    if (l >= levels_.size()) levels_.emplace_back();
    levels_[l].insert(levels_[l].end(), other.levels_[l].begin(), other.levels_[l].end());
  }
  if (other.n_ > 0) {
    min_ = n_ == 0 ? other.min_ : std::min(min_, other.min_);
    max_ = n_ == 0 ? other.max_ : std::max(max_, other.max_);
  }
  n_ += other.n_;
  for (size_t l = 0; l < levels_.size(); ++l) {
    if (levels_[l].size() >= static_cast<size_t>(k_)) Compact(l);
  }
}

double QuantileSketch::Quantile(double q) const {
  std::vector<std::pair<double, int64_t>> weighted;
  int64_t total = 0;
  for (size_t l = 0; l < levels_.size(); ++l) {
    for (double v : levels_[l]) {
      weighted.emplace_back(v, int64_t{1} << l);
      total += int64_t{1} << l;
    }
  }
  if (weighted.empty()) return std::nan("");
  q = std::clamp(q, 0.0, 1.0);
  if (q == 0) return min_;
  if (q == 1) return max_;
  std::sort(weighted.begin(), weighted.end());
  // The smallest value whose cumulative weight reaches q of the total, as
  // Spark's percentile_approx returns an element of the input.
  double target = q * static_cast<double>(total);
  int64_t cumulative = 0;
  for (const auto& [v, w] : weighted) {
    cumulative += w;
    if (static_cast<double>(cumulative) >= target) return v;
  }
  return weighted.back().first;
}

void HyperLogLog::AppendState(std::string* out) const {
  PutBytes(out, std::string_view(reinterpret_cast<const char*>(registers_.data()),
                                 registers_.size()));
}

bool HyperLogLog::LoadState(std::string_view bytes) {
  Decoder d(bytes);
  std::string_view regs = d.Bytes();
  if (!d.done() || regs.size() != registers_.size()) return false;
  std::memcpy(registers_.data(), regs.data(), regs.size());
  return true;
}

void QuantileSketch::AppendState(std::string* out) const {
  PutI64(out, n_);
  PutDouble(out, min_);
  PutDouble(out, max_);
  PutU64(out, rng_);
  PutU64(out, levels_.size());
  for (const auto& level : levels_) {
    PutU64(out, level.size());
    for (double v : level) PutDouble(out, v);
  }
}

bool QuantileSketch::LoadState(std::string_view bytes) {
  Decoder d(bytes);
  n_ = d.I64();
  min_ = d.Double();
  max_ = d.Double();
  rng_ = d.U64();
  const uint64_t levels = d.U64();
  if (!d.ok() || levels == 0 || levels > 64) return false;
  levels_.assign(levels, {});
  for (auto& level : levels_) {
    const uint64_t n = d.U64();
    if (!d.ok() || n > d.rest().size() / 8) return false;
    level.reserve(n);
    for (uint64_t i = 0; i < n; ++i) level.push_back(d.Double());
  }
  return d.done();
}

}  // namespace sstream
