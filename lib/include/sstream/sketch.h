// Bounded-memory sketches for approximate aggregates.
//
// HyperLogLog counts distinct values in 2^p one-byte registers (Flajolet et
// al. 2007, with linear counting for small cardinalities). Its relative
// standard error is about 1.04 / sqrt(2^p); PrecisionForRsd() picks p from a
// wanted error the way Spark's approx_count_distinct(col, rsd) does
// (p = ceil(2 * log2(1.106 / rsd)), default rsd 0.05 -> p = 9, 512 bytes).
// Sketches of equal precision merge by taking register maxima.
//
// QuantileSketch estimates quantiles in bounded memory (a KLL sketch, Karnin,
// Lang and Liberty 2016): levels of at most k items; a full level is sorted
// and every other item moves up with twice the weight. The rank error is
// about 1.7 / k of the count (k = 200 by default: ~1 %); sketches merge.
// Compaction offsets come from a fixed-seed generator, so results are
// reproducible. Pure logic, not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sstream {

class HyperLogLog {
 public:
  explicit HyperLogLog(int precision);
  static int PrecisionForRsd(double rsd);  // clamped to [4, 16]

  void Add(std::string_view value);
  void Merge(const HyperLogLog& other);  // same precision
  int64_t Estimate() const;
  int precision() const { return p_; }
  double StandardError() const;
  // The sketch as bytes (checkpoints), and back: Load refuses bytes of
  // another precision or a damaged length.
  void AppendState(std::string* out) const;
  bool LoadState(std::string_view bytes);

 private:
  int p_;
  std::vector<uint8_t> registers_;
};

class QuantileSketch {
 public:
  explicit QuantileSketch(int k = 200);
  void Add(double v);
  void Merge(const QuantileSketch& other);
  // The value at quantile q in [0, 1] (NaN when empty).
  double Quantile(double q) const;
  int64_t count() const { return n_; }
  void AppendState(std::string* out) const;
  bool LoadState(std::string_view bytes);

 private:
  void Compact(size_t level);
  int k_;
  int64_t n_ = 0;
  double min_ = 0, max_ = 0;  // exact extremes: quantiles 0 and 1
  uint64_t rng_ = 0x9E3779B97F4A7C15ull;
  std::vector<std::vector<double>> levels_;  // level i items weigh 2^i
};

}  // namespace sstream
